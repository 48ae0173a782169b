"""RPMs for the stand-in world: built with rpmbuild from payloads whose bytes follow from
name and version, indexed with createrepo_c."""

from __future__ import annotations

import hashlib
import math
import random
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from layerkit.tools.run import run


@dataclass(frozen=True)
class RpmSpec:
    name: str
    version: str = "1.0"
    release: str = "1"
    size: int = 100_000  # payload bytes
    requires: tuple[str, ...] = ()
    changelog: tuple[date, ...] = ()  # one %changelog entry per date, any order
    built: date | None = None  # BUILDTIME (noon UTC of that day); None: the epoch


def noon(day: date) -> int:
    """rpm's timestamp for a changelog day, and ours for a build day: 12:00 UTC."""
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


def poisson_days(name: str, rate: float, start: date, end: date) -> tuple[date, ...]:
    """Days in (start, end] on which a package changing `rate` times a year changed: a
    Poisson count for the period, on distinct days (one update a day at most), drawn
    from a generator seeded by the name, so the same name always gets the same days."""
    rng = random.Random(hashlib.sha256(f"changelog:{name}".encode()).digest())
    days = (end - start).days
    mean = rate * days / 365.25
    count, product, limit = 0, rng.random(), math.exp(-mean)  # Knuth's method
    while product > limit:
        count += 1
        product *= rng.random()
    picked = rng.sample(range(1, days + 1), min(count, days))
    return tuple(sorted((start + timedelta(days=d) for d in picked), reverse=True))


def _changelog(spec: RpmSpec) -> str:
    lines = ["%changelog"]
    for i, day in enumerate(sorted(spec.changelog, reverse=True)):  # rpm wants newest first
        lines += [f"* {day.strftime('%a %b %d %Y')} layerkit <rig@example.org> - "
                  f"{spec.version}-{len(spec.changelog) - i}", "- rebuilt"]
    return "\n".join(lines) + "\n" if spec.changelog else ""


def payload(name: str, version: str, size: int) -> bytes:
    """Incompressible bytes that depend only on name and version."""
    seed = int.from_bytes(hashlib.sha256(f"{name}-{version}".encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(size)


def build_rpm(spec: RpmSpec, outdir: Path) -> Path:
    top = outdir / ".rpmbuild" / f"{spec.name}-{spec.version}-{spec.release}"
    (top / "SOURCES").mkdir(parents=True, exist_ok=True)
    (top / "SOURCES" / "payload").write_bytes(payload(spec.name, spec.version, spec.size))
    requires = "".join(f"Requires: {r}\n" for r in spec.requires)
    text = textwrap.dedent(f"""\
        Name: {spec.name}
        Version: {spec.version}
        Release: {spec.release}
        Summary: layerkit test package {spec.name}
        License: MIT
        BuildArch: noarch
        AutoReqProv: no
        Source0: payload
        {requires}
        %description
        Test payload for layerkit.
        %install
        mkdir -p %{{buildroot}}/usr/share/{spec.name}
        cp %{{SOURCE0}} %{{buildroot}}/usr/share/{spec.name}/payload
        %files
        /usr/share/{spec.name}/payload
        """) + _changelog(spec)
    spec_path = top / f"{spec.name}.spec"
    spec_path.write_text(text)
    # payloads are random bytes: compressing them would only cost time
    run(["rpmbuild", "-bb", "--define", f"_topdir {top}", "--define", "_source_payload w0.ufdio",
         "--define", "_binary_payload w0.ufdio", "--define", "source_date_epoch_from_changelog 0",
         "--define", "use_source_date_epoch_as_buildtime 1", "--define", "_buildhost layerkit",
         spec_path], env={"SOURCE_DATE_EPOCH": str(noon(spec.built) if spec.built else 0),
                          "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "TZ": "UTC"})
    rpm = next((top / "RPMS" / "noarch").glob(f"{spec.name}-{spec.version}-*.rpm"))
    dest = outdir / rpm.name
    rpm.replace(dest)
    return dest


def make_repo(specs: list[RpmSpec], repo: Path) -> None:
    """Build RPMs into `repo` (keeping ones already there) and index it."""
    repo.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        if not (repo / f"{spec.name}-{spec.version}-{spec.release}.noarch.rpm").exists():
            build_rpm(spec, repo)
    run(["createrepo_c", "-q", "--update", repo])
