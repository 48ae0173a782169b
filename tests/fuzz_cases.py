"""Projects for the fuzzer (tests/fuzz.py) and the property tests: valid recipes, images,
catalogs and plans built from a grammar of every key the readers accept, then mutated
(hostile strings, wrong types, extreme numbers, deep nesting, duplicated keys, hostile
file names, symlinks, FIFOs, empty and oversized files, hostile CLI option values).

A Case is pure data (files to write, commands to run, what was mutated): the same
(seed, index) always gives the same Case, so a defect is replayed from its id."""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

# --- values -------------------------------------------------------------------------------

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


def deep(rng: random.Random) -> Raw:
    n = rng.choice((10, 100, 600, 3000, 100_000))
    kind = rng.choice(("array", "table", "mixed"))
    if kind == "array":
        return Raw("[" * n + "1" + "]" * n)
    if kind == "table":
        return Raw("{a = " * n + "1" + "}" * n)
    return Raw("[{a = " * (n // 2) + "1" + "}]" * (n // 2))


def _word(rng: random.Random, first: str, rest: str, low: int = 1, high: int = 12) -> str:
    return rng.choice(first) + "".join(rng.choice(rest) for _ in range(rng.randint(low, high)))


LOWER, DIGITS, UPPER = "abcdefghijklmnopqrstuvwxyz", "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def package(rng: random.Random) -> str:
    return rng.choice(("vim", "gcc-c++", "python3.12", "zsh", "fira-code-fonts", "code",
                       _word(rng, LOWER + DIGITS + UPPER + "_", LOWER + DIGITS + "._+-")))


def unit_name(rng: random.Random, suffix: str = ".service") -> str:
    return _word(rng, LOWER + DIGITS, LOWER + DIGITS + "_.@:-") + suffix


def text(rng: random.Random) -> str:
    """Free text that validation accepts (one line, no control characters), with the
    characters each target syntax must escape."""
    parts = ["setup", "100%", "%H", "$HOME", "$(id)", "`id`", "a;b", "'q'", '"dq"', "\\x",
             "é", "日本", "#", "*", "{{x}}", " "]
    return " ".join(rng.sample(parts, rng.randint(1, 5))).strip() or "x"


def url(rng: random.Random, tail: str = "") -> str:
    return rng.choice(("https://example.com/repo", "http://127.0.0.1:8080/",
                       "https://x.org/$releasever/$basearch/?a=1&b=(2);c='3'",
                       "file:///usr/share/keys/k")) + tail


# --- the grammar ----------------------------------------------------------------------------

def recipe(rng: random.Random, name: str, earlier: list[str]) -> tuple[dict, dict[str, str]]:
    """A valid recipe (as a dict) and the files its [[files]] need (relative to recipes/)."""
    r: dict[str, Any] = {"description": text(rng)}
    extra: dict[str, str] = {}
    add = rng.random
    if add() < 0.8 or not earlier:
        r["packages"] = sorted({package(rng) for _ in range(rng.randint(1, 4))})
    if add() < 0.3:
        r["remove"] = [package(rng)]
    if earlier and add() < 0.4:
        r["requires"] = rng.sample(earlier, 1)
    if add() < 0.9:
        r["size"] = rng.choice(("1 MB", "35 MB", "1.5GiB", 123456, "0", "9 kB"))
    if add() < 0.7:
        r["update"] = rng.choice(("daily", "weekly", "monthly", "quarterly", "yearly", "never"))
    elif add() < 0.7:
        r["changes_per_year"] = rng.choice((0, 4.0, 52, 0.5))
    if add() < 0.2:
        r["script"] = rng.choice(("echo hi", "sed -i s/a/b/ /etc/x\nuseradd x\n",
                                  "printf '%s\\n' \"$HOME\"\t# tab", "echo hi " * 9)) \
            if add() < 0.99 else "echo " + "> " * 20_000  # a long line
    if add() < 0.25:
        r["rpms"] = [url(rng, "/x-$releasever.rpm")]
    if add() < 0.35:
        repo: dict[str, Any] = {"id": _word(rng, LOWER, LOWER + DIGITS + "._:-")}
        which = rng.choice(("baseurl", "metalink", "copr"))
        repo[which] = "owner/project" if which == "copr" else url(rng)
        if which != "copr":
            repo.update(rng.choice(({"gpgkey": url(rng, ".asc")}, {"gpgcheck": False})))
        if add() < 0.5:
            repo["name"] = text(rng)
        r["repos"] = [repo]
        if add() < 0.4:
            r["replace"] = [{"repo": repo["id"], "packages": [package(rng)]}]
    if add() < 0.35:
        src = f"{name}/f{rng.randint(0, 9)}"
        extra[src] = "data\n"
        spec: dict[str, Any] = {"src": src, "dest": rng.choice((
            "/usr/share/x/y.conf", "/etc/sysctl.d/60-x.conf", "/var/lib/x/y", "/opt/x/y",
            "/etc/zshrc", "/usr/lib/systemd/system/x.service.d/a.conf"))}
        if spec["dest"] == "/etc/zshrc":
            spec["etc"] = text(rng)
        if add() < 0.5:
            spec["mode"] = rng.choice(("0644", 0o755, "0600", 420))
        r["files"] = [spec]
    if add() < 0.4:
        r["units"] = [unit(rng)]
    if add() < 0.2:
        r["groups"] = [{"name": "grp" + name.replace("-", "_")[:20], "gid": rng.randint(1, 999)}]
    if add() < 0.2:
        r["users"] = [{"name": "usr" + name.replace("-", "_")[:20], "description": text(rng)
                       .replace('"', "").replace("\\", "").replace(":", ""),
                       "home": "/var/lib/x", "groups": [], "uid": rng.randint(1, 999)}]
    if add() < 0.15:
        r["flatpaks"] = {"apps": ["org.mozilla.firefox", "org.kde.okular"][:rng.randint(1, 2)],
                         "scope": rng.choice(("system", "user")),
                         "run": rng.choice(("once", "each-deployment", "every-boot"))}
    if add() < 0.15:
        r["systemd"] = {"enable": [unit_name(rng, ".timer")], "disable": [unit_name(rng)],
                        "mask": [unit_name(rng)]}
    return r, extra


def unit(rng: random.Random) -> dict:
    argv = ["/usr/libexec/setup", *rng.sample(["--quiet", "100%", "$HOME", "a b", "it's",
                                               'say "hi"', "back\\slash", "%H", ";", "é"],
                                              rng.randint(0, 4))]
    u: dict[str, Any] = {"name": unit_name(rng), "description": text(rng),
                         "exec": argv if rng.random() < 0.7 else "/usr/bin/echo 'a b' c%d",
                         "run": rng.choice(("once", "each-deployment", "every-boot")),
                         "scope": rng.choice(("system", "user")), "network": rng.random() < 0.5}
    if rng.random() < 0.3:
        u["after"], u["wants"] = [unit_name(rng)], [unit_name(rng, ".target")]
    if rng.random() < 0.3:
        u["service"] = {"Slice": "x.slice", "Environment": "A=%H", "Nice": 5}
    if rng.random() < 0.2:
        u["unit"] = {"Documentation": "man:x(1)"}
    if rng.random() < 0.2:
        u["timer"] = {"OnCalendar": "weekly", "Persistent": True}
    return u


def image(rng: random.Random, recipes: list[str], catalog: bool) -> dict:
    i: dict[str, Any] = {"base": rng.choice((
        "localhost/standin:latest", "quay.io/fedora-ostree-desktops/kinoite:42",
        "ghcr.io/o/base:42@sha256:" + "ab" * 32, "reg:5000/a/b"))}
    for key, values in (("registry", ("ghcr.io", "localhost:5000")),
                        ("repository", ("o/img", "a/b-c/d")), ("stream", ("42", "latest")),
                        ("max_layers", (8, 40, 127)), ("installer", ("dnf", "rpm-ostree")),
                        ("cadence", (1, 7.0, 0.5, 3650)),
                        ("model", ("containerfile", "independent")),
                        ("layer_overhead", ("1 MB", 0, "100 MB")),
                        ("base_changes_per_year", (0, 12.0)), ("tls_verify", (True, False))):
        if rng.random() < 0.4:
            i[key] = rng.choice(values)
    if rng.random() < 0.3:
        i["recipes"] = recipes[:1] + rng.sample(recipes[1:], rng.randint(0, len(recipes) - 1))
    if catalog and rng.random() < 0.4:
        i["catalog"] = "../catalog.json"
    if rng.random() < 0.2:
        i["base_packages"] = [package(rng)]
    if rng.random() < 0.2:
        i["repos"] = [{"id": "local", "baseurl": "http://127.0.0.1:8080/", "gpgcheck": False}]
    if rng.random() < 0.4:
        i["base_source"] = rng.choice(({"upstream": "quay.io/a/b:42"},
                                       {"treefile": "tree.yaml"}))
        i["base_source"]["schedule"] = rng.choice(("0 4 * * 1", "*/5 1,2 * * *"))
        i["base"] = "ghcr.io/o/base:42"
    if rng.random() < 0.4:
        i["ci"] = {"runs_on": "ubuntu-24.04", "user_secret": "U", "password_secret": "P_2",
                   "branch": "release/1", "cache": rng.random() < 0.5,
                   "sign": rng.random() < 0.5, "bootc": rng.random() < 0.5}
    return i


def catalog(rng: random.Random, packages: list[str]) -> dict:
    names = sorted(set(packages) | {package(rng) for _ in range(rng.randint(0, 5))})
    pk = [{"name": n, "size": rng.randint(0, 10**9), "updates": rng.randint(0, 60),
           "source": rng.choice((n, "src")), "version": "1.2-3",
           "depends": rng.sample(names, rng.randint(0, min(2, len(names))))} for n in names]
    c: dict[str, Any] = {"period": ["2024-01-01", "2025-01-01"], "packages": pk}
    if rng.random() < 0.4 and names:
        c["history"] = [{"date": f"2024-0{m}-1{m}", "changed": rng.sample(names, 1)}
                        for m in range(1, rng.randint(2, 9))]
    return c


def previous_plan(rng: random.Random, recipes: list[str], packages: list[str]) -> dict:
    layers = [{"index": i, "recipes": [r], "packages": [], "units": [f"recipe:{r}"]}
              for i, r in enumerate(recipes)]
    layers += [{"index": len(layers) + i, "recipes": [], "packages": [p], "units": [p]}
               for i, p in enumerate(packages[:3])]
    return {"schema": 1, "image": "x", "layers": rng.sample(layers, len(layers))}


# --- writing documents ------------------------------------------------------------------------

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


# --- mutations -------------------------------------------------------------------------------

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


BREAKS = ("\n", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\x00", "\x1b")
PATHS = ("../../outside.toml", "../outside.toml", "/etc/hostname", "a/../../outside.toml",
         "/proc/self/environ", ".", "..", "/")


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


OUTSIDE = b'description = "OUTSIDE the project"\n'  # must never be copied into a context
FILE_NAMES = ("x$(touch PWNED)", "a b", "a\nb", "A", ".hidden", "-rf", "x" * 240, "é", "a;b",
              "a.b", "`id`", "%H", "a\x1b[31m", "a\rb", "--help")


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


# --- cases -------------------------------------------------------------------------------------

@dataclass
class Case:
    id: str  # "seed:index": tests/fuzz.py --replay ID writes it again
    files: dict[str, Entry]
    commands: list[list[str]]
    mutations: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(e.data) + 64 for e in self.files.values()) + 16 * len(self.mutations)

    def write(self, root: Path) -> None:
        for rel, e in sorted(self.files.items(), key=lambda x: x[1].kind == "link"):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if e.kind == "file":
                path.write_bytes(e.data)
            elif e.kind == "link":
                os.symlink(e.target, path)
            elif e.kind == "fifo":
                os.mkfifo(path)
            else:
                path.mkdir(exist_ok=True)

    def describe(self, limit: int = 3000) -> dict[str, Any]:
        """The files as a report shows them (long ones cut: replay the id for all of it)."""
        out: dict[str, Any] = {}
        for rel, e in sorted(self.files.items()):
            if e.kind == "file":
                text = e.data.decode("utf-8", "backslashreplace")
                out[rel] = text if len(text) <= limit else \
                    f"{text[:limit]}… ({len(e.data)} bytes; replay {self.id} for all)"
            else:
                out[rel] = {"link": e.target} if e.kind == "link" else {e.kind: True}
        return out


def _options(rng: random.Random) -> list[str]:
    out: list[str] = []
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        opt = rng.choice(("--cadence", "--max-layers", "--horizon", "--layer-overhead",
                          "--model"))
        out += [opt, rng.choice(OPTION_VALUES + ("independent", "containerfile", "bogus"))]
    return out


OUTPUTS = ("out",) * 12 + ("out/a b/c", "recipes", ".", "images", "catalog.json")


def make_case(seed: str, index: int) -> Case:
    """Case `index` of `seed`: a project from the grammar, mutated, and its commands."""
    rng = random.Random(f"{seed}:{index}")
    docs, files, images = _project(rng)
    mutations, opts = _mutate(rng, docs, files, images)
    return Case(f"{seed}:{index}", files, _commands(rng, images, opts), mutations)


def _project(rng: random.Random) -> tuple[dict[str, dict], dict[str, Entry], list[str]]:
    """Documents (not yet written), other files, and the image files to name."""
    names = sorted({_word(rng, LOWER + DIGITS, LOWER + DIGITS + "_-", 0, 8)
                    for _ in range(rng.randint(1, 4))})
    docs: dict[str, dict] = {}
    files = {"outside.toml": Entry("file", OUTSIDE)}
    packages: list[str] = []
    for i, name in enumerate(names):
        r, extra = recipe(rng, name, names[:i])
        docs[f"recipes/{name}.toml"] = r
        packages += r.get("packages", [])
        files.update({f"recipes/{k}": Entry("file", v.encode()) for k, v in extra.items()})
    images = [f"images/{rng.choice(('test', 'kinoite-desktop', 'a.b', 'A_1'))}.toml"]
    docs[images[0]] = image(rng, names, catalog=True)
    if rng.random() < 0.1:  # a workflow for two images (a matrix)
        images.append("images/second.toml")
        docs[images[1]] = {**docs[images[0]], "stream": "two", "registry": "localhost:5000"}
    if (docs[images[0]].get("base_source") or {}).get("treefile"):
        files["images/tree.yaml"] = Entry("file", b"ref: x\n")
    docs["catalog.json"] = catalog(rng, packages)
    docs["prev.json"] = previous_plan(rng, names, packages)
    return docs, files, images


def _mutate(rng: random.Random, docs: dict[str, dict], files: dict[str, Entry],
            images: list[str]) -> tuple[list[str], list[list[str]]]:
    """Up to three mutations of values, texts, files or options; writes the documents
    into `files` (and renames in `images`). Returns what was done and the options."""
    mutations: list[str] = []
    kinds = [rng.choices(("value", "text", "file", "option"), (62, 12, 14, 12))[0]
             for _ in range(rng.choices((0, 1, 2, 3), (15, 45, 25, 15))[0])]
    weights = {rel: 3.0 if rel == images[0] else 1.0 if rel.endswith(".json") else 2.0
               for rel in sorted(docs)}
    for _ in range(kinds.count("value")):
        rel = rng.choices(list(weights), list(weights.values()))[0]
        mutations.append(f"{rel}: " + mutate_value(rng, docs[rel], rel.endswith(".json")))
    for rel, doc in docs.items():
        text = to_json(doc) if rel.endswith(".json") else to_toml(doc, rng)
        files[rel] = Entry("file", text.encode())
    for _ in range(kinds.count("text")):
        rel = rng.choice(sorted(docs))
        data, what = mutate_text(rng, files[rel].data)
        files[rel] = Entry("file", data)
        mutations.append(f"{rel}: {what}")
    for _ in range(kinds.count("file")):
        rel = rng.choice(sorted(r for r in files if files[r].kind == "file" and
                                r.count("/") <= 2 and r != "outside.toml"))
        new, what = mutate_file(rng, files, rel)
        images[:] = [new if i == rel else i for i in images]
        mutations.append(what)
    opts = [_options(rng) for _ in range(3)] if "option" in kinds else [[], [], []]
    if any(opts):
        mutations.append(f"options {opts}")
    return mutations, opts


def _commands(rng: random.Random, images: list[str], opts: list[list[str]]) -> list[list[str]]:
    image, cat = images[0], ["--catalog", "catalog.json"]
    commands = [["plan", image, "--json", *opts[0]],
                ["plan", image, "--json", "--model", "independent"],
                ["generate", image, "-o", rng.choice(OUTPUTS),
                 *(cat if rng.random() < 0.3 else [])],
                ["lint", image, "--json"], ["ci", "github", *images, "-o", "wf"],
                ["rebase", image], ["plan", *cat, "--all", "--json", *opts[1]],
                ["plan", *rng.choice(([image], cat + ["--all"])), "--previous", "prev.json",
                 "--json", *opts[2]]]
    if rng.random() < 0.3:
        commands.append(["plan", image, *opts[0]])
    if rng.random() < 0.05:
        commands.append(["diff", "oci:nolayout:a", "oci:nolayout:b", "--platform",
                         rng.choice(("linux", "linux/amd64", "x\x1b[31m")), "--max-ratio",
                         rng.choice(OPTION_VALUES)])
    return commands
