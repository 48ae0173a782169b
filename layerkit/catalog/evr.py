"""RPM version ordering and source package names.

- `vercmp` / `EVR`: rpm's version ordering (segments of digits and letters, `~` sorts
  before anything, `^` after the version but before a longer one), to keep the newest build
  of a name when a repository carries several.
- `srpm_name`: the source package's name from a `foo-1.2-3.fc42.src.rpm` file name.
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"([0-9]+)|([A-Za-z]+)")


def vercmp(a: str, b: str) -> int:
    """Compare two version (or release) strings the way rpm does: -1, 0 or 1."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not a[i].isalnum() and a[i] not in "~^":
            i += 1
        while j < len(b) and not b[j].isalnum() and b[j] not in "~^":
            j += 1
        ta, tb = a[i:i + 1], b[j:j + 1]
        if ta == "~" or tb == "~":  # pre-release: sorts before everything, even the end
            if ta != tb:
                return -1 if ta == "~" else 1
            i, j = i + 1, j + 1
            continue
        if ta == "^" or tb == "^":  # post-release snapshot: after the end, before more version
            if not ta:
                return -1
            if not tb:
                return 1
            if ta != tb:
                return 1 if ta != "^" else -1
            i, j = i + 1, j + 1
            continue
        if not (ta and tb):
            break
        ma, mb = _SEGMENT.match(a, i), _SEGMENT.match(b, j)
        assert ma and mb  # both start with an alphanumeric character here
        numeric = ma.group(1) is not None
        if numeric != (mb.group(1) is not None):
            return 1 if numeric else -1  # a number beats letters
        sa, sb = ma.group(0), mb.group(0)
        i, j = ma.end(), mb.end()
        if numeric:
            sa, sb = sa.lstrip("0"), sb.lstrip("0")
            if len(sa) != len(sb):
                return 1 if len(sa) > len(sb) else -1
        if sa != sb:
            return 1 if sa > sb else -1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


class EVR:
    """An (epoch, version, release) that orders like rpm does (missing epoch = 0)."""

    __slots__ = ("epoch", "version", "release")

    def __init__(self, epoch: int | None, version: str, release: str) -> None:
        self.epoch, self.version, self.release = epoch or 0, version, release

    def _cmp(self, other: EVR) -> int:
        if self.epoch != other.epoch:
            return 1 if self.epoch > other.epoch else -1
        return vercmp(self.version, other.version) or vercmp(self.release, other.release)

    def __lt__(self, other: EVR) -> bool:
        return self._cmp(other) < 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EVR) and self._cmp(other) == 0

    def __hash__(self) -> int:  # equal EVRs may differ in spelling ("01" == "1"): coarse hash
        return hash(self.epoch)

    def __str__(self) -> str:
        prefix = f"{self.epoch}:" if self.epoch else ""
        return f"{prefix}{self.version}-{self.release}"


def srpm_name(sourcerpm: str) -> str:
    """`foo-bar-1.2-3.fc42.src.rpm` → `foo-bar` (version and release never contain '-').
    Returns "" for rpm's "(none)" or an empty value."""
    s = sourcerpm.strip()
    if not s or s == "(none)":
        return ""
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    parts = s.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else s
