"""layerkit's own fuzzer: generated projects (tests/fuzz_cases.py), every command that needs
no network or buildah run in-process, and the promise checked on each result.

    python3 tests/fuzz.py --runs 10000 --seed 1 [--jobs 2] [--report FILE.json]
    python3 tests/fuzz.py --replay 1:42 --dir /tmp/case   # write one case again, rerun it

Options: --timeout S (a case running longer is a hang, default 5), --workdir DIR (default
/dev/shm), --no-shellcheck. Exit status 1 when a defect was found. The report (JSON) holds
the outcome counts per command and each defect once per signature (class: detail) with
the smallest case that showed it: its id for --replay, argv, mutations, files, excerpt.

The promise: bad input exits 2 with one `error: <file>: <key>: message` line per problem,
no traceback, nothing written; a generated file (Containerfile, unit, sysusers, workflow,
terminal and JSON output) never holds a control character, an unquoted shell expansion or
a value that does not read back as written. Cases run in worker processes; a case that
runs longer than --timeout is a hang (the worker is killed and replaced)."""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz_cases import OUTSIDE, Case, make_case

from layerkit.cli import main

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # \t and \n allowed
CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
INSTRUCTIONS = {"FROM", "RUN", "COPY", "LABEL", "COMMENT"}
SRC_CONTENT = b"data\n"  # what the fuzzer's [[files]] sources hold
ALLOWED_EXPANSIONS = ("$VERSION_ID", "${VERSION_ID:+")
# lines of the small generated files, by where they lie in the context
LINE_SHAPES = {"-preset/": re.compile(r"(enable|disable) [\w.@:-]+"),
               "/tmpfiles.d/": re.compile(r"[CL] /[\w.+@=:,/-]+ - - - - /[\w.+@=:,/-]+"),
               "/image-version": re.compile(r"[0-9a-f]{16}")}


@dataclass(frozen=True)
class Finding:
    cls: str  # the defect class
    detail: str  # stable across cases: part of the signature
    excerpt: str = ""  # this occurrence


# --- shell and systemd syntax --------------------------------------------------------------

def shell_scan(cmd: str) -> tuple[str, list[str]]:
    """A POSIX sh command read quote by quote: (the command with single-quoted text
    blanked, for caching syntax checks) and every live expansion or operator outside what
    layerkit writes itself (`&&`, `>`, `$VERSION_ID`)."""
    out: list[str] = []
    problems: list[str] = []
    state, i = "", 0
    while i < len(cmd):
        c = cmd[i]
        if state == "'":
            end = cmd.find("'", i)
            end = len(cmd) if end < 0 else end
            word = cmd[i:end]  # blanked, but printf's format stays one
            out.append((word if word == "%s\\n" else "q") + cmd[end:end + 1])
            state, i = ("", end) if end < len(cmd) else (state, end)
        elif c == "\\":
            out.append(cmd[i:i + 2])
            i += 1
            problems += [] if i < len(cmd) else ["a trailing backslash"]
        elif state == '"':
            state = "" if c == '"' else state
            if c == "`" or (c == "$" and not cmd.startswith(ALLOWED_EXPANSIONS, i)):
                problems.append(f"{c!r} live inside double quotes")
            out.append(c)
        else:
            state = c if c in "'\"" else ""
            live = c == "`" or (c == "$" and not cmd.startswith(ALLOWED_EXPANSIONS, i)) or \
                c in ";|<()\n\r" or (c == "&" and "&&" not in cmd[max(i - 1, 0):i + 2]) or \
                (c == "#" and (i == 0 or cmd[i - 1] in " \t"))
            problems += [f"unquoted {c!r}"] if live else []
            out.append(c)
        i += 1
    return "".join(out), problems + (["an unterminated quote"] if state else [])


def systemd_words(line: str) -> list[str]:
    """A unit-file value split and unquoted as systemd does (quotes, C escapes)."""
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "s": " "}
    words, i, n = [], 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            break
        word: list[str] = []
        quote = ""
        while i < n and (quote or line[i] not in " \t"):
            c = line[i]
            if c == quote or (not quote and c in "\"'"):
                quote = "" if quote else c
            elif c == "\\":
                i += 1
                if i >= n or line[i] not in escapes:
                    raise ValueError(f"bad escape at {i} in {line!r}")
                word.append(escapes[line[i]])
            else:
                word.append(c)
            i += 1
        if quote:
            raise ValueError(f"unterminated quote in {line!r}")
        words.append("".join(word))
    return words


