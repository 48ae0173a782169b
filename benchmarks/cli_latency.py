"""How long the command line takes, as a user runs it (run by hand; docs/latency.md).

    python3 -m benchmarks.cli_latency [--runs 7] [--before DIR] [--datasets DIR]

Every case is a fresh `python3 -m layerkit` process: interpreter start, imports and the
work. Prints medians of --runs runs of each: wall time, and the CPU time (user + system)
the process used, which a busy machine inflates less. With --before DIR (older code,
e.g. `git worktree add /tmp/lk-before 43dfb67`) the same cases run against it too,
alternating run by run with this tree so both see the same load, and each case's output
is compared: it must not change. Writes benchmarks/results/cli_latency.json.

Both trees' modules are byte-compiled first (as `pip install` does), so no run pays for
compiling layerkit's sources; --source measures without that (then no __pycache__ may
exist in the trees: this machine sets PYTHONDONTWRITEBYTECODE). The `python` and
`import-*` cases are the floor: the interpreter alone, and the libraries alone.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from layerkit.oci.layout import LAYER_GZIP, Layout

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
CATALOGS = ("devtools", "kde-standard", "fcos-weekly")
TARGETS = {"help": 0.15, "bad-input": 0.25, "plan-all-kde-standard": 0.6}  # seconds


def write_layouts(tmp: Path) -> tuple[str, str]:
    """Two small images sharing a base layer: OLD, and NEW with its top layer changed."""
    refs = []
    for name, top in (("old", b"top layer, first build\n"), ("new", b"top layer, rebuilt\n")):
        lay = Layout(tmp / name)
        lay.init()
        layers = [lay.put(b"base layer\n" * 1000, LAYER_GZIP), lay.put(top * 100, LAYER_GZIP)]
        config = {"architecture": "amd64", "os": "linux", "config": {"Labels": {}},
                  "rootfs": {"type": "layers", "diff_ids": []}}
        lay.write_image(config, layers, "v1")
        refs.append(f"oci:{tmp / name}:v1")
    return refs[0], refs[1]


# the floor: an interpreter that runs nothing, and one that imports a library
FLOOR = {"python": ["-c", "pass"], "import-click": ["-c", "import click"],
         "import-numpy": ["-c", "import numpy"],
         "import-rich-console": ["-c", "import rich.console"]}


def cases(datasets: Path, old: str, new: str) -> dict[str, list[str]]:
    out = {
        "help": ["--help"],
        "bad-input": ["plan", "images/missing.toml"],
        "plan-example": ["plan", "images/kinoite-desktop.toml"],
        "plan-example-json": ["plan", "images/kinoite-desktop.toml", "--json"],
    }
    for name in CATALOGS:
        out[f"plan-all-{name}"] = ["plan", "--catalog", str(datasets / f"{name}.json"), "--all",
                                   "--max-layers", "64", "--model", "independent", "--json"]
    out["diff-layouts"] = ["diff", old, new]
    out["diff-layouts-json"] = ["diff", old, new, "--json"]
    return out


def run_once(tree: Path, argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, exit code and a digest of the output of one process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [*argv] if argv[0] == "-c" else ["-m", "layerkit", *argv]
    proc = subprocess.run([sys.executable, *command], cwd=tree, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    digest = hashlib.sha256(proc.stdout + b"\0" + proc.stderr).hexdigest()
    return wall, cpu, proc.returncode, digest


def summary(samples: list[tuple[float, float, int, str]]) -> dict:
    walls = [s[0] for s in samples]
    return {"wall_median_s": round(statistics.median(walls), 3),
            "cpu_median_s": round(statistics.median(s[1] for s in samples), 3),
            "wall_s": [round(w, 3) for w in walls], "exit_code": samples[-1][2],
            "output_sha256": samples[-1][3]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    ap.add_argument("--datasets", type=Path, default=DATASETS)
    ap.add_argument("--source", action="store_true",
                    help="do not byte-compile the trees first")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/cli_latency.json")
    args = ap.parse_args()
    trees = {"after": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    for tree in trees.values():
        if args.source:
            if any((tree / "layerkit").rglob("__pycache__")):
                sys.exit(f"--source: {tree}/layerkit holds __pycache__ directories")
        else:
            compileall.compile_dir(tree / "layerkit", quiet=1)
    results: dict = {"runs": args.runs, "cpus": os.cpu_count(), "bytecode": not args.source,
                     "load_average_start": [round(x, 2) for x in os.getloadavg()],
                     "trees": {k: str(v) for k, v in trees.items()}, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        old, new = write_layouts(Path(tmp))
        todo = FLOOR | cases(args.datasets, old, new)
        for name, argv in todo.items():
            samples: dict[str, list] = {k: [] for k in trees}
            for _ in range(args.runs):
                for label, tree in trees.items():  # alternate: both see the same load
                    samples[label].append(run_once(tree, argv))
            row = {"argv": [a.replace(tmp, "$TMP") for a in argv]}
            row |= {label: summary(s) for label, s in samples.items()}
            if "before" in row:
                row["same_output"] = row["before"]["output_sha256"] == \
                    row["after"]["output_sha256"]
            results["cases"][name] = row
            print(f"{name:24s} " + "  ".join(f"{label} {cell(row[label])}" for label in trees),
                  flush=True)
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))


def cell(summary: dict) -> str:
    return f"{summary['wall_median_s']:.2f} s ({summary['cpu_median_s']:.2f} s)"


def markdown(results: dict) -> str:
    """The results as the table in docs/latency.md."""
    before = "before" in results["trees"]
    head = "| case | " + ("before wall (cpu) | " if before else "") + "after wall (cpu) | target |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, row in results["cases"].items():
        cells = [f"`{name}`"]
        for label in (("before",) if before else ()) + ("after",):
            cells.append(cell(row[label]))
        cells.append(f"≤ {TARGETS[name]} s" if name in TARGETS else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
