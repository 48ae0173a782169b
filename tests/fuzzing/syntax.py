"""Shell and systemd syntax as the checks read it: live expansions in a sh command, unit
values split and unquoted as systemd does, `bash -n` and shellcheck (cached)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

from .finding import Finding

ALLOWED_EXPANSIONS = ("$VERSION_ID", "${VERSION_ID:+")


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
