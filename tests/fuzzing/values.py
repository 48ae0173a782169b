"""The fuzzer's raw material: hostile strings, wrong types, extreme numbers, hostile file
names and paths, and the text a project must never let into its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

HOSTILE: tuple[str, ...] = (
    "a\nb", "vim\n", "\nerror: forged line", "a\rb", "a\r\n", "a\x00b", "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07", "$(touch PWNED)", "`touch PWNED`", "a;touch PWNED", "a && touch PWNED",
    "a|touch PWNED", "x\ntouch PWNED", "'", '"', "\\", "x\\", "a\\nb", "a\\", "%H", "100%",
    "%%", "%", "$HOME", "${IFS}", "$$", "é", "日本語", "\u2028", "\u2029", "\x85", "\ufeff",
    "\U0001f600", "\u202eevil", "a\tb", "\t", " ", "", "-rf", "--help", "a b", "../../etc/passwd",
    "/dev/zero", "*", "#", "# x", "{{ x }}", "${{ secrets.X }}", "<<EOF", "\x7f", "\x0b", "\x0c",
    "\x1c", "\\\"", "a'b\"c", "a" * 5000, "é" * 2000, "x:y", "a=b", "[x]", "/usr/bin/true\\",
)
LONG_HOSTILE: tuple[str, ...] = (">" * 70_000, "$(" * 30_000, "x" * 300_000)
WRONG_TYPES: tuple[Any, ...] = (1, 1.5, True, False, [], {}, ["x"], {"a": 1}, [1], [[]], [{}],
                                date(2024, 1, 1), "string", [None], {"": ""})


@dataclass(frozen=True)
class Raw:
    """Text written into a TOML or JSON document as it is (deep nesting, NaN, huge ints)."""

    text: str


NUMBERS: tuple[Any, ...] = (
    0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 10**30, float("nan"), float("inf"),
    float("-inf"), -0.0, 1e308, 5e-324, 0.5, Raw("9" * 5000), Raw("1e400"), Raw("-nan"),
    Raw("0x7fffffffffffffff"), Raw("0o777"), Raw("1_000"), 3650, 3651, 127, 128, 999, 1000)
OPTION_VALUES: tuple[str, ...] = (
    "nan", "NaN", "inf", "-inf", "+inf", "infinity", "1e309", "-1", "0", "1e-320", "7", "3650",
    "3650.0000001", "", " 7", "7\n", "0x10", "1_000", "७", "99999999999999999999999999", "1",
    "127", "128", "26", "1 MB", "-1 MB", "1e400 TB", "$(touch PWNED)", "\x1b[31m", "abc")

BREAKS = ("\n", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\x00", "\x1b")
PATHS = ("../../outside.toml", "../outside.toml", "/etc/hostname", "a/../../outside.toml",
         "/proc/self/environ", ".", "..", "/")
OUTSIDE = b'description = "OUTSIDE the project"\n'  # must never be copied into a context
FILE_NAMES = ("x$(touch PWNED)", "a b", "a\nb", "A", ".hidden", "-rf", "x" * 240, "é", "a;b",
              "a.b", "`id`", "%H", "a\x1b[31m", "a\rb", "--help")
