"""Reading TOML tables with every problem reported, each naming file and key."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problems
from . import patterns
from .files import MAX_DOTS, TOML_LIMIT, read_text, too_deep
from .sizes import parse_size

_MISSING = object()


def load_toml(path: Path, label: str, problems: Problems) -> dict[str, Any] | None:
    text = read_text(path, label, problems, TOML_LIMIT)
    if text is None:
        return None
    if too_deep(text):
        problems.add(label, f"invalid TOML: keys nested deeper than {MAX_DOTS} levels")
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib's message says "(at line N, column M)" except at the very end
        msg = str(e).replace("(at end of document)",
                             f"(at end of document, line {text.count(chr(10)) + 1})")
        problems.add(label, f"invalid TOML: {msg}")
        return None
    except RecursionError:
        problems.add(label, "invalid TOML: nested too deeply")
        return None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        problems.add(label, f"invalid TOML: {str(e).splitlines()[0][:200]}")
        return None


class Table:
    """A TOML table plus where it came from, for messages like `file: key[2].dest: ...`."""

    def __init__(self, data: dict[str, Any], label: str, prefix: str, problems: Problems):
        self.data, self.label, self.prefix, self.problems = data, label, prefix, problems
        self.before = len(problems.items)

    @classmethod
    def load(cls, path: Path, problems: Problems, label: str | None,
             keys: set[str]) -> Table | None:
        """A file's top-level table, its unknown keys reported; None when unreadable."""
        label = label or str(path)
        data = load_toml(path, label, problems)
        if data is None:
            return None
        t = cls(data, label, "", problems)
        t.check_keys(keys)
        return t

    @property
    def failed(self) -> bool:
        """Whether a problem was reported since this table was read."""
        return len(self.problems.items) > self.before

    def where(self, key: str) -> str:
        return f"{self.label}: {self.prefix}{key}"

    def error(self, key: str, message: str) -> None:
        self.problems.items.append(f"{self.where(key)}: {message}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in sorted(set(self.data) - allowed):
            self.error(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = _MISSING,
            what: str | None = None) -> Any:
        if key not in self.data:
            if default is _MISSING:
                self.error(key, "required key is missing")
                return None
            return default
        value = self.data[key]
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 2**53:
                self.error(key, "number out of range")
                return None if default is _MISSING else default
            return float(value)
        if kind is float and ok and not math.isfinite(value):
            self.error(key, f"expected a finite number, got {value}")
            return None if default is _MISSING else default
        if not ok:
            self.error(key, f"expected {what or _type_name(kind)}, got {_type_name(type(value))}")
            return None if default is _MISSING else default
        return value

    def text(self, key: str, default: Any = _MISSING, multiline: bool = False) -> str | None:
        """A string without control characters (newlines and tabs only if multiline)."""
        value = self.get(key, str, default)
        if isinstance(value, str) and not patterns.clean_text(value, multiline):
            self.error(key, "must not contain control characters" if multiline
                       else "must be one line without control characters")
            return None
        return value

    def number(self, key: str, default: float, low: float, high: float,
               low_open: bool = False) -> float | None:
        """A finite number within [low, high] ((low, high] with low_open)."""
        value = self.get(key, float, default)
        if value is None:
            return None
        if value < low or value > high or (low_open and value == low):
            self.error(key, f"must be {'above' if low_open else 'at least'} {low:g} and at "
                            f"most {high:g}, got {value:g}")
            return None
        return value

    def size(self, key: str, default: int | None) -> int | None:
        """Bytes from an integer or a string like "35 MB"."""
        if key not in self.data:
            return default
        try:
            return parse_size(self.data[key])
        except ValueError as e:
            self.error(key, str(e))
            return default

    def enum(self, key: str, kind, default):
        """A StrEnum member from a string value; None (and a problem) when not one."""
        raw = self.get(key, str, default.value)
        try:
            return kind(raw)
        except ValueError:
            self.error(key, f"{raw!r} is not one of {', '.join(e.value for e in kind)}")
            return None

    def str_list(self, key: str, pattern: re.Pattern | None = None,
                 what: str = "") -> list[str]:
        """A list of one-line strings; with a pattern, each must match it whole (`what`
        names it in the message). Every problem names its item, counted from 1."""
        value = self.get(key, list, [], what="a list of strings")
        out: list[str] = []
        for i, item in enumerate(value or []):
            where = f"{key}[{i + 1}]"
            if not isinstance(item, str):
                self.error(where, f"expected a string, got {_type_name(type(item))}")
            elif not patterns.clean_text(item):
                self.error(where, "must be one line without control characters")
            elif pattern is not None and not pattern.fullmatch(item):
                self.error(where, f"{item!r} is not {what}")
            else:
                out.append(item)
        return out

    def tables(self, key: str) -> list[Table]:
        value = self.get(key, list, [], what="an array of tables ([[key]])")
        out = []
        for i, item in enumerate(value or []):
            if isinstance(item, dict):
                out.append(Table(item, self.label, f"{self.prefix}{key}[{i + 1}].", self.problems))
            else:
                self.error(f"{key}[{i + 1}]", f"expected a table, got {_type_name(type(item))}")
        return out

    def table(self, key: str) -> Table | None:
        value = self.get(key, dict, None, what="a table")
        if value is None:
            return None
        return Table(value, self.label, f"{self.prefix}{key}.", self.problems)


def _type_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(_type_name(k) for k in kind)
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
            list: "a list", dict: "a table"}.get(kind, kind.__name__)
