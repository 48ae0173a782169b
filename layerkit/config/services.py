"""Reading a recipe's `[[units]]` (services, optionally started by a timer) and its
`systemd` table (units the base ships: enable, disable, mask). Format:
docs/formats.md#services."""

from __future__ import annotations

import re
import shlex

from . import patterns
from .recipe import RunWhen, Scope, ServiceSpec, SystemdSpec
from .toml import Table

SECTIONS = {"unit": "Unit", "service": "Service", "install": "Install"}
OPTION = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
# written by layerkit itself (a second line would change their meaning)
MANAGED = {("Unit", "Description"), ("Service", "Type"), ("Service", "ExecStart"),
           ("Service", "RemainAfterExit"), ("Service", "StateDirectory")}


def parse_service(t: Table) -> ServiceSpec | None:
    t.check_keys({"name", "description", "exec", "run", "after", "wants", "network", "scope",
                  *SECTIONS, "timer"})
    name = t.get("name", str)
    if name is not None and not (patterns.UNIT_NAME.fullmatch(name)
                                 and name.endswith(".service")):
        t.error("name", f"{name!r} is not a service unit name like \"my-setup.service\"")
    description = t.text("description", "")
    if description and description.endswith("\\"):
        # systemd would join the next line to it
        t.error("description", "must not end with a backslash")
        description = None
    argv = _argv(t)
    run = t.enum("run", RunWhen, RunWhen.ONCE)
    after = t.str_list("after", patterns.UNIT_NAME, "a unit name")
    wants = t.str_list("wants", patterns.UNIT_NAME, "a unit name")
    network = t.get("network", bool, False)
    scope = t.enum("scope", Scope, Scope.SYSTEM)
    options = tuple((section, k, v) for key, section in SECTIONS.items()
                    for k, v in _options(t, key, section))
    timer = tuple(_options(t, "timer", "Timer"))
    if "timer" in t.data and not timer:
        t.error("timer", "give at least one [Timer] setting, like OnCalendar = \"weekly\"")
    if name is None or argv is None or run is None or scope is None or description is None:
        return None
    return ServiceSpec(name=name, description=description, exec=argv, run=run,
                       after=tuple(after), wants=tuple(wants), network=bool(network),
                       scope=scope, options=options, timer=timer)


def _options(t: Table, key: str, section: str) -> list[tuple[str, str]]:
    """A table of systemd settings passed through: `Name = value` or a list of values
    (one line each); values are one line each and may use systemd's specifiers."""
    table = t.table(key)
    if table is None:
        return []
    out = []
    for name, value in table.data.items():
        where = f"{key}.{name}"
        if not OPTION.fullmatch(name):
            t.error(where, "is not a systemd setting name like ExecStartPre")
            continue
        if (section, name) in MANAGED:
            t.error(where, "is written by layerkit (use the unit's own keys)")
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            text = str(v).lower() if isinstance(v, bool) else str(v)
            if isinstance(v, (dict, list, float)) or not patterns.clean_text(text) or \
                    text.endswith("\\") or not text:
                t.error(where, "expected one-line text, a whole number or true/false")
                break
            out.append((name, text))
    return out


def parse_systemd(t: Table) -> SystemdSpec:
    t.check_keys({"enable", "disable", "mask"})
    lists = {key: t.str_list(key, patterns.UNIT_NAME, "a unit name")
             for key in ("enable", "disable", "mask")}
    both = set(lists["enable"]) & (set(lists["disable"]) | set(lists["mask"]))
    for unit in sorted(both):
        t.error("enable", f"{unit!r} is also disabled or masked")
    return SystemdSpec(tuple(lists["enable"]), tuple(lists["disable"]), tuple(lists["mask"]))


def _argv(t: Table) -> tuple[str, ...] | None:
    raw = t.get("exec", (str, list), what="a command line or a list of arguments")
    if raw is None:
        return None
    try:
        argv = shlex.split(raw) if isinstance(raw, str) else list(raw)
    except ValueError as e:
        t.error("exec", f"cannot split: {e}")
        return None
    if not argv or not all(isinstance(a, str) for a in argv):
        t.error("exec", "expected a non-empty list of strings")
        return None
    if not argv[0].startswith("/"):
        t.error("exec", f"{argv[0]!r}: the program must be an absolute path")
        return None
    if not all(patterns.clean_text(a) for a in argv):
        t.error("exec", "arguments must not contain newlines or control characters")
        return None
    return tuple(argv)
