"""rpm inside an image: where its database lives and which package owns each file;
queries of a copied database (the catalog reads installed packages that way)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, LayerkitError
from .buildah import Isolation, Mounted
from .run import run


@dataclass(frozen=True)
class RpmView:
    dbpath: str  # relative to the root, no leading or trailing slash
    owners: dict[str, str]  # path (relative, no leading slash) -> package name


def rpm_view(ref: str, isolation: Isolation) -> RpmView:
    """Ask the image's own rpm: `%_dbpath` differs between distributions (Fedora
    /usr/lib/sysimage/rpm, older ones /var/lib/rpm) and the file list says which
    package owns what."""
    mounted = Mounted(ref)
    with mounted:
        where = mounted.run(["rpm", "--eval", "%_dbpath"], isolation)
        files = mounted.run(["rpm", "-qa", "--qf", "[%{=NAME}\t%{FILENAMES}\n]"], isolation)
    for proc in (where, files):
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            raise LayerkitError(f"{ref}: cannot read the image's rpm database "
                                f"({err[-1] if err else 'rpm failed'}): files cannot be "
                                "attributed to packages", ExitCode.FAILED)
    owners = {}
    for line in files.stdout.decode(errors="replace").splitlines():
        name, _, path = line.partition("\t")
        if path.startswith("/"):
            owners[path.lstrip("/")] = name
    return RpmView(where.stdout.decode().strip().strip("/"), owners)


def query_db(dbpath: Path, backend: str, query_format: str) -> bytes:
    """`rpm -qa --qf FORMAT` against the database in `dbpath` (a directory on this
    machine: a copy, never an image's own, since rpm opens a sqlite rpmdb for writing
    even to query it). The backend is named because rpm takes it, like the dbpath, from
    the host's macros (Debian's rpm: ~/.rpmdb, sqlite). rpm's stderr chatter is ignored
    unless it fails or reports an error, which is a LayerkitError (BAD_INPUT: the
    database is what is wrong)."""
    proc = run(["rpm", "--dbpath", dbpath, "--define", f"_db_backend {backend}", "-qa",
                "--qf", query_format], check=False)
    err = [line for line in proc.stderr.decode(errors="replace").splitlines()
           if line.startswith("error:")]
    if proc.returncode != 0 or err:
        last = (err or proc.stderr.decode(errors="replace").strip().splitlines()
                or [f"exit status {proc.returncode}"])[-1]
        raise LayerkitError(f"rpm cannot read the database ({last.strip()})")
    return proc.stdout
