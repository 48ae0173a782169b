"""Checks on what a command generated: the Containerfile (structure, RUN lines as shell,
the plan label), unit and sysusers files (read back as systemd reads them), the small
files of a context, and CI workflows (YAML, cron fields, run scripts, expressions)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import tomllib
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

from .finding import CONTROL, CONTROL_LINE, Finding
from .syntax import Shell, shell_scan, systemd_words, unescape
from .values import OUTSIDE

INSTRUCTIONS = {"FROM", "RUN", "COPY", "LABEL", "COMMENT"}
SRC_CONTENT = b"data\n"  # what the fuzzer's [[files]] sources hold
# lines of the small generated files, by where they lie in the context
LINE_SHAPES = {"-preset/": re.compile(r"(enable|disable) [\w.@:-]+"),
               "/tmpfiles.d/": re.compile(r"[CL] /[\w.+@=:,/-]+ - - - - /[\w.+@=:,/-]+"),
               "/image-version": re.compile(r"[0-9a-f]{16}")}


def _recipes_dir(root: Path, image: str) -> Path:
    try:
        data = tomllib.loads((root / image).read_text())
        return (root / image).parent / str(data.get("recipe_dir", "../recipes"))
    except (OSError, ValueError):
        return root / "recipes"


def _recipe(recipes: Path, name: str) -> dict:
    try:
        return tomllib.loads((recipes / f"{name}.toml").read_text())
    except (OSError, ValueError):
        return {}


def check_containerfile(text: str, shell: Shell) -> list[Finding]:
    found = []
    structure = DockerfileParser(fileobj=io.BytesIO(text.encode())).structure
    kinds = [s["instruction"] for s in structure]
    if kinds[:2] != ["COMMENT", "FROM"] or kinds.count("FROM") != 1:
        found.append(Finding("containerfile-structure", "FROM is not the first instruction"))
    runs = []
    for s in structure:
        if s["instruction"] not in INSTRUCTIONS:
            found.append(Finding("containerfile-instruction", s["instruction"], s["content"]))
        elif s["instruction"] == "FROM" and not re.fullmatch(r"[a-z0-9][^\s]*", s["value"]):
            found.append(Finding("containerfile-from", "not one image reference", s["value"]))
        elif s["instruction"] == "RUN":
            words = s["value"].split(" ")
            cmd = " ".join(w for w in words if not w.startswith("--mount=")).strip()
            blanked, problems = shell_scan(cmd)
            found += [Finding("shell-injection", f"RUN: {p}", cmd[-400:]) for p in problems]
            found += shell.check(blanked, "sh", "RUN")
            runs.append(cmd)
        elif s["instruction"] == "LABEL":
            found += _check_label(s["value"], runs)
        elif s["instruction"] == "COPY" and not re.fullmatch(
                r"files/([a-z0-9][a-z0-9_-]*|_meta)/ /", s["value"]):
            found.append(Finding("containerfile-copy", "unexpected COPY", s["value"]))
    return found


def _check_label(value: str, runs: list[str]) -> list[Finding]:
    """The plan label reads back as JSON, and each layer's packages are words of its RUN."""
    try:
        labels = dict(w.split("=", 1) for w in shlex.split(value))
        plan = json.loads(labels["io.layerkit.plan"])
        layers = [la for la in plan["layers"] if la["kind"] == "packages"]
    except (ValueError, KeyError, TypeError) as e:
        return [Finding("label-unreadable", type(e).__name__, value[:300])]
    found = []
    for la, cmd in zip(layers, runs, strict=False):
        words = shlex.split(cmd)
        found += [Finding("package-not-one-word", "RUN", f"{p!r} in {cmd[-300:]}")
                  for p in la["packages"] if p not in words]
    return found


def check_unit(text: str, spec: dict | None) -> list[Finding]:
    found = []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if line.endswith("\\"):
            found.append(Finding("unit-line-continues", key, line[-200:]))
        if key == "Description":
            desc = unescape(value, "%")
            if desc is None:
                found.append(Finding("unit-specifier", "Description: a lone %", line[:200]))
            elif spec is not None and desc != (spec.get("description") or desc):
                found.append(Finding("unit-roundtrip", "Description", f"{desc!r} != "
                                     f"{spec.get('description')!r}"))
        if key == "ExecStart":
            try:
                argv = [unescape(a, "$") if a is not None else None
                        for a in (unescape(w, "%") for w in systemd_words(value))]
            except ValueError as e:
                found.append(Finding("unit-unparsable", "ExecStart", str(e)[:300]))
                continue
            if None in argv:
                found.append(Finding("unit-specifier", "ExecStart: a lone % or $", line[:300]))
            want = spec.get("exec") if spec is not None else None
            with contextlib.suppress(ValueError):
                want = shlex.split(want) if isinstance(want, str) else want
            if want is not None and argv != want and not found:
                found.append(Finding("unit-roundtrip", "ExecStart", f"{argv!r} != {want!r}"))
            spec = None  # later ExecStart lines are layerkit's own (flatpak installs)
    return found