def unescape(word: str, mark: str) -> str | None:
    """`%%` -> `%` (or `$$` -> `$`); None when a lone mark would be expanded."""
    parts = word.split(mark * 2)
    return None if any(mark in p for p in parts) else mark.join(parts)


class Shell:
    """`bash -n` and shellcheck, results cached by the script's text."""

    def __init__(self, shellcheck: bool):
        self.shellcheck = shellcheck and shutil.which("shellcheck") is not None
        self.cache: dict[str, list[Finding]] = {}

    def check(self, script: str, dialect: str, where: str) -> list[Finding]:
        key = hashlib.sha256(f"{dialect}\0{script}".encode()).hexdigest()
        if key not in self.cache:
            found = []
            proc = subprocess.run(["bash", "-n"], input=script.encode(), capture_output=True)
            if proc.returncode:
                found.append(Finding("shell-syntax", where, proc.stderr.decode()[-300:]))
            if self.shellcheck:
                sc = subprocess.run(["shellcheck", "-s", dialect, "-f", "gcc", "-e",
                                     "SC2016,SC1091,SC2034", "-"], input=script.encode(),
                                    capture_output=True)
                codes = sorted(set(re.findall(r"\[(SC\d+)\]", sc.stdout.decode())))
                if codes:
                    found.append(Finding("shellcheck", f"{where} {','.join(codes)}",
                                         sc.stdout.decode()[-400:]))
            self.cache[key] = found
        return self.cache[key]


# --- generated files ---------------------------------------------------------------------------

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


# --- running a case ---------------------------------------------------------------------------

def run_cli(argv: list[str]) -> tuple[int | None, str, str, str | None]:
    """(exit code, stdout, stderr, traceback of an exception that escaped main)."""
    out, err = io.StringIO(), io.StringIO()
    code, exc = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Exception:
            exc = traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), exc


def command_name(argv: list[str]) -> str:
    name = " ".join(argv[:2]) if argv[0] == "ci" else argv[0]
    extra = [flag for flag in ("--all", "--previous") if flag in argv]
    if argv[0] == "plan" and "--json" not in argv:
        extra.append("(table)")
    return " ".join([name, *extra])


def _crash_site(tb: str) -> str:
    frames = re.findall(r'File "[^"]*?(layerkit/[^"]+)", line \d+, in (\S+)', tb)
    last = tb.strip().splitlines()[-1].split(":")[0] if tb.strip() else "?"
    return f"{last} in {frames[-1][0]}:{frames[-1][1]}" if frames else last


def check_result(argv: list[str], code: int | None, out: str, err: str, exc: str | None
                 ) -> list[Finding]:
    name = command_name(argv)
    if exc is not None:
        return [Finding("crash", _crash_site(exc), exc[-1500:])]
    found = []
    allowed = {"diff": {1, 2}, "lint": {0, 1, 2}}.get(name, {0, 2})
    if code not in allowed:
        found.append(Finding("exit-code", f"exit {code}", err[-500:]))
    if "Traceback" in err:
        found.append(Finding("traceback-in-stderr", "", err[-800:]))
    if CONTROL_LINE.search(err.replace("\n", "")):
        found.append(Finding("control-char-in-stderr", "", repr(err[:400])))
    if CONTROL.search(out):
        found.append(Finding("control-char-in-stdout", "", repr(out[:400])))
    lines = err.splitlines()
    if code:
        if not lines:
            found.append(Finding("stderr-format", f"exit {code} says nothing"))
        for line in lines:
            if line.startswith("error: forged") or "\nerror: forged" in out:
                found.append(Finding("forged-line", "", line[:300]))
            if not line.startswith("error: "):
                found.append(Finding("stderr-format", "a line without 'error: '",
                                     line[:300]))
            elif not _names_a_file(line, argv):
                shape = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)|\d+", "…", line)[:120]
                found.append(Finding("error-names-no-file", shape, line[:300]))
    if code == 0 and "--json" in argv:
        try:
            json.loads(out, parse_constant=_no_constant, parse_float=_finite)
        except ValueError as e:
            found.append(Finding("json-output", str(e)[:60], out[:300]))
    return found


def _names_a_file(line: str, argv: list[str]) -> bool:
    """`error: <file or option>: ...`: a path, an option, or a path given on the command
    line."""
    head = line.removeprefix("error: ").split(": ", 1)[0]
    return bool(re.search(r"[/.]|--|^Invalid value for '", head)) or head in argv


