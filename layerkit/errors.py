"""The one error type. Only the CLI turns it into an exit code and a message."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    FAILED = 1  # a build, push or remote operation failed
    BAD_INPUT = 2  # the user's input is wrong; nothing was done


class LayerkitError(Exception):
    """Carries every problem found, one line each, and the exit code they mean."""

    def __init__(self, problems: str | list[str], code: ExitCode = ExitCode.BAD_INPUT):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.code = code
        super().__init__("\n".join(self.problems))


class RegistryError(LayerkitError):
    """A registry refused or failed a request; `reason` says which, for callers that
    treat a missing image differently from a refused one."""

    NOT_FOUND = "not found"  # no such tag or repository: the reference is wrong (exit 2)
    DENIED = "denied"  # authentication or authorisation refused
    FAILED = "failed"  # unreachable, or anything else

    def __init__(self, message: str, reason: str):
        super().__init__(message, ExitCode.BAD_INPUT if reason == self.NOT_FOUND
                         else ExitCode.FAILED)
        self.reason = reason


class Problems:
    """Collects validation problems so all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise LayerkitError(self.items, ExitCode.BAD_INPUT)
