"""RPM dependency resolution shared by the rpmdb and repodata readers.

- `parse_rich`: rich/boolean dependencies, `(a or (b >= 2 and c))`, as a tree.
- `ProviderIndex`: capability or path → providing package names, compact.
- `Resolver`: turns Requires (plain, versioned, file paths, rich/boolean expressions) into
  the *names* of packages within one set that provide them.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping

# --- rich (boolean) dependencies: "(a or (b >= 2 and c))" -------------------------------

# rpm's %{_isa} suffix: "(x86-64)", "(x86-32)", "(aarch-64)", "(ppc-64)", "(armv7hl-32)"...
ISA = re.compile(r"\([a-z0-9_]+-(?:32|64)\)")
# A parsed rich dependency: a capability name, or (operator, operands).
Node = str | tuple[str, list["Node"]]
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_RELOPS = {"<", ">", "=", "<=", ">=", "=<", "=>", "<>"}
_BOOL = {"and", "or", "if", "else", "with", "without", "unless"}


def _parse_rich(tokens: list[str], pos: int) -> tuple[Node, int]:
    """Parse one parenthesised expression at tokens[pos] == "(".
    Returns (node, next position); a node is a name (str) or (op, [operands])."""
    pos += 1
    operands: list[Node] = []
    ops: list[str] = []
    while pos < len(tokens) and tokens[pos] != ")":
        tok = tokens[pos]
        if tok == "(":
            node, pos = _parse_rich(tokens, pos)
            operands.append(node)
        elif tok in _BOOL and operands:
            ops.append(tok)
            pos += 1
        elif tok in _RELOPS:  # "name >= 1.2": the version does not choose a name
            pos += 2
        else:
            operands.append(tok)
            pos += 1
    if pos >= len(tokens):
        raise ValueError("unbalanced parentheses")
    if not ops:
        return (operands[0] if operands else ("and", [])), pos + 1
    if ops[0] in ("if", "unless") and len(ops) == 2 and ops[1] == "else":
        return (ops[0] + "-else", operands), pos + 1
    return (ops[0], operands), pos + 1


def parse_rich(text: str) -> Node:
    """The expression tree of a rich dependency; raises ValueError when malformed."""
    tokens = _TOKEN.findall(text)
    if not tokens or tokens[0] != "(":
        raise ValueError(f"not a rich dependency: {text!r}")
    node, pos = _parse_rich(tokens, 0)
    if pos != len(tokens):
        raise ValueError(f"trailing text in {text!r}")
    return node


def usr_aliases(path: str) -> list[str]:
    """Other spellings of a path under Fedora's merged /usr (and /usr/sbin → /usr/bin, F42)."""
    out = []
    for old in ("/bin/", "/sbin/", "/lib/", "/lib64/"):
        if path.startswith(old):
            out.append("/usr" + path)
    for p in [path, *out]:
        if p.startswith("/usr/sbin/"):
            out.append("/usr/bin/" + p[len("/usr/sbin/"):])
    return out


class ProviderIndex:
    """capability or path → names providing it, for a million entries in ~100 MB.

    Keys are the strings' hashes: a Fedora repository provides ~1M capabilities and
    paths, and an int key (32 bytes) instead of the string (~80) saves ~50 MB. Two 64-bit
    hashes colliding among 1M keys has odds of ~1e-7 and would at worst name a wrong
    provider. A single provider is a plain string, several a tuple (a set: ~200 bytes)."""

    __slots__ = ("map",)

    def __init__(self) -> None:
        self.map: dict[int, str | tuple[str, ...]] = {}

    def add(self, cap: str, name: str) -> None:
        """Record that `name` provides `cap`."""
        key = hash(cap)
        have = self.map.get(key)
        if have is None:
            self.map[key] = name
        elif isinstance(have, str):
            if have != name:
                self.map[key] = (have, name)
        elif name not in have:
            self.map[key] = (*have, name)

    def add_all(self, caps: Iterable[str], name: str) -> None:
        """Record that `name` provides each of `caps` (the streaming reader's hot path).
        `name` itself and `name(x86-64)` are left out: every package provides both and the
        Resolver answers them from its set of names (a third of a repository's entries)."""
        m = self.map
        isa = ISA.fullmatch
        n = len(name)
        for cap in caps:
            if cap.startswith(name) and (len(cap) == n or isa(cap, n)):
                continue
            have = m.setdefault(hash(cap), name)
            if have is not name and have != name:
                self.add(cap, name)

    def get(self, cap: str) -> set[str]:
        """The names providing `cap` (empty when none)."""
        have = self.map.get(hash(cap))
        if have is None:
            return set()
        return {have} if isinstance(have, str) else set(have)

    def __len__(self) -> int:
        return len(self.map)


