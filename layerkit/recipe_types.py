"""Types shared by recipes and the sections that render to units."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RunWhen(StrEnum):
    ONCE = "once"  # first boot of the machine (stamp in /var)
    EACH_DEPLOYMENT = "each-deployment"  # once per deployed image version
    EVERY_BOOT = "every-boot"


class Scope(StrEnum):
    SYSTEM = "system"  # the system manager, as root
    USER = "user"  # every user's manager, at login (not for system accounts)


@dataclass(frozen=True)
class UnitSpec:
    name: str
    description: str
    exec: tuple[str, ...]
    run: RunWhen
    after: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()
    network: bool = False
    scope: Scope = Scope.SYSTEM
    more: tuple[tuple[str, ...], ...] = ()  # further commands, run in order after exec
