"""Do two versions of layerkit print the same plans? (run by hand before calling a planner
change safe; tests/test_golden.py checks a few of these on every run)

    python3 -m benchmarks.plan_identity --before DIR [--full] [--datasets DIR]

Plans every shared catalog, and random sub-catalogs of them (dependencies kept within),
with both models, several layer counts and cadences, a layer overhead, and replans with
--previous; plus the example image with and without catalogs. Each tree runs all cases in
one process of its own (PYTHONPATH=tree, in the tree); the outputs, exit codes and error
messages are compared by digest. Exits 1 when any differs.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
CATALOGS = ("devtools", "kde-standard", "fcos-weekly")

# runs the cases given as JSON on stdin with the layerkit on sys.path; prints the digests
DRIVER = """
import contextlib, hashlib, io, json, sys
from pathlib import Path
from layerkit.cli import main

def run(argv):
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()

cases, prev = json.load(sys.stdin)
res = {}
for name, argv, replans in cases:
    code, out, err = run(argv)
    res[name] = [code, hashlib.sha256(out.encode()).hexdigest(), err]
    if replans and code == 0:
        Path(prev).write_text(out)
        for k in replans:
            again = argv[:]
            again[again.index("--max-layers") + 1] = str(k)
            code, out, err = run(again + ["--previous", prev, "--horizon", "10"])
            res[f"{name}:previous:{k}"] = [code, hashlib.sha256(out.encode()).hexdigest(), err]
json.dump(res, sys.stdout)
"""


def sub_catalogs(datasets: Path, into: Path) -> list[Path]:
    """Random subsets of each catalog (seeded): other graphs, sizes and histories."""
    out = []
    for name in CATALOGS:
        data = json.loads((datasets / f"{name}.json").read_text())
        for seed, share in ((0, 0.3), (1, 0.6), (2, 0.9)):
            rng = random.Random(seed)
            keep = {p["name"] for p in data["packages"] if rng.random() < share}
            packages = [dict(p, depends=[d for d in p.get("depends", []) if d in keep])
                        for p in data["packages"] if p["name"] in keep]
            path = into / f"{name}-{seed}.json"
            path.write_text(json.dumps(dict(data, packages=packages)))
            out.append(path)
    return out


def cases(catalogs: list[Path], full: bool) -> list[tuple[str, list[str], list[int]]]:
    layers = (1, 2, 3, 7, 16, 33, 64, 100) if full else (1, 3, 16, 64)
    cadences = ("7", "1", "30", "365", "0.5") if full else ("7", "1", "30")
    out = []
    for cat in catalogs:
        for model in ("independent", "containerfile"):
            for k in layers:
                for cadence in cadences:
                    argv = ["plan", "--catalog", str(cat), "--all", "--json", "--max-layers",
                            str(k), "--model", model, "--cadence", cadence]
                    replans = [12, 20] if (k, cadence) == (16, "7") else []
                    out.append((f"{cat.name}:{model}:{k}:{cadence}", argv, replans))
        out.append((f"{cat.name}:defaults", ["plan", "--catalog", str(cat), "--all", "--json"],
                    []))
        out.append((f"{cat.name}:table", ["plan", "--catalog", str(cat), "--all",
                                          "--max-layers", "8"], []))
        out.append((f"{cat.name}:overhead", ["plan", "--catalog", str(cat), "--all", "--json",
                                             "--model", "containerfile", "--layer-overhead",
                                             "5 MB", "--max-layers", "12"], []))
    for model in ("independent", "containerfile"):
        for k in ("1", "3", "10", "40"):
            for cat in [None, *catalogs[:len(CATALOGS)]]:
                argv = ["plan", "images/kinoite-desktop.toml", "--json", "--model", model,
                        "--max-layers", k] + (["--catalog", str(cat)] if cat else [])
                out.append((f"image:{model}:{k}:{cat.name if cat else '-'}", argv, []))
    out.append(("image:table", ["plan", "images/kinoite-desktop.toml"], []))
    return out


def run_tree(tree: Path, todo: list, prev: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps([todo, str(prev)]),
                          cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="a checkout to compare with")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--full", action="store_true", help="more layer counts and cadences")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalogs = [args.datasets / f"{n}.json" for n in CATALOGS]
        catalogs += sub_catalogs(args.datasets, Path(tmp))
        todo = cases(catalogs, args.full)
        before = run_tree(args.before.resolve(), todo, Path(tmp) / "previous.json")
        after = run_tree(ROOT, todo, Path(tmp) / "previous.json")
    differ = sorted(n for n in before if before[n] != after.get(n))
    ok = sum(1 for n in before if before[n][0] == 0)
    print(f"{len(before)} cases compared ({ok} plans made, {len(before) - ok} inputs refused), "
          f"{len(differ)} differ")
    for name in differ:
        print(f"  {name}: {before[name][:2]} -> {after.get(name, [None, None])[:2]}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
