"""Build progress: a live line on a terminal, plain lines when piped (CI logs)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .terminal import printable


class LiveEvents:
    """A spinner with the current step on a terminal (engine.build.Events)."""

    def __init__(self, console: Console):
        self.console = console
        self.progress: Progress | None = None
        self.task = None

    def start(self, what: str) -> None:
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self.progress.start()
        self.task = self.progress.add_task(what, total=None)

    def step(self, n: int, total: int, what: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=f"step {n}/{total} {what}")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def say(self, text: str) -> None:
        self.console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


class PlainEvents:
    """One line per step with the time since the build started, for logs."""

    def __init__(self, console: Console):
        self.console = console
        self.started = time.monotonic()

    def start(self, what: str) -> None:
        self.say(f"{what} …")

    def step(self, n: int, total: int, what: str) -> None:
        self.say(f"step {n}/{total} {what} ({time.monotonic() - self.started:.1f}s)")

    def stop(self) -> None:
        pass

    def say(self, text: str) -> None:
        self.console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


def events(console: Console) -> LiveEvents | PlainEvents:
    return LiveEvents(console) if console.is_terminal else PlainEvents(console)
