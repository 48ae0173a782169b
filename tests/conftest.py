from __future__ import annotations

import contextlib
import io
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from layerkit.cli import main

pytest_plugins = ["world_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __iter__(self):  # code, out, err = run_cli(...)
        return iter((self.code, self.out, self.err))


def run_cli(*argv: str) -> Result:
    """The command line in this process, its output captured (usable from fixtures of
    any scope, unlike capsys)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            pytest.raises(SystemExit) as e:
        main([str(a) for a in argv])
    return Result(int(e.value.code or 0), out.getvalue(), err.getvalue())


def refused(*argv, expect: tuple[str, ...] = (), code: int | tuple[int, ...] = 2,
            one_line: bool = False) -> list[str]:
    """Run a command that must fail cleanly: exit `code` (or one of them), only `error:`
    lines (exactly one with one_line), no traceback or control character, each text of
    `expect` in some line. Returns the lines."""
    result = run_cli(*argv)
    assert result.code in ((code,) if isinstance(code, int) else code), (result.out,
                                                                         result.err)
    lines = result.err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.err
    assert len(lines) == 1 or not one_line, result.err
    assert "Traceback" not in result.err
    assert not any(c in result.err for c in "\x1b\r\x00")
    for text in expect:
        assert any(text in line for line in lines), (text, result.err)
    return lines


class Tree:
    """A throw-away project: images/ and recipes/ under tmp_path."""

    def __init__(self, root: Path):
        self.root = root
        (root / "recipes").mkdir()
        (root / "images").mkdir()

    def recipe(self, name: str, text: str) -> Path:
        p = self.root / "recipes" / f"{name}.toml"
        p.write_text(textwrap.dedent(text))
        return p

    def file(self, rel: str, text: str = "x\n") -> Path:
        p = self.root / "recipes" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def image(self, text: str = "", name: str = "test") -> Path:
        p = self.root / "images" / f"{name}.toml"
        p.write_text('base = "localhost/standin:latest"\nlayer_overhead = "1 MB"\n'
                     + textwrap.dedent(text))
        return p


@pytest.fixture
def tree(tmp_path) -> Tree:
    return Tree(tmp_path)


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the shipped example (images/ and recipes/)."""
    for sub in ("images", "recipes"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path
