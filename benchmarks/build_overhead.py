"""`layerkit build` wall time against plain `buildah build` of the same Containerfile.

    python3 -m benchmarks.build_overhead [WORKDIR]

Uses the stand-in world (base, local RPM repo, registry on 127.0.0.1). Each measurement is
a cold build (buildah's cache for the demo image removed first) so both sides do the same
dnf transactions; then the time of a no-change rebuild through layerkit. Writes
benchmarks/results/build_overhead.json.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from standin import world

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def sh(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def prune(*refs: str) -> None:
    """Forget built images and buildah's cached intermediate layers; keep the base."""
    for ref in refs:
        subprocess.run(["buildah", "rmi", "--force", ref], capture_output=True)
    subprocess.run(["buildah", "rmi", "--prune"], capture_output=True)


def main(work: Path) -> None:
    with world.world(work) as (base, _repo, repo_url, registry):
        image = world.write_project(work / "project", base, repo_url, registry.host, "bench")
        ctx = work / "w" / "context"
        lk, plain = [], []
        for i in range(RUNS):
            prune(f"{registry.host}/test/desk:b{i - 1}", f"localhost/plain:{i - 1}")
            lk.append(sh(["layerkit", "build", str(image), "--tag", f"b{i}", "--workdir",
                          str(work / "w")]))
            prune(f"{registry.host}/test/desk:b{i}")
            plain.append(sh(["buildah", "build", "--layers", "--isolation", "chroot",
                             "--pull=false", "-f", str(ctx / "Containerfile"), "-t",
                             f"localhost/plain:{i}", str(ctx)]))
        again = sh(["layerkit", "build", str(image), "--tag", "again", "--workdir",
                    str(work / "w")])
    row = {"layerkit_build_s": statistics.median(lk), "plain_buildah_s": statistics.median(plain),
           "no_change_rebuild_s": again, "runs": RUNS}
    row["overhead_pct"] = round(100 * (row["layerkit_build_s"] / row["plain_buildah_s"] - 1), 1)
    t = Table(title="layerkit build vs plain buildah build (stand-in, median of cold builds)")
    for col in ("layerkit build", "plain buildah", "overhead", "no-change rebuild"):
        t.add_column(col, justify="right")
    t.add_row(f"{row['layerkit_build_s']:.2f}s", f"{row['plain_buildah_s']:.2f}s",
              f"{row['overhead_pct']:+.1f}%", f"{again:.2f}s")
    Console().print(t)
    out = ROOT / "benchmarks" / "results" / "build_overhead.json"
    out.write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".layerkit/bench").resolve())