def check_sysusers(text: str, users: list[dict]) -> list[Finding]:
    found = []
    gecos = {u.get("name"): u.get("description") or "-" for u in users if isinstance(u, dict)}
    for line in text.splitlines()[1:]:
        try:
            fields = systemd_words(line)
        except ValueError as e:
            found.append(Finding("sysusers-unparsable", "line", str(e)[:300]))
            continue
        if fields[0] == "u" and (len(fields) != 6 or unescape(fields[3], "%") != gecos.get(
                fields[1], unescape(fields[3], "%"))):
            found.append(Finding("sysusers-roundtrip", "u line", f"{line!r} vs {gecos}"[:300]))
    return found


def check_context(ctx: Path, root: Path, image: str, shell: Shell) -> list[Finding]:
    found = []
    recipes = _recipes_dir(root, image)
    for path in sorted(ctx.rglob("*")):
        rel = path.relative_to(ctx).as_posix()
        if path.is_symlink():
            if os.readlink(path) != "/dev/null":
                found.append(Finding("context-symlink", "a link not to /dev/null", rel))
            continue
        if not path.is_file():
            continue
        data = path.read_bytes()
        if rel.startswith("files/") and data == SRC_CONTENT:
            continue
        if OUTSIDE in data or b"root:x:0:0" in data:
            found.append(Finding("read-outside-folder", "a [[files]] src", rel))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            found.append(Finding("context-not-utf8", rel.split("/")[0], rel))
            continue
        bad = CONTROL.search(text) or ("\t" in text and not rel.startswith("scripts/"))
        if bad:
            found.append(Finding("control-char-in-file", _kind(rel), f"{rel}: {text[:300]!r}"))
        for where, shape in LINE_SHAPES.items():
            if where in rel:
                found += [Finding("line-shape", where, f"{rel}: {line!r}"[:300])
                          for line in text.splitlines() if not shape.fullmatch(line)]
        if rel == "Containerfile":
            found += check_containerfile(text, shell)
        elif re.search(r"/systemd/(system|user)/[^/]+\.(service|timer)$", rel) and \
                text.startswith("# generated by layerkit"):
            units = _recipe(recipes, rel.split("/")[1]).get("units")
            spec = next((u for u in units if isinstance(u, dict) and u.get("name") ==
                         path.name), None) if isinstance(units, list) else None
            found += check_unit(text, spec)
        elif re.search(r"sysusers\.d/layerkit-[^/]+\.conf$", rel):
            users = _recipe(recipes, rel.split("/")[1]).get("users")
            found += check_sysusers(text, users if isinstance(users, list) else [])
    return found


def _kind(rel: str) -> str:
    for suffix in (".service", ".timer", ".preset", ".conf", ".sh", "Containerfile"):
        if rel.endswith(suffix):
            return suffix
    return "other"


def check_workflow(path: Path, shell: Shell) -> list[Finding]:
    text = path.read_text(encoding="utf-8")
    if CONTROL.search(text):
        return [Finding("control-char-in-file", "workflow", text[:300])]
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return [Finding("yaml-invalid", "workflow", str(e)[:300])]
    found, stack = [], [("", doc)]
    while stack:
        where, v = stack.pop()
        if isinstance(v, dict):
            stack += [(f"{where}.{k}", x) for k, x in v.items()]
        elif isinstance(v, list):
            stack += [(f"{where}[]", x) for x in v]
        elif isinstance(v, str):
            if CONTROL_LINE.search(v.replace("\n", "") if where.endswith(".run") else v):
                found.append(Finding("control-char-in-yaml-value", where, repr(v)[:300]))
            if where.endswith(".cron") and not re.fullmatch(r" *\S+( +\S+){4} *", v):
                found.append(Finding("cron-not-five-fields", where, repr(v)[:200]))
            if where.endswith(".run"):
                if "${{" in v:
                    found.append(Finding("expression-in-run", where, v[:300]))
                found += shell.check(v, "bash", "workflow run")
            if ".env." in where and "${{" in v and not re.fullmatch(
                    r"\$\{\{ (secrets|matrix)\.[A-Za-z0-9_]+ \}\}", v):
                found.append(Finding("expression-in-env", where, v[:200]))
    return found
