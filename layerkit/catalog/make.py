"""`layerkit catalog`'s work: read every source asked for, check what they say, merge
(docs/catalog.md). Writing the file is the command line's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..config import patterns
from ..config.catalog import Catalog
from ..errors import LayerkitError, RegistryError
from ..tools import skopeo
from .found import Facts, Found
from .image import from_image
from .mdstream import no_gc
from .merge import Merged, from_catalog, merge
from .releases import from_history
from .repo import from_repo
from .rpmdb import NoRpmdb

MAX_YEARS = 10.0


@dataclass(frozen=True)
class Request:
    images: tuple[str, ...] = ()  # --from-image
    base: str | None = None  # the image file's base: its packages are marked `base`
    base_implicit: bool = False  # read by default: one without an rpmdb is skipped
    if_present: tuple[str, ...] = ()  # images read only when their registry has them
    repos: tuple[str, ...] = ()  # --from-repo
    histories: tuple[str, ...] = ()  # --from-history
    previous: Catalog | None = None  # the catalog being refreshed
    wanted: frozenset[str] | None = None  # recipe packages (None: a repository's all)
    estimates: dict[str, float] | None = None  # recipe rates for what nothing observed
    years: float = 1.0  # changelog period
    tls_verify: bool = True


def make_catalog(req: Request, say: Callable[[str], None]) -> Merged:
    """Read the sources in order (images first: a repository adds what they lack) and
    merge them. Raises LayerkitError when a source fails or nothing was found."""
    if not (0 < req.years <= MAX_YEARS):
        raise LayerkitError(f"--changelog-years: expected more than 0 and at most {MAX_YEARS:g}")
    found: list[Found] = []
    refs = ([req.base] if req.base else []) + [r for r in req.images if r != req.base]
    for ref in refs + [r for r in req.if_present if _present(r, req.tls_verify, say)]:
        say(f"reading the rpm database of {ref}")
        try:
            found.append(from_image(ref, req.years, ref == req.base, req.tls_verify))
        except NoRpmdb as e:
            if not (ref == req.base and req.base_implicit):
                raise
            say(f"note: {e.problems[0]}: the base is not read")
    have = frozenset(n for f in found for n in f.packages)
    for url in req.repos:
        say(f"reading repository metadata at {url}")
        found.append(from_repo(url, req.wanted, have))
    for repo in req.histories:
        say(f"reading the releases of {repo}")
        found.append(from_history(repo, req.tls_verify))
    if req.previous is not None:
        found.append(from_catalog(req.previous))
    found = [_checked(f, say) for f in found]
    for f in found:
        for note in f.notes:
            say(f"note: {note}")
    with no_gc():
        merged = merge(found, req.estimates)
    if merged is None:
        raise LayerkitError("no source named a package: nothing to write")
    return merged


def _present(ref: str, tls_verify: bool, say: Callable[[str], None]) -> bool:
    try:
        skopeo.digest(skopeo.normalize(ref), tls_verify)
        return True
    except RegistryError as e:
        say(f"note: not reading {ref} ({e.problems[0]})")
        return False


def _checked(found: Found, say: Callable[[str], None]) -> Found:
    """Names, sources and versions a catalog can hold: a package whose name layerkit
    would refuse is left out and said; a strange source or version is dropped."""
    bad = sorted(n for n in found.packages if not patterns.PACKAGE.fullmatch(n))
    if bad:
        say(f"note: {found.ref}: left out {len(bad)} packages whose names layerkit does not "
            f"accept ({', '.join(repr(b) for b in bad[:5])})")
    packages = {n: _clean(f) for n, f in found.packages.items() if n not in bad}
    return replace(found, packages=packages)


def _clean(f: Facts) -> Facts:
    source = f.source if f.source is None or patterns.PACKAGE.fullmatch(f.source) else None
    version = f.version if f.version is None or (
        patterns.clean_text(f.version) and len(f.version) <= 200) else None
    depends = None if f.depends is None else tuple(
        d for d in f.depends if patterns.PACKAGE.fullmatch(d))
    return replace(f, source=source, version=version, depends=depends)
