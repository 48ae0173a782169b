"""Parse rpm-md repository metadata: repomd.xml and primary.xml (updateinfo: updateinfo.py).

Every parser takes a binary file object, compressed or not (see mdstream.py), and a label
naming the file for messages; nothing here opens files or URLs (see repofetch.py).
primary is streamed with iterparse, each <package> cleared once read, so memory grows
with what is kept, not with the document.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .deps import ProviderIndex, Resolver
from .evr import EVR, srpm_name
from .mdstream import ERRORS, ByteStream, RepoError, decompressed, failure, no_gc

REPO = "{http://linux.duke.edu/metadata/repo}"
COMMON = "{http://linux.duke.edu/metadata/common}"
RPM = "{http://linux.duke.edu/metadata/rpm}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
SOURCE_ARCHES = frozenset({"src", "nosrc"})


@dataclass(frozen=True)
class MetadataFile:
    """One <data> entry of repomd.xml."""

    type: str                   # "primary", "updateinfo", "filelists", "primary_zck", ...
    href: str                   # relative to the repository's base (holds "repodata/")
    checksum_type: str = ""
    checksum: str = ""
    size: int | None = None     # bytes as stored (compressed)
    base: str | None = None     # an xml:base on <location>, overriding the repository's


@dataclass(slots=True)
class RepoPackage:
    """One binary package of primary.xml. Sizes are bytes. Not frozen only because the
    reader fills `depends` in place (100k `replace` calls cost seconds): treat as read-only."""

    name: str
    arch: str
    epoch: int
    version: str
    release: str
    size: int                   # the .rpm file: what a client downloads
    installed_size: int
    sourcerpm: str
    source: str
    build_time: int
    file_time: int
    location: str
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    files: tuple[str, ...] = ()   # primary lists only /etc/*, *bin/* and /usr/lib/sendmail
    depends: tuple[str, ...] = ()

    @property
    def evr(self) -> EVR:
        """The package's epoch:version-release, ordered as rpm orders them."""
        return EVR(self.epoch, self.version, self.release)


@dataclass
class Primary:
    """A repository's packages, one per name, dependencies resolved to names."""

    packages: dict[str, RepoPackage]
    versions: dict[str, dict[str, int]] = field(default_factory=dict)  # name → {evr: build}
    unresolved: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dropped_arches: dict[str, int] = field(default_factory=dict)


def parse_repomd(fileobj: ByteStream, label: str = "repomd.xml") -> dict[str, MetadataFile]:
    """The metadata files repomd.xml lists, by type."""
    try:
        root = ET.parse(decompressed(fileobj, label)).getroot()
    except ERRORS as e:
        raise failure(label, e) from None
    if root.tag != REPO + "repomd":
        raise RepoError(f"{label}: not a repomd.xml (root element {root.tag})")
    out = {}
    for data in root.iter(REPO + "data"):
        loc, csum = data.find(REPO + "location"), data.find(REPO + "checksum")
        size = data.findtext(REPO + "size")
        if loc is None or not loc.get("href"):
            raise RepoError(f"{label}: <data type={data.get('type')!r}> has no location")
        href = loc.get("href", "")
        if href.startswith("/") or ".." in href.split("/") or "://" in href:
            raise RepoError(f"{label}: <data type={data.get('type')!r}>: location {href!r} "
                            "leaves the repository")
        out[data.get("type", "")] = MetadataFile(
            type=data.get("type", ""), href=loc.get("href", ""),
            checksum_type=csum.get("type", "") if csum is not None else "",
            checksum=(csum.text or "").strip() if csum is not None else "",
            size=int(size) if size and size.strip().isdigit() else None,
            base=loc.get(XML_BASE))
    return out


# Tags of primary.xml, spelled once (a concatenation per comparison costs ~5% of a parse).
_NAME = COMMON + "name"
_ARCH = COMMON + "arch"
_VERSION = COMMON + "version"
_TIME = COMMON + "time"
_SIZE = COMMON + "size"
_LOCATION = COMMON + "location"
_FORMAT = COMMON + "format"
_REQUIRES = RPM + "requires"
_PROVIDES = RPM + "provides"
_FILE = COMMON + "file"
_SOURCERPM = RPM + "sourcerpm"


def _package(elem: ET.Element) -> RepoPackage:
    """A RepoPackage from a parsed <package type="rpm"> element."""
    name = arch = sourcerpm = location = ""
    epoch, version, release = 0, "", ""
    size = installed = build = filetime = 0
    requires: list[str] = []
    provides: list[str] = []
    files: list[str] = []
    intern = sys.intern
    for child in elem:
        tag = child.tag
        if tag == _NAME:
            name = child.text or ""
        elif tag == _ARCH:
            arch = child.text or ""
        elif tag == _VERSION:
            epoch = int(child.get("epoch") or 0)
            version, release = child.get("ver", ""), child.get("rel", "")
        elif tag == _TIME:
            build, filetime = int(child.get("build") or 0), int(child.get("file") or 0)
        elif tag == _SIZE:
            size = int(child.get("package") or 0)
            installed = int(child.get("installed") or 0)
        elif tag == _LOCATION:
            location = child.get("href", "")
        elif tag == _FORMAT:
            for f in child:
                ftag = f.tag
                if ftag == _REQUIRES:
                    requires = [intern(e.get("name", "")) for e in f]
                elif ftag == _PROVIDES:
                    provides = [e.get("name", "") for e in f]
                elif ftag == _FILE:
                    files.append(f.text or "")
                elif ftag == _SOURCERPM:
                    sourcerpm = f.text or ""
    if not name:
        raise ValueError("a <package> without a <name>")
    source = srpm_name(sourcerpm)
    return RepoPackage(name, intern(arch), epoch, intern(version), intern(release), size, installed,
                       intern(sourcerpm), name if source in ("", name) else intern(source),
                       build, filetime, location,
                       tuple(requires), tuple(provides), tuple(files))


