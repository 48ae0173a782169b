"""Documents written as TOML or JSON text, with Raw fragments (NaN, huge numbers, deep
nesting) spliced in as they are."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from typing import Any

from .values import Raw

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_str(s: str) -> str:
    out = []
    for c in s:
        o = ord(c)
        if c in '"\\':
            out.append("\\" + c)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04x}")
        else:
            out.append("?" if 0xD800 <= o <= 0xDFFF else c)
    return '"' + "".join(out) + '"'


def toml_key(k: object) -> str:
    k = str(k)
    return k if _BARE.fullmatch(k) else toml_str(k)


def toml_value(v: Any) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v > 0 else "-inf") if v in (
            float("inf"), float("-inf")) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    return toml_str(str(v))


def to_toml(doc: dict, rng: random.Random) -> str:
    """Scalars first, then some tables as [sections] and [[arrays of tables]]."""
    head: list[str] = []
    tail: list[str] = []
    for k, v in doc.items():
        body = lambda t: [f"{toml_key(a)} = {toml_value(b)}" for a, b in t.items()]  # noqa: E731
        if isinstance(v, dict) and v and rng.random() < 0.6:
            tail += ["", f"[{toml_key(k)}]", *body(v)]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v) and \
                rng.random() < 0.7:
            for x in v:
                tail += ["", f"[[{toml_key(k)}]]", *body(x)]
        else:
            head.append(f"{toml_key(k)} = {toml_value(v)}")
    return "\n".join(head + tail) + "\n"


def to_json(doc: Any) -> str:
    """JSON with Raw fragments (NaN, deep nesting, huge numbers) spliced in."""
    raws: list[str] = []

    def swap(v: Any) -> Any:
        if isinstance(v, Raw):
            raws.append(v.text)
            return f"\x00RAW{len(raws) - 1}\x00"
        if isinstance(v, dict):
            return {str(k): swap(x) for k, x in v.items()}
        return [swap(x) for x in v] if isinstance(v, list) else v

    out = json.dumps(swap(doc), default=str, ensure_ascii=False)
    return re.sub(r'"\\u0000RAW(\d+)\\u0000"', lambda m: raws[int(m.group(1))], out)

