"""`layerkit report` speed and size on a long history (run by hand).

    python3 -m benchmarks.report

Renders the example image's plan with a synthetic history of 200 releases of a 60-layer
image (median of 5), prints render time and file size (targets: < 2 s, < 2 MB), writes
benchmarks/results/report.json and a screenshot of a shorter report to docs/report.png
(Chromium headless).
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from layerkit.cli import main
from layerkit.report import html
from layerkit.tools.run import run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from report_data import synthetic_history  # noqa: E402 - the tests' generator


def main_() -> None:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):
        main(["plan", str(ROOT / "images/kinoite-desktop.toml"), "--json"])
    plan = json.loads(buf.getvalue())
    history, steps = synthetic_history(200, 60)
    times, page = [], ""
    for _ in range(5):
        start = time.perf_counter()
        page = html.render("layerkit report", plan=plan, history=history, steps=steps)
        times.append(time.perf_counter() - start)
    row = {"releases": 200, "layers": 60, "render_s": round(statistics.median(times), 4),
           "bytes": len(page.encode())}
    print(f"200 releases x 60 layers: {row['render_s']:.3f} s, {row['bytes']} bytes "
          "(targets < 2 s, < 2 MB)")
    (ROOT / "benchmarks/results/report.json").write_text(json.dumps(row) + "\n")
    short, short_steps = synthetic_history(40, 30)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        path.write_text(html.render("layerkit report: kinoite-desktop (synthetic history)",
                                    plan=plan, history=short, steps=short_steps))
        run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             f"--user-data-dir={tmp}/profile", "--window-size=1100,1500",
             f"--screenshot={ROOT / 'docs/report.png'}", path.as_uri()])
    print(f"wrote {ROOT / 'docs/report.png'}")


if __name__ == "__main__":
    main_()
