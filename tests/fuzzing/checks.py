"""The promise checked on one command's result: exit 0 or 2 (lint 0–2, diff 1–2), no
traceback, every stderr line `error: <file or option>: ...` naming a key that holds the
value it quotes, no control character in stdout or stderr, strict JSON with finite
numbers, a treefile inside the image folder."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path
from typing import Any

from .finding import CONTROL, CONTROL_LINE, Finding


def command_name(argv: list[str]) -> str:
    name = " ".join(argv[:2]) if argv[0] == "ci" else argv[0]
    extra = [flag for flag in ("--all", "--previous") if flag in argv]
    if argv[0] == "plan" and "--json" not in argv:
        extra.append("(table)")
    return " ".join([name, *extra])


def _crash_site(tb: str) -> str:
    frames = re.findall(r'File "[^"]*?(layerkit/[^"]+)", line \d+, in (\S+)', tb)
    last = tb.strip().splitlines()[-1].split(":")[0] if tb.strip() else "?"
    return f"{last} in {frames[-1][0]}:{frames[-1][1]}" if frames else last


def check_result(argv: list[str], code: int | None, out: str, err: str, exc: str | None
                 ) -> list[Finding]:
    name = command_name(argv)
    if exc is not None:
        return [Finding("crash", _crash_site(exc), exc[-1500:])]
    found = []
    allowed = {"diff": {1, 2}, "lint": {0, 1, 2}}.get(name, {0, 2})
    if code not in allowed:
        found.append(Finding("exit-code", f"exit {code}", err[-500:]))
    if "Traceback" in err:
        found.append(Finding("traceback-in-stderr", "", err[-800:]))
    if CONTROL_LINE.search(err.replace("\n", "")):
        found.append(Finding("control-char-in-stderr", "", repr(err[:400])))
    if CONTROL.search(out):
        found.append(Finding("control-char-in-stdout", "", repr(out[:400])))
    lines = err.splitlines()
    if code:
        if not lines:
            found.append(Finding("stderr-format", f"exit {code} says nothing"))
        for line in lines:
            if line.startswith("error: forged") or "\nerror: forged" in out:
                found.append(Finding("forged-line", "", line[:300]))
            if not line.startswith("error: "):
                found.append(Finding("stderr-format", "a line without 'error: '",
                                     line[:300]))
            elif not _names_a_file(line, argv):
                shape = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\d+", "…", line)[:120]
                found.append(Finding("error-names-no-file", shape, line[:300]))
    if code == 0 and "--json" in argv:
        try:
            json.loads(out, parse_constant=_no_constant, parse_float=_finite)
        except ValueError as e:
            found.append(Finding("json-output", str(e)[:60], out[:300]))
    return found


def _names_a_file(line: str, argv: list[str]) -> bool:
    """`error: <file or option>: ...`: a path, an option, or a path given on the command
    line."""
    head = line.removeprefix("error: ").split(": ", 1)[0]
    return bool(re.search(r"[/.]|--|^Invalid value for '", head)) or head in argv


ERROR_KEY = re.compile(r"error: (?P<file>[^:]+\.(?:toml|json)): (?P<key>[A-Za-z_][\w-]*"
                       r"(?:\[\d+\]|\.[A-Za-z_][\w-]*)*): (?P<rest>.*)")
PY_STR = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def check_error_keys(root: Path, lines: list[str], docs: dict[str, Any]) -> list[Finding]:
    """An error naming `file: key[i]: 'value' ...` names the key that holds that value.
    docs: the files read so far (None: unreadable)."""
    found = []
    for line in lines:
        m = ERROR_KEY.fullmatch(line)
        if m and m["file"] not in docs:
            docs[m["file"]] = _document(root / m["file"])
        if not m or (value := docs[m["file"]]) is None:
            continue
        try:
            for part in re.findall(r"[A-Za-z_][\w-]*|\[\d+\]", m["key"]):
                value = value[int(part[1:-1]) - 1] if part.startswith("[") else value[part]
        except IndexError:
            found.append(Finding("error-names-wrong-key", "an index past the list's end", line))
            continue
        except (KeyError, TypeError):
            continue
        quoted = PY_STR.match(m["rest"])
        try:
            said = ast.literal_eval(quoted.group()) if quoted else None
        except (ValueError, SyntaxError):
            said = None
        if isinstance(said, str) and isinstance(value, str) and said not in value:
            found.append(Finding("error-names-wrong-key", "the value is not at that key",
                                 f"{line[:200]} (that key holds {value!r:.60})"))
    return found


def _document(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > 1 << 20:
            return None
        text = path.read_text()
        return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, OSError, RecursionError):
        return None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} in JSON output")


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is not finite")
    return value


def check_treefile_inside(image: Path) -> list[Finding]:
    try:
        tree = tomllib.loads(image.read_text())["base_source"]["treefile"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    inside = (image.parent / tree).resolve().is_relative_to(image.parent.resolve())
    return [] if inside else [Finding("path-outside-folder", "base_source.treefile", tree)]
