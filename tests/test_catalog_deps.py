"""Version ordering, source names, rich dependencies and name resolution."""

from __future__ import annotations

import itertools
import shutil

import pytest

from layerkit.catalog.deps import Resolver, parse_rich
from layerkit.catalog.evr import EVR, srpm_name, vercmp
from layerkit.tools.run import run

VERSIONS = ["1.0", "1.0.0", "1.00", "1.0a", "1.0.1", "1.1", "1.01", "2", "10", "9.9",
            "1.0~rc1", "1.0~rc2", "1.0~~", "1.0^", "1.0^git1", "1.0^git1~pre", "1.0.a",
            "a", "b", "1a", "1_0", "1.0+x", "5.5p1", "5.5p10", "5.5p2", "xyz10", "xyz10.1",
            "10xyz", "10.1xyz", "2.0.1a", "~", "^", "0001", "1.0.0.0", "1.0~rc1^git2"]


@pytest.mark.parametrize(("a", "b", "want"), [
    ("1.0", "1.0", 0), ("1.0", "2.0", -1), ("2.0.1", "2.0", 1), ("5.5p2", "5.5p10", -1),
    ("1.0~rc1", "1.0", -1), ("1.0^git1", "1.0", 1), ("1.0^git1", "1.0.1", -1),
    ("1", "a", 1), ("1.01", "1.1", 0), ("10xyz", "10.1xyz", -1),
])
def test_vercmp_known_cases(a: str, b: str, want: int) -> None:
    assert vercmp(a, b) == want
    assert vercmp(b, a) == -want


def test_vercmp_agrees_with_rpm_on_every_pair() -> None:
    assert shutil.which("rpm"), "rpm missing: .ci/run installs Debian's rpm package"
    pairs = list(itertools.product(VERSIONS, repeat=2))
    lua = " ".join(f'print(rpm.vercmp("{a}", "{b}")) print(" ")' for a, b in pairs)
    proc = run(["rpm", "--eval", f"%{{lua: {lua}}}"], check=False)
    assert proc.returncode == 0, proc.stderr.decode()[-300:]
    out = proc.stdout.decode().split()
    theirs = [max(-1, min(1, int(x))) for x in out]
    ours = [vercmp(a, b) for a, b in pairs]
    assert [p for p, t, o in zip(pairs, theirs, ours, strict=True) if t != o] == []


def test_evr_orders_epoch_first() -> None:
    assert EVR(None, "9", "1") < EVR(1, "0.1", "1")
    assert EVR(0, "1.0", "2") == EVR(None, "1.0", "2")
    assert str(EVR(2, "0.5", "1")) == "2:0.5-1" and str(EVR(0, "1", "1")) == "1-1"


@pytest.mark.parametrize(("srpm", "name"), [
    ("foo-1.2-3.fc42.src.rpm", "foo"), ("python-foo-bar-0.1-0.2.git1.fc42.src.rpm",
                                        "python-foo-bar"),
    ("kernel-6.11.4-301.fc41.nosrc.rpm", "kernel"), ("(none)", ""), ("", ""),
])
def test_srpm_name(srpm: str, name: str) -> None:
    assert srpm_name(srpm) == name


def test_parse_rich_nesting_and_versions() -> None:
    assert parse_rich("(a or (b >= 2.0-1 and c))") == ("or", ["a", ("and", ["b", "c"])])
    assert parse_rich("(a if b else c)") == ("if-else", ["a", "b", "c"])
    assert parse_rich("(foo >= 1 with foo < 2)") == ("with", ["foo", "foo"])
    for bad in ("(a or b", "a or b", "(a) b"):
        with pytest.raises(ValueError):
            parse_rich(bad)


def _resolver(installed: bool) -> Resolver:
    return Resolver({"bash": ["/bin/sh-cap"], "glibc": ["libc.so.6()(64bit)", "rtld(GNU_HASH)"],
                     "impl": ["webthing"], "alt-impl": ["webthing"], "a": [], "b": []},
                    {"bash": ["/usr/bin/sh", "/usr/bin/bash"], "util": ["/usr/sbin/tool"]},
                    installed=installed)


def test_resolve_plain_versioned_file_and_virtual() -> None:
    r = _resolver(True)
    deps, missing = r.resolve("x", ["libc.so.6()(64bit)", "rpmlib(PayloadIsZstd)", "bash",
                                    "/bin/sh", "/sbin/tool", "/usr/sbin/sh", "webthing",
                                    "gone"])
    assert deps == ["alt-impl", "bash", "glibc", "util"]  # webthing: first of two, by name
    assert missing == ["gone"]


def test_resolve_prefers_self_and_same_name() -> None:
    r = _resolver(True)
    assert r.resolve("impl", ["webthing"]) == ([], [])
    assert r.resolve("x", ["a"]) == (["a"], [])


def test_rich_conditions_depend_on_the_set_kind() -> None:
    reqs = ["(a if glibc)", "(b unless glibc)", "(a if nothere else b)", "(nothere or a)",
            "(x1 or x2)", "(glibc without bash)"]
    deps, missing = _resolver(True).resolve("me", reqs)
    assert deps == ["a", "b", "glibc"] and missing == ["(x1 or x2)"]
    deps, missing = _resolver(False).resolve("me", reqs)  # repository: conditions do not hold
    assert deps == ["a", "b", "glibc"] and missing == ["(x1 or x2)"]
    assert _resolver(False).resolve("me", ["(a if glibc)"]) == ([], [])
    assert _resolver(False).resolve("me", ["(b unless glibc)"]) == (["b"], [])
