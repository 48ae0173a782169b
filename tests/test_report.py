"""`layerkit report`: a self-contained page whose numbers are the JSON documents', escaped,
deterministic, and rendered by a real browser without console errors."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from report_data import Page, synthetic_history

from conftest import ROOT, run_cli
from layerkit.report import html
from layerkit.tools.run import run


def plan_json(monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    return json.loads(run_cli("plan", "images/kinoite-desktop.toml", "--json").out)


def test_every_release_with_its_numbers(monkeypatch):
    history, steps = synthetic_history(30, 20)
    page = Page(html.render("t", plan=plan_json(monkeypatch), history=history, steps=steps))
    assert page.sections == ["plan", "history"]
    text = "".join(page.text)
    assert all(r["tags"][0] in text for r in history["releases"])
    for s in history["steps"]:
        assert s["download_bytes"] in page.values
    assert page.external == []  # self-contained: nothing fetched when viewed


def test_names_from_images_are_escaped_and_output_is_deterministic(monkeypatch):
    history, steps = synthetic_history(3, 4)
    steps[0] = [{"size": 5, "recipes": ['<script>alert("x")</script>'], "packages": [],
                 "kind": "packages"}]
    history["repository"] = "a&b<i>"
    first = html.render("t", history=history, steps=steps)
    assert "<script>" not in first and "&lt;script&gt;" in first and "a&amp;b&lt;i&gt;" in first
    assert first == html.render("t", history=history, steps=steps)


def test_report_command_writes_the_page_and_the_charts(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_cli("report", "images/kinoite-desktop.toml", "-o", tmp_path / "r.html",
                     "--svg", tmp_path / "svg")
    assert result.code == 0, result.err
    assert Page((tmp_path / "r.html").read_text()).sections == ["plan"]
    assert (tmp_path / "svg/plan.svg").read_text().startswith("<svg ")


def chromium(page: Path, *flags: str, profile: Path) -> tuple[str, str]:
    assert shutil.which("chromium"), "chromium comes from Debian's packages (.ci/run)"
    proc = run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--enable-logging=stderr", "--v=0", *flags, page.as_uri()], check=False)
    return proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def test_a_browser_renders_it_without_console_errors(tmp_path, monkeypatch):
    history, steps = synthetic_history(60, 40)
    page = tmp_path / "report.html"
    page.write_text(html.render("layerkit report", plan=plan_json(monkeypatch),
                                history=history, steps=steps))
    # the check itself: a page with an error is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefined_fn()</script></body></html>")
    assert "CONSOLE" in chromium(bad, "--dump-dom", profile=tmp_path / "p0")[1]
    dom, log = chromium(page, "--dump-dom", profile=tmp_path / "p1")
    assert "CONSOLE" not in log and 'id="history"' in dom
    artifacts = Path(os.environ.get("LAYERKIT_ARTIFACTS", ROOT / ".layerkit/artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    chromium(page, f"--screenshot={shot}", "--window-size=1100,1600",
             profile=tmp_path / "p2")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