class Resolver:
    """Resolves requirements to provider *names* within one package set.

    `provides`: package name → capabilities it provides (its own name is added);
    `files`: package name → paths it ships (only the ones file requires may need);
    or a prebuilt `index` (a repository reader fills one while streaming) with `names`,
    the package names of the set (`name` and `name(x86-64)` resolve to them).
    `installed`: True for an installed set (a condition `(a if b)` holds when b is in the
    set); False for a repository, where conditions are taken as not holding, the
    smallest install. An `or` takes its first alternative present in the set."""

    def __init__(self, provides: Mapping[str, Iterable[str]] | None = None,
                 files: Mapping[str, Iterable[str]] | None = None,
                 installed: bool = True, index: ProviderIndex | None = None,
                 names: Container[str] | None = None) -> None:
        self._index = index if index is not None else ProviderIndex()
        self._names: Container[str] = names if names is not None else (provides or {})
        for name, caps in (provides or {}).items():
            self._index.add(name, name)
            for cap in caps:
                self._index.add(cap, name)
        for name, paths in (files or {}).items():
            for path in paths:
                self._index.add(path, name)
        self.installed = installed

    def providers(self, cap: str) -> set[str]:
        """Names providing a capability or path (a /usr-merge alias for paths)."""
        found = self._index.get(cap)
        if found:
            return found
        if cap in self._names:
            return {cap}
        isa = ISA.search(cap)
        if isa and isa.end() == len(cap) and cap[: isa.start()] in self._names:
            return {cap[: isa.start()]}
        if cap.startswith("/"):
            for alias in usr_aliases(cap):
                found = self._index.get(alias)
                if found:
                    break
        return found

    def _choose(self, cap: str, requirer: str) -> str | None:
        names = self.providers(cap)
        if not names:
            return None
        if requirer in names:
            return requirer
        if cap in names:
            return cap
        return min(names)  # deterministic; a real install set rarely has two

    def _holds(self, node: Node) -> bool:
        if isinstance(node, str):
            return bool(self.providers(node)) if self.installed else False
        op, args = node
        if op in ("and", "with"):
            return all(self._holds(a) for a in args)
        if op == "or":
            return any(self._holds(a) for a in args)
        return bool(self._need(node, "", []))

    def _need(self, node: Node, requirer: str, missing: list[str]) -> list[str]:
        if isinstance(node, str):
            chosen = self._choose(node, requirer)
            if chosen is None:
                missing.append(node)
                return []
            return [chosen]
        op, args = node
        if op in ("and", "with"):
            return [n for a in args for n in self._need(a, requirer, missing)]
        if op == "without":
            return self._need(args[0], requirer, missing)
        if op == "or":
            for a in args:
                trial: list[str] = []
                got = self._need(a, requirer, trial)
                if not trial:
                    return got
            missing.append("or")
            return []
        if op == "if":
            return self._need(args[0], requirer, missing) if self._holds(args[1]) else []
        if op == "unless":
            return [] if self._holds(args[1]) else self._need(args[0], requirer, missing)
        if op == "if-else":
            pick = args[0] if self._holds(args[1]) else args[2]
            return self._need(pick, requirer, missing)
        if op == "unless-else":
            pick = args[2] if self._holds(args[1]) else args[0]
            return self._need(pick, requirer, missing)
        raise ValueError(f"unknown operator {op}")

    def resolve(self, requirer: str, requires: Iterable[str]) -> tuple[list[str], list[str]]:
        """(sorted provider names other than the requirer, requirements found unresolved).
        `rpmlib(...)` requirements are rpm's own features and are skipped."""
        names: set[str] = set()
        missing: list[str] = []
        direct = self._index.map.get
        for req in requires:
            have = direct(hash(req))
            if type(have) is str:  # one provider: the common case, no choice to make
                names.add(have)
                continue
            if have is None and req in self._names:  # a package's own name
                names.add(req)
                continue
            if req.startswith("rpmlib("):
                continue
            if req.startswith("("):
                try:
                    node = parse_rich(req)
                except ValueError:
                    missing.append(req)
                    continue
                unmet: list[str] = []
                names.update(self._need(node, requirer, unmet))
                if unmet:  # report the expression as written
                    missing.append(req)
            else:
                names.update(self._need(req, requirer, missing))
        names.discard(requirer)
        return sorted(names), missing
