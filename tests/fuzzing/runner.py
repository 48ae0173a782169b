"""The fuzzer's command line: run N cases of a seed in a pool and write the report, or
write one case again (--replay SEED:INDEX) and rerun it."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from .cases import make_case
from .finding import show
from .pool import Pool
from .report import Report


def replay(case_id: str, where: Path, shellcheck: bool, timeout: float) -> int:
    """Write case `case_id` into `where`, print its commands, then run it (in a worker,
    so a hang is reported as one) and print what it found."""
    seed, index = case_id.rsplit(":", 1)
    case = make_case(seed, int(index))
    where.mkdir(parents=True, exist_ok=False)
    case.write(where)
    print(f"case {case_id} in {where}: {show('; '.join(case.mutations)) or 'no mutation'}")
    for argv in case.commands:
        print(f"  layerkit {show(shlex.join(argv))}")
    with tempfile.TemporaryDirectory(prefix="layerkit-replay.") as base:
        pool = Pool(1, seed, Path(base), shellcheck)
        try:
            findings = [f for _, r in pool.run([int(index)], timeout) for f in r["findings"]]
        finally:
            pool.close()
    for f in findings:
        print(show(f"{f['cls']}: {f['detail']}\n  layerkit {shlex.join(f['argv'])}\n  "
                    f"{f['excerpt'][:600]}"))
    return 1 if findings else 0


def main_fuzz(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fuzz layerkit's commands with generated, "
                                 "mutated projects; check the promise on every result.")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per case (a case "
                    "takes well under 2 s; longer is a hang)")
    ap.add_argument("--report", type=Path, help="write the JSON report here")
    ap.add_argument("--no-shellcheck", action="store_true")
    ap.add_argument("--workdir", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None,
                    help="where cases are written (default: /dev/shm, a tmpfs, when writable)")
    ap.add_argument("--replay", metavar="SEED:INDEX", help="write and rerun one case")
    ap.add_argument("--dir", type=Path, help="where --replay writes the case")
    args = ap.parse_args(argv)
    if args.replay:
        where = args.dir or Path(tempfile.mkdtemp(prefix="layerkit-case.")) / "case"
        return replay(args.replay, where, not args.no_shellcheck, args.timeout)
    report, start, last = Report(args.seed), time.monotonic(), 0.0
    with tempfile.TemporaryDirectory(prefix="layerkit-fuzz.", dir=args.workdir) as base:
        pool = Pool(args.jobs, args.seed, Path(base), not args.no_shellcheck)
        try:
            for index, result in pool.run(list(range(args.runs)), args.timeout):
                report.add(index, result)
                if time.monotonic() - last > 10:
                    last = time.monotonic()
                    print(f"{report.runs}/{args.runs} runs, {len(report.defects)} defect "
                          f"signatures", file=sys.stderr)
        finally:
            pool.close()
    data = report.to_json(time.monotonic() - start, args.jobs)
    if args.report:
        args.report.write_text(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    print(f"{data['runs']} runs in {data['elapsed_s']} s ({data['runs_per_s']}/s), "
          f"{data['signatures']} defect signatures")
    for cls, count in sorted(data["defect_classes"].items()):
        print(f"  {cls}: {count} occurrences")
    return 1 if data["defects"] else 0
