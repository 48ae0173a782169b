"""Build progress: a live line on a terminal, plain lines when piped (CI logs); quiet
shows only results, verbose adds buildah's own output."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .terminal import Detail, printable


class LiveEvents:
    """A spinner with the current step on a terminal (engine.options.Events)."""

    def __init__(self, console: Console, detail: Detail = Detail.NORMAL):
        self.console, self.detail = console, detail
        self.progress: Progress | None = None
        self.task = None

    def start(self, what: str) -> None:
        if self.detail is Detail.QUIET:
            return
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self.progress.start()
        self.task = self.progress.add_task(what, total=None)

    def step(self, n: int, total: int, what: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=f"step {n}/{total} {what}")

    def output(self, line: str) -> None:
        if self.detail is Detail.VERBOSE:
            self.console.print(printable(line), markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def say(self, text: str) -> None:
        self.console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


class PlainEvents:
    """One line per step with the time since the build started, for logs."""

    def __init__(self, console: Console, detail: Detail = Detail.NORMAL):
        self.console, self.detail = console, detail
        self.started = time.monotonic()

    def _line(self, text: str) -> None:
        self.console.print(printable(text), markup=False, highlight=False, soft_wrap=True)

    def start(self, what: str) -> None:
        if self.detail is not Detail.QUIET:
            self._line(f"{what} ({self._elapsed()})")

    def step(self, n: int, total: int, what: str) -> None:
        if self.detail is not Detail.QUIET:
            self._line(f"step {n}/{total} {what} ({self._elapsed()})")

    def output(self, line: str) -> None:
        if self.detail is Detail.VERBOSE:
            self._line(f"  | {line}")

    def stop(self) -> None:
        pass

    def say(self, text: str) -> None:
        self._line(text)

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.1f}s"


def events(console: Console, detail: Detail = Detail.NORMAL) -> LiveEvents | PlainEvents:
    return (LiveEvents if console.is_terminal else PlainEvents)(console, detail)