def iter_primary(fileobj: ByteStream, label: str = "primary.xml") -> Iterator[RepoPackage]:
    """Stream the packages of primary.xml (compressed or not), source packages included.

    Only end events are asked for (start events would cost ~15% more time), so each
    <package> is cleared rather than removed: ~70 bytes stay per package."""
    stream = decompressed(fileobj, label)
    pkg_tag = COMMON + "package"
    try:
        events = ET.iterparse(stream, events=("end",))
        for _, elem in events:
            if elem.tag == pkg_tag:
                if elem.get("type", "rpm") == "rpm":
                    yield _package(elem)
                elem.clear()
        root = events.root  # type: ignore[attr-defined]
    except ERRORS as e:
        raise failure(label, e) from None
    if root is None or root.tag != COMMON + "metadata":
        raise RepoError(f"{label}: not a primary.xml (root element "
                        f"{root.tag if root is not None else None})")


def load_primary(fileobj: ByteStream, label: str = "primary.xml",
                 arches: Sequence[str] | None = None) -> Primary:
    """One package per name, requires resolved to names within the repository.

    `arches` lists the architectures wanted, best first (e.g. ["x86_64", "noarch"]);
    a name built for several (multilib i686 + x86_64) keeps the best one. By default the
    most common architecture and noarch rank first, others only stand in for names that
    have nothing better. Within an architecture rank the newest EVR wins; every EVR seen
    (per name.arch) is kept in `versions`: repositories that keep old builds show their
    release history. Records keep what a catalog needs: provides, files and location are
    dropped (iter_primary has them). The garbage collector is paused meanwhile.
    """
    with no_gc():
        return _load(fileobj, label, arches)


def _load(fileobj: ByteStream, label: str, arches: Sequence[str] | None) -> Primary:
    """load_primary's work: index provides while streaming, pick builds, resolve."""
    index = ProviderIndex()
    best: dict[str, RepoPackage | dict[str, RepoPackage]] = {}  # name → newest (per arch)
    seen: dict[str, dict[str, int]] = {}                         # names with several EVRs
    for p in iter_primary(fileobj, label):
        if p.arch in SOURCE_ARCHES:
            continue
        index.add_all(p.provides, p.name)
        index.add_all(p.files, p.name)
        p.provides, p.files, p.location = (), (), ""
        have = best.get(p.name)
        if have is None:
            best[p.name] = p
            continue
        if isinstance(have, RepoPackage):  # a second build of the name: track per arch
            have = best[p.name] = {have.arch: have}
        old = have.get(p.arch)
        if old is not None and old.evr != p.evr:
            evrs = seen.setdefault(p.name, {str(old.evr): old.build_time})
            evrs.setdefault(str(p.evr), p.build_time)
        if old is None or old.evr < p.evr:
            have[p.arch] = p
    rank = _arch_rank(best, arches)
    chosen: dict[str, RepoPackage] = {}
    dropped: dict[str, int] = {}
    limit = len(rank.order)
    for name, have in best.items():
        builds = [have] if isinstance(have, RepoPackage) else list(have.values())
        eligible = [q for q in builds if rank(q.arch) < limit]
        top = None
        if eligible:
            first = min(rank(q.arch) for q in eligible)
            top = max((q for q in eligible if rank(q.arch) == first), key=lambda q: q.evr)
            chosen[name] = top
        for q in builds:
            if q is not top:
                dropped[q.arch] = dropped.get(q.arch, 0) + 1
    del best
    resolver = Resolver(index=index, installed=False, names=chosen)
    unresolved: dict[str, tuple[str, ...]] = {}
    for name, p in chosen.items():
        deps, missing = resolver.resolve(name, p.requires)
        p.depends = tuple([d for d in deps if d in chosen])
        if missing:
            unresolved[name] = tuple(dict.fromkeys(missing))
    versions = {n: v for n, v in seen.items() if n in chosen}
    return Primary(chosen, versions, unresolved, dropped)


class _Rank:
    """Architecture → rank (0 is best); len(order) means "not wanted"."""

    def __init__(self, order: list[set[str]]) -> None:
        self.order = order
        self._cache: dict[str, int] = {}

    def __call__(self, arch: str) -> int:
        r = self._cache.get(arch)
        if r is None:
            r = self._cache[arch] = next(
                (i for i, s in enumerate(self.order) if arch in s), len(self.order))
        return r


def _arch_rank(best: dict[str, RepoPackage | dict[str, RepoPackage]],
               arches: Sequence[str] | None) -> _Rank:
    if arches is not None:  # noarch ranks with the first wanted architecture
        wanted = [a for a in arches if a != "noarch"] or ["noarch"]
        first = {wanted[0], "noarch"} if "noarch" in arches else {wanted[0]}
        return _Rank([first] + [{a} for a in wanted[1:]])
    counts: dict[str, int] = {}
    for have in best.values():
        for a in [have.arch] if isinstance(have, RepoPackage) else have:
            counts[a] = counts.get(a, 0) + 1
    native = max((a for a in counts if a != "noarch"), key=lambda a: counts[a], default="noarch")
    return _Rank([{native, "noarch"}, set(counts) - {native, "noarch"}])
