"""The run's report: outcome counts per command and per case, and each defect once per
signature (class: detail) with the smallest case that showed it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from .cases import make_case
from .checks import command_name


class Report:
    """Outcome counts, and each defect once per signature with its smallest reproducer."""

    def __init__(self, seed: str):
        self.seed, self.runs = seed, 0
        self.by_command: dict[str, dict[str, int]] = {}
        self.cases: dict[str, int] = {}
        self.defects: dict[str, dict[str, Any]] = {}

    def add(self, index: int, result: dict[str, Any]) -> None:
        self.runs += 1
        codes = set(result["outcomes"].values())
        for name, outcome in result["outcomes"].items():
            counts = self.by_command.setdefault(name, {})
            counts[outcome] = counts.get(outcome, 0) + 1
        kind = "with-defects" if result["findings"] else "all-accepted" if codes == {"0"} \
            else "all-rejected" if "0" not in codes else "mixed"
        kind += "" if result["mutated"] or kind != "all-rejected" else " (unmutated)"
        self.cases[kind] = self.cases.get(kind, 0) + 1
        for f in result["findings"]:
            signature = f"{f['cls']}: {f['detail']}".rstrip(": ")
            size = make_case(self.seed, index).size
            d = self.defects.setdefault(signature, {"class": f["cls"], "signature": signature,
                                                    "count": 0, "commands": [],
                                                    "size": size + 1})
            d["count"] += 1
            name = command_name(f["argv"]) if f["argv"] != ["?"] else "?"
            d["commands"] = sorted({*d["commands"], name})
            if size < d["size"]:
                d.update(size=size, case=f"{self.seed}:{index}", argv=f["argv"],
                         excerpt=f["excerpt"])

    def to_json(self, elapsed: float, jobs: int) -> dict[str, Any]:
        defects = []
        for d in sorted(self.defects.values(), key=lambda d: (d["class"], d["signature"])):
            seed, index = d["case"].rsplit(":", 1)
            case = make_case(seed, int(index))
            defects.append({**{k: v for k, v in d.items() if k != "size"},
                            "replay": f"python3 tests/fuzz.py --replay {d['case']} --dir DIR",
                            "mutations": case.mutations, "files": case.describe()})
        classes: dict[str, int] = {}
        for d in defects:
            classes[d["class"]] = classes.get(d["class"], 0) + d["count"]
        return {"runs": self.runs, "seed": self.seed, "jobs": jobs,
                "elapsed_s": round(elapsed, 1), "runs_per_s": round(self.runs / elapsed, 1),
                "code": _git_state(), "cases": self.cases, "outcomes": self.by_command,
                "defect_classes": classes, "signatures": len(defects), "defects": defects}


def _git_state() -> str:
    repo = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "layerkit"],
                               capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return "unknown"
    if not head:
        return f"not a git checkout: {repo}"
    return f"{head}{f' + {len(dirty)} changed files under layerkit/' if dirty else ''}"
