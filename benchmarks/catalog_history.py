"""Benchmark: does a catalog learned from the registry's history make cheaper updates?

    python3 -m benchmarks.catalog_history [WORKDIR]

On the stand-in world (stand-in base, RPMs served on loopback, a real registry): eight
packages in three recipes whose estimates hide what really changes (a hot config package
sits with big stable libraries, a big stable asset with the hot app). Packages are bumped
every week at known rates (a seeded draw), and layerkit builds and pushes each week:

1. training: 9 weekly releases (8 steps), built and pushed as usual;
2. `layerkit catalog IMAGE --from-history REPO --from-image <newest release>`: change
   sets and observed rates from the registry, sizes and dependencies from the image;
3. evaluation: the *next* 8 weekly releases, each built twice with `build --rechunk
   --push` (independent, re-chunked layers), once planned from the recipes' estimates and
   once from the catalog, into two repositories; `layerkit diff` measures what a client
   downloads at every step.

Writes benchmarks/results/catalog_history.json and prints the table in docs/catalog.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from layerkit.cli import main as cli_main
from layerkit.oci.rechunk import EXTRA_LAYERS
from standin import base, rpms, servers, world

ROOT = Path(__file__).resolve().parent.parent
FIRST = date(2026, 1, 5)
TRAIN, EVAL = 8, 8  # steps
# name: (payload bytes, chance of a bump in a given week, requires)
PACKAGES = {
    "libbig": (3_000_000, 0.02, ()),
    "libmid": (1_000_000, 0.08, ("libbig",)),
    "site-config": (60_000, 0.8, ()),
    "tool-a": (400_000, 0.3, ("libmid",)),
    "tool-b": (300_000, 0.25, ()),
    "docs": (800_000, 0.05, ()),
    "app": (200_000, 0.9, ("tool-a",)),
    "app-assets": (2_000_000, 0.04, ()),
}
RECIPES = {  # grouped by what they are for, estimated as people do
    "platform": 'description = "libraries and site config"\n'
                'packages = ["libbig", "libmid", "site-config"]\nsize = "4 MB"\n'
                'update = "quarterly"\n',
    "tools": 'description = "tools"\npackages = ["tool-a", "tool-b", "docs"]\n'
             'size = "1.5 MB"\nupdate = "monthly"\nrequires = ["platform"]\n',
    "app": 'description = "the app"\npackages = ["app", "app-assets"]\nsize = "2.2 MB"\n'
           'update = "weekly"\nrequires = ["tools"]\n',
}


def cli(*argv: object, tries: int = 2) -> str:
    """Run layerkit in this process; its stdout. A failed build is tried once more:
    buildah's storage is shared with whatever else runs on the machine."""
    for attempt in range(tries):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                cli_main([str(a) for a in argv])
                return out.getvalue()
            except SystemExit as e:
                if not e.code:
                    return out.getvalue()
                if attempt + 1 == tries or argv[0] != "build":
                    raise RuntimeError(f"layerkit {argv[0]} failed (exit {e.code})") from None
                print(f"  (layerkit build failed, exit {e.code}: once more)", file=sys.stderr)
    raise AssertionError("unreachable")


def schedule(rng: random.Random, steps: int) -> list[list[str]]:
    return [sorted(n for n, (_, p, _) in PACKAGES.items() if rng.random() < p)
            for _ in range(steps)]


def spec(name: str, version: int) -> rpms.RpmSpec:
    size, _, requires = PACKAGES[name]
    return rpms.RpmSpec(name, f"1.{version}", size=size, requires=requires)


