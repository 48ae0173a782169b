"""An image's installed RPMs from its rpmdb, with one `rpm -qa --qf` call on a copy of
the database (docs/catalog.md#from-an-image).

The output format is line based, one item per line, tab separated, so no field needs
escaping (rpm's --qf has none): `@` starts a package, then `R` requires, `P` provides,
`C` changelog times, `F` file paths. Names, versions and capabilities never hold tabs or
newlines; a file name with a newline (legal, never seen) is glued back together.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LayerkitError
from ..tools.rpm import query_db
from .deps import Resolver, usr_aliases
from .evr import srpm_name

HEADER_FORMAT = ("@\t%{NAME}\t%|EPOCH?{%{EPOCH}}:{}|\t%{VERSION}\t%{RELEASE}\t%{ARCH}"
                 "\t%{SOURCERPM}\t%{LONGSIZE}\t%{BUILDTIME}\n")
ARRAYS_FORMAT = "[R\t%{REQUIRENAME}\n][P\t%{PROVIDENAME}\n][C\t%{CHANGELOGTIME}\n]"
FILES_FORMAT = "[F\t%{FILENAMES}\n]"
QUERY_FORMAT = HEADER_FORMAT + ARRAYS_FORMAT + FILES_FORMAT

# Where distributions keep the rpmdb, relative to the image root, most likely first.
DBPATHS = ("/usr/lib/sysimage/rpm", "/usr/share/rpm", "/var/lib/rpm")
DB_FILES = {"rpmdb.sqlite": "sqlite", "Packages": "bdb_ro", "Packages.db": "ndb"}
# Imported signing keys show up in `rpm -qa` as packages; they are not content.
PSEUDO_PACKAGES = frozenset({"gpg-pubkey", "gpg-pubkey-release"})
SKIP_COPY = frozenset({".rpm.lock", ".dbenv.lock", "rpmdb.sqlite-shm"})
MAX_DB_BYTES = 4 << 30  # a desktop's rpmdb is ~100 MB


class NoRpmdb(LayerkitError):
    """The image has no rpm database at all (not an RPM-based image)."""


@dataclass(frozen=True)
class InstalledPackage:
    """One installed RPM (one name.arch; multilib pairs are two records)."""

    name: str
    epoch: int | None
    version: str
    release: str
    arch: str
    source: str  # the source package's name ("foo" of foo-1.2-3.fc42.src.rpm)
    installed_size: int  # bytes (LONGSIZE: no 4 GiB overflow)
    build_time: int  # seconds since the epoch
    changelog: tuple[int, ...]  # CHANGELOGTIME, newest first as rpm stores them
    depends: tuple[str, ...] = ()  # requires resolved to installed package names
    unresolved: tuple[str, ...] = ()  # requires nothing installed provides

    @property
    def evr(self) -> str:
        """`epoch:version-release`, the epoch only when set."""
        vr = f"{self.version}-{self.release}"
        return f"{self.epoch}:{vr}" if self.epoch else vr


def within_root(root: Path, path: str, hops: int = 40) -> Path:
    """`path` inside `root` with symlinks followed as if `root` were `/`: an absolute link
    in an image (var/lib/rpm -> /usr/lib/sysimage/rpm) must not lead to the host's files."""
    parts = [p for p in path.split("/") if p]
    done: list[str] = []
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = root.joinpath(*done, part)
        if candidate.is_symlink():
            hops -= 1
            if hops < 0:
                raise LayerkitError(f"{root}{path}: too many symbolic links")
            target = os.readlink(candidate)
            if target.startswith("/"):
                done = []
            parts = [p for p in target.split("/") if p] + parts
            continue
        done.append(part)
    return root.joinpath(*done)


def find_db(root: Path, where: str) -> tuple[Path, str]:
    """(directory, rpm backend) of the image root's rpmdb; `where` names the image."""
    for candidate in DBPATHS:
        real = within_root(root, candidate)
        for name, backend in DB_FILES.items():
            if (real / name).is_file() and not (real / name).is_symlink():
                return real, backend
    raise NoRpmdb(f"{where}: no rpm database in {', '.join(DBPATHS)}")


def read_root(root: Path, where: str) -> list[InstalledPackage]:
    """The installed packages of an image root (read-only: the database is copied to a
    temporary directory first, since rpm writes -shm/-wal files beside a sqlite db)."""
    directory, backend = find_db(root, where)
    with tempfile.TemporaryDirectory(prefix="layerkit-rpmdb-") as tmp:
        total = 0
        for f in directory.iterdir():
            if f.name in SKIP_COPY or f.is_symlink() or not f.is_file():
                continue
            total += f.stat().st_size
            if total > MAX_DB_BYTES:
                raise LayerkitError(f"{where}: rpm database larger than {MAX_DB_BYTES} bytes")
            shutil.copyfile(f, Path(tmp) / f.name)
        try:
            out = query_db(Path(tmp), backend, QUERY_FORMAT)
        except LayerkitError as e:
            raise LayerkitError(f"{where}: {e.problems[0]}", e.code) from None
    return parse_query_output(out.decode("utf-8", errors="surrogateescape"), where)


def parse_query_output(text: str, where: str = "rpm output") -> list[InstalledPackage]:
    """Records from the output of the query, requires resolved against the whole
    installed set (provides, and file paths)."""
    wanted = {line[2:] for line in text.splitlines() if line.startswith("R\t/")}
    wanted.update([a for p in wanted for a in usr_aliases(p)])
    heads: list[list[str]] = []
    arrays: list[dict[str, list[str]]] = []
    files: dict[str, set[str]] = {}
    last: list[str] | None = None
    for line in text.split("\n"):
        tag, sep, value = line.partition("\t")
        if tag == "@":
            head = value.split("\t")
            if len(head) != 8:
                raise LayerkitError(f"{where}: malformed package line {line[:80]!r}")
            heads.append(head)
            arrays.append({"R": [], "P": [], "C": []})
            last = None
        elif tag in ("R", "P", "C") and sep and heads:
            arrays[-1][tag].append(value)
            last = None
        elif tag == "F" and sep and heads:
            last = [value]
            if value in wanted:
                files.setdefault(heads[-1][0], set()).add(value)
        elif line and last is not None:  # a newline inside a file name
            last[0] += "\n" + line
        elif line:
            raise LayerkitError(f"{where}: unexpected line {line[:80]!r}")
    provides: dict[str, set[str]] = {}
    for head, arr in zip(heads, arrays, strict=True):
        provides.setdefault(head[0], set()).update(arr["P"])
    resolver = Resolver(provides, files, installed=True)
    out = []
    for head, arr in zip(heads, arrays, strict=True):
        name, epoch, version, release, arch, sourcerpm, size, btime = head
        if name in PSEUDO_PACKAGES:
            continue
        depends, missing = resolver.resolve(name, arr["R"])
        out.append(InstalledPackage(
            name=name, epoch=_int(epoch) if epoch else None, version=version,
            release=release, arch=arch, source=srpm_name(sourcerpm) or name,
            installed_size=_int(size), build_time=_int(btime),
            changelog=tuple(_int(t) for t in arr["C"]), depends=tuple(depends),
            unresolved=tuple(dict.fromkeys(missing))))
    return out


def _int(text: str, default: int = 0) -> int:
    try:
        return int(text)
    except ValueError:
        return default
