"""Re-chunk throughput and the upgrade bytes of plain vs re-chunked builds (run by hand).

    python3 -m benchmarks.rechunk [WORKDIR]

A ~1 GB image on the stand-in world: the 40 largest packages of the devtools catalog
(payload = 2x their compressed size, random bytes), in 8 recipes. Five successive builds:
packages bumped at their catalog rates x8 for a weekly cadence (at least one per build),
and the base changed once (build 3). Every build is pushed twice: plain (buildah's layers)
and re-chunked. Prints a table; writes benchmarks/results/rechunk.json.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from layerkit.config.catalog_file import load_catalog
from layerkit.errors import Problems
from standin import rpms, servers, world
from standin.base import standin_base

ROOT = Path(__file__).resolve().parent.parent
PACE, CADENCE, STEPS = 8, 7.0, 5


def sh(argv: list[str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(ROOT.parent / "shared/datasets/devtools.json", Problems())
    top = sorted(catalog.packages.values(), key=lambda p: -p.size)[:40]
    versions = {p.name: 1 for p in top}
    specs = {p.name: rpms.RpmSpec(p.name, "1.0", size=2 * p.size) for p in top}
    rates = {p.name: catalog.rate(p.name) * PACE for p in top}
    names = sorted(versions)
    recipes = {}
    for i in range(8):
        group = names[i::8]
        recipes[f"r{i}"] = (f'description = "benchmark group {i}"\npackages = {json.dumps(group)}\n'
                            f'size = {sum(specs[n].size for n in group)}\n'
                            f"changes_per_year = {sum(rates[n] for n in group):.3f}\n")
    base = standin_base(work)
    repo = work / "repo"
    rpms.make_repo(list(specs.values()), repo)
    server = servers.RepoServer(repo)
    registry = servers.Registry(work / "registry")
    rnd = random.Random(11)
    rows, throughput = [], None
    try:
        image = world.write_project(work / "project", base, server.url, registry.host, "b",
                                  recipes=recipes, repository="bench/img", max_layers=12)
        # the catalog lets the independent plan place packages, not whole recipes; it
        # holds just the 40 packages this world has (dependencies among them kept)
        data = json.loads((ROOT.parent / "shared/datasets/devtools.json").read_text())
        keep = set(names)
        data["packages"] = [{**p, "size": specs[p["name"]].size,
                             "depends": [d for d in p["depends"] if d in keep]}
                            for p in data["packages"] if p["name"] in keep]
        (work / "catalog.json").write_text(json.dumps(data))
        text = f'catalog = "{work / "catalog.json"}"\n' + image.read_text()
        image.write_text(text)
        for step in range(STEPS):
            changes = []
            if step:
                for n in names:
                    if rnd.random() < -math.expm1(-rates[n] * CADENCE / 365.25):
                        changes.append(n)
                if not changes:
                    changes.append(rnd.choice(names))
                for n in changes:
                    versions[n] += 1
                    specs[n] = rpms.RpmSpec(n, f"{versions[n]}.0", size=specs[n].size)
                rpms.make_repo([specs[n] for n in changes], repo)
            if step == 3:
                ctr = sh(["buildah", "from", "--pull=false", base]).strip()
                sh(["buildah", "run", "--isolation", "chroot", ctr, "--", "sh", "-c",
                    "echo 2 > /usr/share/base-release"])
                sh(["buildah", "commit", "--timestamp", "0", ctr, "localhost/bench-base:2"])
                sh(["buildah", "rm", ctr])
                text = text.replace(base, "localhost/bench-base:2")
                image.write_text(text)
                changes.append("base")
            start = time.perf_counter()
            sh(["layerkit", "build", str(image), "--push", "--rechunk", "--tag", f"r{step}",
                "--workdir", str(work / "w")])
            build_s = time.perf_counter() - start
            local = f"{registry.host}/bench/img:r{step}"
            sh(["skopeo", "copy", "--dest-tls-verify=false", f"containers-storage:{local}",
                f"docker://{registry.host}/bench/plain:p{step}"])
            if step == 0:
                start = time.perf_counter()
                out = json.loads(sh(["layerkit", "rechunk", local, f"oci:{work / 'tp'}:x",
                                     "--workdir", str(work / "tp-work"), "--json"]))
                secs = time.perf_counter() - start
                core = sum(v for k, v in out["seconds"].items() if k != "write")
                throughput = {"image_bytes": out["custom_bytes"], "seconds": secs,
                              "phases": out["seconds"],
                              "mb_per_s": out["custom_bytes"] / 1e6 / secs,
                              "mb_per_s_before_writing_out": out["custom_bytes"] / 1e6 / core}
            row = {"step": step, "changes": changes, "build_s": build_s}
            if step:
                for kind, repo_name, prefix in (("plain", "bench/plain", "p"),
                                                ("rechunked", "bench/img", "r")):
                    out = sh(["layerkit", "diff", f"{registry.host}/{repo_name}:{prefix}{step - 1}",
                              f"{registry.host}/{repo_name}:{prefix}{step}", "--json",
                              "--no-tls-verify"])
                    row[kind] = json.loads(out)["download_bytes"]
            rows.append(row)
    finally:
        registry.stop()
        server.stop()
    t = Table(title="upgrade bytes per build: plain vs re-chunked (~1 GB stand-in image)")
    for col in ("build", "changes", "plain", "re-chunked", "saved"):
        t.add_column(col, justify="left" if col == "changes" else "right")
    for r in rows[1:]:
        t.add_row(str(r["step"]), ", ".join(r["changes"]), f"{r['plain'] / 1e6:.1f} MB",
                  f"{r['rechunked'] / 1e6:.1f} MB",
                  f"{100 * (1 - r['rechunked'] / max(r['plain'], 1)):.0f}%")
    out = Console(width=140)
    out.print(t)
    out.print(f"re-chunk throughput: {throughput['image_bytes'] / 1e6:.0f} MB of custom content "
              f"in {throughput['seconds']:.1f} s = {throughput['mb_per_s']:.0f} MB/s for the "
              f"whole command; {throughput['mb_per_s_before_writing_out']:.0f} MB/s before "
              f"writing the result out; phases {throughput['phases']}")
    (ROOT / "benchmarks/results/rechunk.json").write_text(
        json.dumps({"rows": rows, "throughput": throughput}, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".layerkit/bench-rechunk").resolve())
