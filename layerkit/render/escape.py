"""One quoting function per target syntax. Values are validated when read (no control
characters, strict patterns); these functions quote what remains special in each target,
and refuse a control character outright rather than write it (defence in depth)."""

from __future__ import annotations

import json
import shlex

from ..config.patterns import clean_text


def _plain(value: str) -> str:
    if not clean_text(value):
        raise ValueError(f"control character in {value!r}: refused by validation first")
    return value


def shell(word: str) -> str:
    """One POSIX shell word."""
    return shlex.quote(_plain(word))


def shell_line(words: list[str]) -> str:
    return " ".join(shell(w) for w in words)


def systemd_arg(arg: str) -> str:
    """One ExecStart= argument, taken literally: quoted, with systemd's C escapes for
    backslash and quote, `%%` for specifiers and `$$` for variables."""
    escaped = (_plain(arg).replace("\\", "\\\\").replace('"', '\\"')
               .replace("%", "%%").replace("$", "$$"))
    return f'"{escaped}"'


def systemd_text(text: str) -> str:
    """A free-text setting (Description=): specifiers escaped; a trailing backslash
    would join the next line, so it is refused."""
    if _plain(text).endswith("\\"):
        raise ValueError("a trailing backslash continues the line in a unit file")
    return text.replace("%", "%%")


def sysusers_field(text: str) -> str:
    """A sysusers.d field (GECOS): quoted, specifiers escaped; `"`, `\\` and `:` are
    refused at validation (a GECOS field cannot hold `:`)."""
    if any(c in _plain(text) for c in '"\\:'):
        raise ValueError(f"{text!r} cannot be a sysusers.d field")
    return '"' + text.replace("%", "%%") + '"'


def containerfile_value(value: str) -> str:
    """A LABEL value: a JSON string, with `$` escaped from buildah's variable expansion."""
    return json.dumps(_plain(value)).replace("$", "\\$")