def tag(i: int, label: str) -> str:
    return f"w-{(FIRST + timedelta(days=7 * i)).isoformat()}T0400-{label}{i:02d}"


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    standin = base.standin_base(work)
    repo = work / "repo"
    rpms.make_repo([spec(n, 0) for n in PACKAGES], repo)
    server, registry = servers.RepoServer(repo), servers.Registry(work / "registry")
    rng = random.Random(12)
    versions = dict.fromkeys(PACKAGES, 0)
    train, evaluate = schedule(rng, TRAIN), schedule(rng, EVAL)

    def bump(names: list[str]) -> None:
        for n in names:
            versions[n] += 1
        rpms.make_repo([spec(n, versions[n]) for n in names], repo)

    try:
        host = registry.host
        projects = {}
        for name, repository, extra in (("train", "bench/train", ""),
                                        ("estimates", "bench/estimates", ""),
                                        ("catalog", "bench/catalog",
                                         'catalog = "../catalog.json"\n')):
            image = world.write_project(work / name, standin, server.url, host, "w",
                                        recipes=RECIPES, model="independent",
                                        repository=repository, max_layers=8)
            image.write_text(extra + image.read_text())
            projects[name] = image
        print("training: 9 weekly releases", flush=True)
        for i in range(TRAIN + 1):
            if i:
                bump(train[i - 1])
            cli("build", projects["train"], "--push", "--tag", tag(i, "t"), "--workdir",
                work / "w-train")
        newest = f"{host}/bench/train:{tag(TRAIN, 't')}"
        cli("catalog", projects["catalog"], "--no-image", "--from-image", newest,
            "--from-history", f"{host}/bench/train", "--no-tls-verify")
        # what build --rechunk plans: the image's layers less the volatile, rpmdb and
        # config layers it adds
        plans = {n: json.loads(cli("plan", projects[n], "--json", "--max-layers",
                                   8 - EXTRA_LAYERS)) for n in ("estimates", "catalog")}
        print("evaluation: the next 8 releases, planned from estimates and from the catalog",
              flush=True)
        rows = []
        for i in range(TRAIN, TRAIN + EVAL + 1):
            if i > TRAIN:
                bump(evaluate[i - TRAIN - 1])
            row = {"step": i - TRAIN, "changed": evaluate[i - TRAIN - 1] if i > TRAIN else []}
            for n in ("estimates", "catalog"):
                cli("build", projects[n], "--push", "--rechunk", "--tag", tag(i, n[0]),
                    "--workdir", work / f"w-{n}")
                if i > TRAIN:
                    d = json.loads(cli("diff", f"{host}/bench/{n}:{tag(i - 1, n[0])}",
                                       f"{host}/bench/{n}:{tag(i, n[0])}", "--json",
                                       "--no-tls-verify"))
                    row[n] = d["download_bytes"]
            if i > TRAIN:
                rows.append(row)
                print(f"  step {row['step']}: {', '.join(row['changed']) or 'nothing'}: "
                      f"estimates {row['estimates']:,} B, catalog {row['catalog']:,} B",
                      flush=True)
    finally:
        registry.stop()
        server.stop()
    mean = {n: sum(r[n] for r in rows) / len(rows) for n in ("estimates", "catalog")}
    result = {"train": train, "evaluate": evaluate, "steps": rows,
              "mean_download_bytes": mean,
              "predicted_bytes_per_update": {n: p["expected_bytes_per_update"]
                                             for n, p in plans.items()},
              "layers": {n: [la["packages"] for la in p["layers"]] for n, p in plans.items()}}
    (ROOT / "benchmarks" / "results" / "catalog_history.json").write_text(
        json.dumps(result, indent=1) + "\n")
    print("\n| step | changed | plan from estimates | plan from the catalog |")
    print("|---:|---|---:|---:|")
    for r in rows:
        print(f"| {r['step']} | {', '.join(r['changed']) or '—'} | {r['estimates'] / 1e6:.2f} MB "
              f"| {r['catalog'] / 1e6:.2f} MB |")
    print(f"| mean | | **{mean['estimates'] / 1e6:.2f} MB** | **{mean['catalog'] / 1e6:.2f} MB** |")
    for n, p in plans.items():
        print(f"plan from {n}: layers {[la['packages'] for la in p['layers']]}, predicted "
              f"{p['expected_bytes_per_update'] / 1e6:.2f} MB per update (installed sizes; "
              "the measured bytes add the volatile and rpmdb layers)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".layerkit/bench-catalog-history")
         .resolve())
