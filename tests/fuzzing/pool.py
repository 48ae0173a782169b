"""Worker processes that run cases, one at a time each: a case that runs longer than the
timeout is a hang, and its worker is killed with everything it started and replaced."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .cases import make_case
from .checks import command_name
from .run_case import run_case
from .syntax import Shell


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
