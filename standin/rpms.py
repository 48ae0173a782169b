"""RPMs for the stand-in world: built with rpmbuild from payloads whose bytes follow from
name and version, indexed with createrepo_c."""

from __future__ import annotations

import hashlib
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

from layerkit.tools.run import run


@dataclass(frozen=True)
class RpmSpec:
    name: str
    version: str = "1.0"
    release: str = "1"
    size: int = 100_000  # payload bytes
    requires: tuple[str, ...] = ()


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
        """)
    spec_path = top / f"{spec.name}.spec"
    spec_path.write_text(text)
    # payloads are random bytes: compressing them would only cost time
    run(["rpmbuild", "-bb", "--define", f"_topdir {top}", "--define", "_source_payload w0.ufdio",
         "--define", "_binary_payload w0.ufdio", "--define", "source_date_epoch_from_changelog 0",
         "--define", "use_source_date_epoch_as_buildtime 1", "--define", "_buildhost layerkit",
         spec_path], env={"SOURCE_DATE_EPOCH": "0", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
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
