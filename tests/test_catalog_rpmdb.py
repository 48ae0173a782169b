"""The rpmdb reader and changelog counts against a real rpm root built from the fixture
packages (standin/repodata.py)."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from layerkit.catalog.changelog import changelog_period, count_updates, merge_by_name
from layerkit.catalog.image import from_root
from layerkit.catalog.rpmdb import InstalledPackage, find_db, parse_query_output, read_root
from layerkit.config.catalog import Evidence
from layerkit.errors import LayerkitError
from standin.repodata import DBPATH, SOURCES, Fixture, noon

DEPENDS = {"libbig": (), "suite-core": ("libbig", "suite-data"), "suite-data": (),
           "shellish": (), "tool-a": ("libbig", "shellish", "suite-core"), "impl": (),
           "app": ("big-data", "impl", "libbig", "tool-a"), "tool-b": (), "big-data": ()}
UNRESOLVED = {"tool-a": ("/bin/sh",), "app": ("(nothere or alsonot)",)}  # %post adds /bin/sh


@pytest.fixture(scope="module")
def installed(fx: Fixture) -> list[InstalledPackage]:
    return read_root(fx.root, "fixture")


def test_every_installed_package_with_its_numbers(installed):
    want = {}
    for src in SOURCES:
        if not src.installed:
            continue
        for b in src.bins:
            for target in src.targets:
                want[(b.name, target)] = (src.epoch, src.version, src.release, src.name,
                                          sum(b.files.values()), noon(src.built),
                                          tuple(noon(d) for d, _ in src.changelog))
    got = {(p.name, p.arch): (p.epoch, p.version, p.release, p.source, p.installed_size,
                              p.build_time, p.changelog) for p in installed}
    assert got == want


def test_requires_resolve_to_installed_names(installed):
    assert {p.name: p.depends for p in installed} == DEPENDS
    assert {p.name: p.unresolved for p in installed if p.unresolved} == UNRESOLVED


def test_multilib_pair_merges_into_one_name(installed):
    merged = merge_by_name(installed)
    assert len(installed) == 10 and len(merged) == 9
    assert merged["libbig"].installed_size == 2 * 300_000


def test_changelog_updates_over_the_stated_period(fx: Fixture):
    found = from_root(fx.root, years=1.0)
    # a year (365 days) before the newest build; the first day belongs to the year before
    assert found.period == (date(2023, 6, 2), date(2024, 6, 1))
    assert {n: f.observed.updates for n, f in found.packages.items()} == {
        "libbig": 2,  # 2024-05-20, 2024-02-10 (2023-01-15 is older)
        "suite-core": 3,  # two entries on 2024-04-01 count once, 2023-12-24, 2023-08-01
        "suite-data": 3, "tool-a": 1, "app": 1,
        "tool-b": 1,  # 2024-05-31; 2023-06-02 is the period's start, not inside it
        "big-data": 0, "impl": 0, "shellish": 0}
    assert {f.observed.evidence for f in found.packages.values()} == {Evidence.CHANGELOG}
    assert found.packages["suite-core"].source == "suite"
    assert found.packages["suite-core"].version == "1:2.0-3"


def test_count_updates_counts_days():
    period = (date(2023, 12, 31), date(2024, 12, 31))
    stamps = [noon(date(2024, 3, 1)), noon(date(2024, 3, 1)) + 3600, noon(date(2023, 12, 31)),
              noon(date(2024, 12, 31)), noon(date(2025, 1, 1))]
    assert count_updates(stamps, period) == 2
    assert count_updates([], period) == 0
    with pytest.raises(LayerkitError, match="no package has a build time"):
        changelog_period([], 1.0, "img")


def test_the_query_leaves_the_image_untouched(fx: Fixture, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(fx.root, root)
    db = root / DBPATH.lstrip("/")
    for f in ("rpmdb.sqlite-shm", "rpmdb.sqlite-wal", ".rpm.lock"):
        (db / f).unlink(missing_ok=True)
    assert len(read_root(root, "img")) == 10
    assert sorted(os.listdir(db)) == ["rpmdb.sqlite"]


def test_find_db_follows_links_inside_the_root(fx: Fixture, tmp_path: Path):
    assert find_db(fx.root, "fx") == (fx.root / DBPATH.lstrip("/"), "sqlite")
    real = tmp_path / "img/usr/lib/sysimage/rpm-elsewhere"
    real.mkdir(parents=True)
    shutil.copy(fx.root / DBPATH.lstrip("/") / "rpmdb.sqlite", real)
    (tmp_path / "img/var/lib").mkdir(parents=True)
    os.symlink("/usr/lib/sysimage/rpm-elsewhere", tmp_path / "img/var/lib/rpm")  # absolute
    assert find_db(tmp_path / "img", "img")[0] == real
    assert len(read_root(tmp_path / "img", "img")) == 10


def test_find_db_never_leaves_the_root(fx: Fixture, tmp_path: Path):
    (tmp_path / "img/var/lib").mkdir(parents=True)
    host_db = str(fx.root / DBPATH.lstrip("/"))  # exists on the host, not in the image
    os.symlink(host_db, tmp_path / "img/var/lib/rpm")
    (tmp_path / "img/usr/share").mkdir(parents=True)
    os.symlink("../../../../../../../../" + host_db.lstrip("/"), tmp_path / "img/usr/share/rpm")
    with pytest.raises(LayerkitError, match=r"^img: no rpm database in /usr/lib/sysimage/rpm"):
        find_db(tmp_path / "img", "img")


def test_a_corrupt_database_is_one_line(tmp_path: Path):
    db = tmp_path / "img" / DBPATH.lstrip("/")
    db.mkdir(parents=True)
    (db / "rpmdb.sqlite").write_bytes(b"not a database\n" * 100)
    with pytest.raises(LayerkitError) as e:
        read_root(tmp_path / "img", "img")
    assert e.value.problems[0].startswith("img: rpm cannot read the database (")
    assert len(e.value.problems) == 1 and "\n" not in e.value.problems[0]
    assert e.value.code == 2


def test_parse_text_quirks():
    text = ("@\tgpg-pubkey\t\t424205ea\t5f0c\t(none)\t(none)\t0\t1700000000\n"
            "@\tfoo\t3\t1.0\t1\tx86_64\tfoo-1.0-1.src.rpm\t5000000000\t1700000000\n"
            "P\tfoo\nF\t/usr/bin/odd\nname\nF\t/usr/bin/foo\n"
            "@\tbar\t\t2\t1\tnoarch\tbar-2-1.src.rpm\t10\t1700000000\nR\tfoo\nR\tfoo\n")
    got = {p.name: p for p in parse_query_output(text)}
    assert set(got) == {"foo", "bar"}
    assert got["foo"].epoch == 3 and got["foo"].evr == "3:1.0-1"
    assert got["foo"].installed_size == 5_000_000_000  # LONGSIZE, above 4 GiB
    assert got["bar"].depends == ("foo",) and got["bar"].epoch is None
    with pytest.raises(LayerkitError, match="malformed package line"):
        parse_query_output("@\tonly\ttwo\n")
    with pytest.raises(LayerkitError, match="unexpected line"):
        parse_query_output("garbage\n")