ERROR_KEY = re.compile(r"error: (?P<file>[^:]+\.(?:toml|json)): (?P<key>[A-Za-z_][\w-]*"
                       r"(?:\[\d+\]|\.[A-Za-z_][\w-]*)*): (?P<rest>.*)")
PY_STR = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def check_error_keys(root: Path, lines: list[str], docs: dict[str, Any]) -> list[Finding]:
    """An error naming `file: key[i]: 'value' ...` names the key that holds that value.
    docs: the files read so far (None: unreadable)."""
    found = []
    for line in lines:
        m = ERROR_KEY.fullmatch(line)
        if m and m["file"] not in docs:
            docs[m["file"]] = _document(root / m["file"])
        if not m or (value := docs[m["file"]]) is None:
            continue
        try:
            for part in re.findall(r"[A-Za-z_][\w-]*|\[\d+\]", m["key"]):
                value = value[int(part[1:-1]) - 1] if part.startswith("[") else value[part]
        except IndexError:
            found.append(Finding("error-names-wrong-key", "an index past the list's end", line))
            continue
        except (KeyError, TypeError):
            continue
        quoted = PY_STR.match(m["rest"])
        try:
            said = ast.literal_eval(quoted.group()) if quoted else None
        except (ValueError, SyntaxError):
            said = None
        if isinstance(said, str) and isinstance(value, str) and said not in value:
            found.append(Finding("error-names-wrong-key", "the value is not at that key",
                                 f"{line[:200]} (that key holds {value!r:.60})"))
    return found


def _document(path: Path) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > 1 << 20:
            return None
        text = path.read_text()
        return json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, OSError, RecursionError):
        return None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} in JSON output")


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is not finite")
    return value


def _treefile_inside(image: Path) -> list[Finding]:
    try:
        tree = tomllib.loads(image.read_text())["base_source"]["treefile"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    inside = (image.parent / tree).resolve().is_relative_to(image.parent.resolve())
    return [] if inside else [Finding("path-outside-folder", "base_source.treefile", tree)]


def _snapshot(root: Path) -> set[tuple[str, int]]:
    """Every path under root with its size and mtime (what a write would change)."""
    out = set()
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            st = os.lstat(os.path.join(d, n))
            out.add((os.path.join(d, n), st.st_size * 10**12 + st.st_mtime_ns % 10**12))
    return out


def run_case(case: Case, root: Path, shell: Shell, progress=lambda argv: None
             ) -> dict[str, Any]:
    case.write(root)
    os.chdir(root)
    findings: list[tuple[list[str], Finding]] = []
    outcomes: dict[str, str] = {}
    docs: dict[str, Any] = {}
    for argv in case.commands:
        progress(argv)
        name = command_name(argv)
        before = _snapshot(root)
        code, out, err, exc = run_cli(argv)
        outcomes[name] = "crash" if exc is not None else str(code)
        found = check_result(argv, code, out, err, exc)
        if code == 0 and argv[0] == "generate":
            found += check_context(root / argv[argv.index("-o") + 1], root, argv[1], shell)
        elif code == 0 and argv[0] == "ci":
            for wf in sorted((root / "wf").glob("*.yml")):
                found += check_workflow(wf, shell)
            found += _treefile_inside(root / argv[2])
        elif code == 0 and argv[0] == "rebase":
            for line in out.splitlines():  # a command, then layerkit's own `   # why`
                found += [Finding("shell-injection", f"rebase output: {p}", line[:300])
                          for p in shell_scan(line.split("   # ")[0])[1]]
        elif code and (changed := _snapshot(root) ^ before):
            found.append(Finding("written-on-failure", "", ", ".join(sorted(
                p for p, _ in changed))[:300]))
        if code == 2:
            found += check_error_keys(root, err.splitlines(), docs)
        for canary in (root / "PWNED", Path("/tmp/PWNED")):
            if canary.exists() or canary.is_symlink():
                found.append(Finding("canary", "", str(canary)))
                canary.unlink()
        findings += [(argv, f) for f in found]
        for sub in ("out", "wf"):
            shutil.rmtree(root / sub, ignore_errors=True)
    return {"outcomes": outcomes, "mutated": bool(case.mutations),
            "findings": [{"argv": a, "cls": f.cls, "detail": f.detail, "excerpt": f.excerpt}
                         for a, f in findings]}


# --- the pool -----------------------------------------------------------------------------------

def _worker(conn: Connection, seed: str, base: Path, shellcheck: bool) -> None:
    os.setpgrp()  # a hung case is killed with everything it started
    shell = Shell(shellcheck)
    while (index := conn.recv()) is not None:
        root = base / f"case-{index}"
        root.mkdir()
        try:
            result = run_case(make_case(seed, index), root, shell,
                              lambda argv, i=index: conn.send(("cmd", i, argv)))
        finally:
            os.chdir(base)
            shutil.rmtree(root, ignore_errors=True)
        conn.send(("done", index, result))


@dataclass
class Slot:
    proc: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0
    argv: list[str] | None = None


class Pool:
    def __init__(self, jobs: int, seed: str, base: Path, shellcheck: bool):
        self.ctx, self.seed, self.base, self.shellcheck = get_context("fork"), seed, base, \
            shellcheck
        self.slots = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> Slot:
        mine, theirs = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(theirs, self.seed, self.base,
                                                      self.shellcheck), daemon=True)
        proc.start()
        return Slot(proc, mine)

    def _replace(self, slot: Slot) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(slot.proc.pid, signal.SIGKILL)
        slot.proc.kill()
        slot.proc.join()
        if slot.index is not None:
            shutil.rmtree(self.base / f"case-{slot.index}", ignore_errors=True)
        self.slots[self.slots.index(slot)] = self._spawn()

    def run(self, indices: list[int], timeout: float):
        """Yields (index, result) as cases finish; a hang or a dead worker is a result."""
        todo = list(reversed(indices))
        while todo or any(s.index is not None for s in self.slots):
            for slot in self.slots:
                if slot.index is None and todo:
                    slot.index, slot.started, slot.argv = todo.pop(), time.monotonic(), None
                    slot.conn.send(slot.index)
            busy = {s.conn: s for s in self.slots if s.index is not None}
            for conn in wait(list(busy), timeout=0.2):
                slot = busy[conn]  # type: ignore[index]
                try:
                    kind, index, payload = conn.recv()
                except EOFError:
                    yield slot.index, _lost(slot, "worker-died", "the worker process died")
                    self._replace(slot)
                    continue
                if kind == "cmd":
                    slot.argv = payload
                else:
                    slot.index = None
                    yield index, payload
            for slot in list(self.slots):
                if slot.index is not None and time.monotonic() - slot.started > timeout:
                    yield slot.index, _lost(slot, "hang", f"no result after {timeout:g} s")
                    self._replace(slot)

    def close(self) -> None:
        for slot in self.slots:
            with contextlib.suppress(OSError):
                slot.conn.send(None)
            slot.proc.join(5)


