"""Reading input files safely: only regular files, bounded in size, decoded as UTF-8,
every failure a problem naming the file (never an exception, a hang or a huge read)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from ..errors import Problems

TOML_LIMIT = 1 << 20  # recipes and image files: a real one is a few kB
JSON_LIMIT = 256 << 20  # catalogs of whole distributions, plans
MAX_DOTS = 64  # dotted keys deeper than this are not configuration (and parse slowly)


def read_text(path: Path, label: str, problems: Problems, limit: int) -> str | None:
    try:
        st = os.stat(path)  # follows links: what matters is what would be read
    except (OSError, ValueError) as e:
        problems.add(label, f"cannot read: {_reason(e)}")
        return None
    if not stat.S_ISREG(st.st_mode):
        problems.add(label, "not a regular file")
        return None
    if st.st_size > limit:
        problems.add(label, f"{st.st_size} bytes: larger than the {limit} bytes allowed")
        return None
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as e:
        problems.add(label, f"cannot read: {_reason(e)}")
        return None
    if len(raw) > limit:
        problems.add(label, f"larger than the {limit} bytes allowed")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.add(label, "not UTF-8 text")
        return None


def kind(path: Path) -> str:
    """"file", "dir", "missing", "other", or why it cannot be looked at (a link loop,
    a name too long)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as e:
        return f"cannot be read: {_reason(e)}"
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def resolved(path: Path) -> Path | None:
    """The real path, or None when it cannot be resolved (a link loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def read_json(path: Path, label: str, problems: Problems) -> object | None:
    """Strict JSON (no NaN or Infinity), nesting bounded by the parser's recursion. None
    is also what a file of `null` holds: callers tell failure by the problems added."""
    text = read_text(path, label, problems, JSON_LIMIT)
    if text is None:
        return None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        problems.add(label, f"invalid JSON: {_reason(e)}")
        return None


STRINGS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
DEEP_KEY = re.compile(rf"(?:[A-Za-z0-9_-]+[ \t]*\.[ \t]*){{{MAX_DOTS + 1}}}")


def too_deep(text: str) -> bool:
    """A dotted key deeper than MAX_DOTS anywhere (a header, a key, an inline table):
    tomllib takes quadratic time on them. Quoted strings do not count."""
    return any(DEEP_KEY.search(STRINGS.sub('""', line)) for line in text.splitlines())


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _reason(e: BaseException) -> str:
    if isinstance(e, RecursionError):
        return "nested too deeply"
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e).splitlines()[0] if str(e) else type(e).__name__
