"""What a check reports (a Finding), and the control characters no output may hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # \t and \n allowed
CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Finding:
    cls: str  # the defect class
    detail: str  # stable across cases: part of the signature
    excerpt: str = ""  # this occurrence


def show(text: str) -> str:
    """For a terminal: control characters (but newlines) escaped."""
    return CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
