"""Hostile changes to a valid project: values (hostile strings, wrong types, extreme
numbers, deep nesting, unknown and deleted keys), document text (duplicated and dotted
keys, CRLF, BOM, truncation, bad UTF-8, oversize, NUL) and files (hostile names, symlinks,
FIFOs, directories)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .values import (
    BREAKS,
    FILE_NAMES,
    HOSTILE,
    LONG_HOSTILE,
    NUMBERS,
    OUTSIDE,
    PATHS,
    WRONG_TYPES,
    Raw,
)


def deep(rng: random.Random) -> Raw:
    n = rng.choice((10, 100, 600, 3000, 100_000))
    kind = rng.choice(("array", "table", "mixed"))
    if kind == "array":
        return Raw("[" * n + "1" + "]" * n)
    if kind == "table":
        return Raw("{a = " * n + "1" + "}" * n)
    return Raw("[{a = " * (n // 2) + "1" + "}]" * (n // 2))



def _nodes(doc: Any) -> list[tuple]:
    out, stack = [], [((), doc)]
    while stack:
        path, v = stack.pop()
        out.append(path)
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        stack += [((*path, k), x) for k, x in items]
    return sorted(out, key=str)


def _get(doc: Any, path: tuple) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _where(path: tuple) -> str:
    return "".join(f"[{k + 1}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")



def hostile(rng: random.Random, old: Any) -> str:
    """A hostile string, or the old value with one spliced in (a line break in place of a
    space keeps many patterns matching)."""
    if isinstance(old, str) and old and rng.random() < 0.5:
        brk = rng.choice(BREAKS)
        return rng.choice((old.replace(" ", brk, 1), old + brk, brk + old, old + brk + "x",
                           old[:1] + rng.choice(HOSTILE) + old[1:], old + rng.choice(HOSTILE)))
    if rng.random() < 0.01:
        return rng.choice(LONG_HOSTILE)
    return rng.choice(PATHS) if rng.random() < 0.15 else rng.choice(HOSTILE)


def mutate_value(rng: random.Random, doc: dict, json_doc: bool) -> str:
    """One change somewhere in the document; returns what it did."""
    nodes = _nodes(doc)
    texts = [p for p in nodes if isinstance(_get(doc, p), str)]
    path = rng.choice(texts if texts and rng.random() < 0.5 else nodes)
    parent, key = (_get(doc, path[:-1]), path[-1]) if path else (None, None)
    node = _get(doc, path)
    op = rng.choice(("hostile", "hostile", "hostile", "type", "number", "deep", "unknown",
                     "delete", "duplicate"))
    op = "type" if op == "duplicate" and not (isinstance(node, list) and node) else op
    if op == "unknown" or parent is None:
        target = node if isinstance(node, dict) else doc
        name = rng.choice(("extra", "Description", "x\nerror: forged", "\x1b[31m", "a.b", ""))
        target[name] = rng.choice((1, "x", hostile(rng, "")))
        return f"unknown key {name!r} at {_where(path) or 'top'}"
    if op == "delete":
        del parent[key]
        return f"deleted {_where(path)}"
    if op == "duplicate":
        node.append(node[0])
        return f"duplicated an element of {_where(path)}"
    new: Any = {"hostile": lambda: hostile(rng, node), "number": lambda: rng.choice(NUMBERS),
                "deep": lambda: deep(rng)}.get(op, lambda: rng.choice(WRONG_TYPES))()
    if json_doc and rng.random() < 0.2:
        new = rng.choice((None, Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e999")))
    parent[key] = new
    return f"{_where(path)} <- {op} {new!r:.60}"


def mutate_text(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    op = rng.choice(("dup-key", "dotted", "crlf", "bom", "truncate", "bad-utf8", "empty",
                     "oversize", "nul", "dup-key", "other-document", "dotted-inline"))
    if op == "other-document":  # JSON or TOML of another shape altogether
        doc = rng.choice((b"null", b"[]", b"1", b'"x"', b"{}", b"x = 1", b"[[a]]"))
        return doc, f"replaced by {doc.decode()}"
    lines = data.split(b"\n")
    if op == "dup-key" and data.startswith(b"{"):  # JSON: the last of two keys wins
        return b'{"packages": [], "layers": 1, "period": 5, ' + data[1:], "duplicated keys"
    if op == "dotted-inline":  # dotted keys inside an inline table
        n = rng.choice((70, 70, 20_000, 20_000, 120_000))
        return b"x = {a" + b".a" * n + b" = 1}\n" + data, f"inline dotted key of {n + 1} parts"
    if op == "dup-key":
        keys = [x for x in lines if x and not x.startswith(b"#")]
        return (rng.choice(keys) + b"\n" + data if keys else data), op
    if op == "dotted":
        n = rng.choice((60, 70, 5000))
        return b"a" + b".a" * n + b" = 1\n" + data, f"dotted key of {n + 1} parts"
    if op == "crlf":
        return data.replace(b"\n", b"\r\n"), op
    if op == "bom":
        return "\ufeff".encode() + data, op
    if op == "truncate":
        return data[:rng.randint(0, len(data))], op
    if op == "bad-utf8":
        i = rng.randint(0, len(data))
        return data[:i] + b"\xff\xfe" + data[i:], op
    if op == "oversize":
        return data + b"#" + b"x" * (1 << 20) + b"\n", op
    if op == "nul":
        i = rng.randint(0, len(data))
        return data[:i] + b"\x00" + data[i:], op
    return b"", op


@dataclass(frozen=True)
class Entry:
    kind: str  # file | link | fifo | dir
    data: bytes = b""
    target: str = ""


def mutate_file(rng: random.Random, files: dict[str, Entry], rel: str) -> tuple[str, str]:
    """Rename `rel` to a hostile name or put something that is not a file there; returns
    the new name and what was done."""
    op = rng.choice(("rename", "rename", "link", "fifo", "dir"))
    if op == "rename":
        name = rng.choice(FILE_NAMES)
        new = str(Path(rel).parent / (name + Path(rel).suffix))
        files[new] = files.pop(rel)
        return new, f"renamed {rel} to {new!r}"
    if op == "link":
        target = rng.choice(("/dev/zero", "/dev/urandom", os.path.basename(rel), "/etc/passwd",
                             "../outside.toml", "../../outside.toml", "missing.toml",
                             "/proc/self/status", "."))
        files[rel] = Entry("link", target=target)
        files.setdefault("outside.toml", Entry("file", OUTSIDE))
        return rel, f"{rel} -> symlink to {target}"
    files[rel] = Entry(op)
    return rel, f"{rel} is a {op}"