def _lost(slot: Slot, cls: str, why: str) -> dict[str, Any]:
    argv = slot.argv or ["?"]
    return {"outcomes": {command_name(argv): cls}, "mutated": True,
            "findings": [{"argv": argv, "cls": cls, "detail": command_name(argv),
                          "excerpt": why}]}


# --- the report -----------------------------------------------------------------------------------

class Report:
    """Outcome counts, and each defect once per signature with its smallest reproducer."""

    def __init__(self, seed: str):
        self.seed, self.runs = seed, 0
        self.by_command: dict[str, dict[str, int]] = {}
        self.cases: dict[str, int] = {}
        self.defects: dict[str, dict[str, Any]] = {}

    def add(self, index: int, result: dict[str, Any]) -> None:
        self.runs += 1
        codes = set(result["outcomes"].values())
        for name, outcome in result["outcomes"].items():
            counts = self.by_command.setdefault(name, {})
            counts[outcome] = counts.get(outcome, 0) + 1
        kind = "with-defects" if result["findings"] else "all-accepted" if codes == {"0"} \
            else "all-rejected" if "0" not in codes else "mixed"
        kind += "" if result["mutated"] or kind != "all-rejected" else " (unmutated)"
        self.cases[kind] = self.cases.get(kind, 0) + 1
        for f in result["findings"]:
            signature = f"{f['cls']}: {f['detail']}".rstrip(": ")
            size = make_case(self.seed, index).size
            d = self.defects.setdefault(signature, {"class": f["cls"], "signature": signature,
                                                    "count": 0, "commands": [],
                                                    "size": size + 1})
            d["count"] += 1
            name = command_name(f["argv"]) if f["argv"] != ["?"] else "?"
            d["commands"] = sorted({*d["commands"], name})
            if size < d["size"]:
                d.update(size=size, case=f"{self.seed}:{index}", argv=f["argv"],
                         excerpt=f["excerpt"])

    def to_json(self, elapsed: float, jobs: int) -> dict[str, Any]:
        defects = []
        for d in sorted(self.defects.values(), key=lambda d: (d["class"], d["signature"])):
            seed, index = d["case"].rsplit(":", 1)
            case = make_case(seed, int(index))
            defects.append({**{k: v for k, v in d.items() if k != "size"},
                            "replay": f"python3 tests/fuzz.py --replay {d['case']} --dir DIR",
                            "mutations": case.mutations, "files": case.describe()})
        classes: dict[str, int] = {}
        for d in defects:
            classes[d["class"]] = classes.get(d["class"], 0) + d["count"]
        return {"runs": self.runs, "seed": self.seed, "jobs": jobs,
                "elapsed_s": round(elapsed, 1), "runs_per_s": round(self.runs / elapsed, 1),
                "code": _git_state(), "cases": self.cases, "outcomes": self.by_command,
                "defect_classes": classes, "signatures": len(defects), "defects": defects}


def _git_state() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "layerkit"],
                               capture_output=True, text=True).stdout.splitlines()
    except OSError:
        return "unknown"
    if not head:
        return f"not a git checkout: {repo}"
    return f"{head}{f' + {len(dirty)} changed files under layerkit/' if dirty else ''}"


def replay(case_id: str, where: Path, shellcheck: bool, timeout: float) -> int:
    """Write case `case_id` into `where`, print its commands, then run it (in a worker,
    so a hang is reported as one) and print what it found."""
    seed, index = case_id.rsplit(":", 1)
    case = make_case(seed, int(index))
    where.mkdir(parents=True, exist_ok=False)
    case.write(where)
    print(f"case {case_id} in {where}: {_show('; '.join(case.mutations)) or 'no mutation'}")
    for argv in case.commands:
        print(f"  layerkit {_show(shlex.join(argv))}")
    with tempfile.TemporaryDirectory(prefix="layerkit-replay.") as base:
        pool = Pool(1, seed, Path(base), shellcheck)
        try:
            findings = [f for _, r in pool.run([int(index)], timeout) for f in r["findings"]]
        finally:
            pool.close()
    for f in findings:
        print(_show(f"{f['cls']}: {f['detail']}\n  layerkit {shlex.join(f['argv'])}\n  "
                    f"{f['excerpt'][:600]}"))
    return 1 if findings else 0


def _show(text: str) -> str:
    """For a terminal: control characters (but newlines) escaped."""
    return CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def main_fuzz(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fuzz layerkit's commands with generated, "
                                 "mutated projects; check the promise on every result.")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per case (a case "
                    "takes well under 2 s; longer is a hang)")
    ap.add_argument("--report", type=Path, help="write the JSON report here")
    ap.add_argument("--no-shellcheck", action="store_true")
    ap.add_argument("--workdir", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None,
                    help="where cases are written (default: /dev/shm, a tmpfs, when writable)")
    ap.add_argument("--replay", metavar="SEED:INDEX", help="write and rerun one case")
    ap.add_argument("--dir", type=Path, help="where --replay writes the case")
    args = ap.parse_args(argv)
    if args.replay:
        where = args.dir or Path(tempfile.mkdtemp(prefix="layerkit-case.")) / "case"
        return replay(args.replay, where, not args.no_shellcheck, args.timeout)
    report, start, last = Report(args.seed), time.monotonic(), 0.0
    with tempfile.TemporaryDirectory(prefix="layerkit-fuzz.", dir=args.workdir) as base:
        pool = Pool(args.jobs, args.seed, Path(base), not args.no_shellcheck)
        try:
            for index, result in pool.run(list(range(args.runs)), args.timeout):
                report.add(index, result)
                if time.monotonic() - last > 10:
                    last = time.monotonic()
                    print(f"{report.runs}/{args.runs} runs, {len(report.defects)} defect "
                          f"signatures", file=sys.stderr)
        finally:
            pool.close()
    data = report.to_json(time.monotonic() - start, args.jobs)
    if args.report:
        args.report.write_text(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    print(f"{data['runs']} runs in {data['elapsed_s']} s ({data['runs_per_s']}/s), "
          f"{data['signatures']} defect signatures")
    for cls, count in sorted(data["defect_classes"].items()):
        print(f"  {cls}: {count} occurrences")
    return 1 if data["defects"] else 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
