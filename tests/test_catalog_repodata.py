"""The repository readers (repomd, primary, updateinfo) against a createrepo_c repository
of the fixture packages (standin/repodata.py)."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import run_cli
from layerkit.catalog.mdstream import RepoError, decompressed
from layerkit.catalog.repodata import RepoPackage, iter_primary, load_primary, parse_repomd
from layerkit.catalog.repofetch import fetch_repomd, load_repo, open_metadata
from layerkit.catalog.updateinfo import parse_updateinfo
from layerkit.oci import compressed
from layerkit.tools.run import run
from standin.repodata import SOURCES, Fixture, noon

DEPENDS = {"libbig": (), "suite-core": ("libbig", "suite-data"), "suite-data": (),
           "shellish": (), "tool-a": ("libbig", "shellish", "suite-core"), "impl": (),
           "app": ("big-data", "impl", "libbig"),  # (tool-a if impl): no condition holds
           "tool-b": (), "big-data": ()}
DATES = {"libbig": [date(2024, 5, 20)],        # two arches, one update
         "suite-core": [date(2024, 4, 1)], "suite-data": [date(2024, 4, 1)],
         "tool-a": [date(2024, 3, 3), date(2024, 3, 5)],  # `updated` stands in; epoch seconds
         "app": [date(2024, 1, 2)]}


@pytest.fixture(scope="module")
def server(fx: Fixture) -> Iterator[str]:
    """The fixture repository over HTTP on loopback."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass
    handler = functools.partial(Quiet, directory=str(fx.repo))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _newest() -> dict[str, tuple]:
    want: dict[str, tuple] = {}
    for src in SOURCES:
        for b in src.bins:
            arch = "x86_64" if src.targets != ("noarch",) else "noarch"
            rpm = f"{b.name}-{src.version}-{src.release}.{arch}.rpm"
            want[b.name] = (arch, src.epoch or 0, src.version, src.release, rpm,
                            sum(b.files.values()), f"{src.name}-{src.version}-{src.release}"
                            ".src.rpm", src.name, noon(src.built))
    return want


def _file(p: RepoPackage) -> str:
    return f"{p.name}-{p.version}-{p.release}.{p.arch}.rpm"


def _check_primary(repo_packages: dict, fx: Fixture) -> None:
    got = {n: (p.arch, p.epoch, p.version, p.release, _file(p), p.installed_size,
               p.sourcerpm, p.source, p.build_time) for n, p in repo_packages.items()}
    assert got == _newest()
    assert {n: p.size for n, p in repo_packages.items()} == {
        n: fx.rpms[_file(p)].stat().st_size for n, p in repo_packages.items()}
    assert {n: p.depends for n, p in repo_packages.items()} == DEPENDS


def test_local_repository(fx: Fixture) -> None:
    repo = load_repo(str(fx.repo))
    _check_primary(repo.primary.packages, fx)
    assert repo.primary.versions == {"libbig": {"1.0-1": noon(date(2024, 2, 10)),
                                                "1.1-1": noon(date(2024, 6, 1))}}
    assert repo.primary.dropped_arches == {"i686": 1}
    assert repo.primary.unresolved == {"tool-a": ("/bin/sh",), "app": ("(nothere or alsonot)",)}
    assert repo.updateinfo is not None
    assert repo.updateinfo.dates == DATES
    assert repo.updateinfo.updates == 6 and repo.updateinfo.undated == ["TEST-2024-0006"]
    assert repo.updateinfo.span() == (date(2024, 1, 2), date(2024, 5, 20))
    assert repo.updateinfo.counts((date(2024, 3, 4), date(2024, 5, 20))) == {
        "app": 0, "libbig": 1, "suite-core": 1, "suite-data": 1, "tool-a": 1}


def test_over_http_and_file_urls(fx: Fixture, server: str) -> None:
    for base in (server, fx.repo.as_uri()):
        repo = load_repo(base)
        _check_primary(repo.primary.packages, fx)
        assert repo.updateinfo is not None and repo.updateinfo.dates == DATES


def test_stream_has_every_entry_and_arch_choice(fx: Fixture) -> None:
    files = fetch_repomd(str(fx.repo))
    label, stream = open_metadata(str(fx.repo), files["primary"])
    with stream:
        entries = list(iter_primary(stream, label))
    assert sorted(p.location for p in entries) == sorted(fx.rpms)
    assert {p.arch for p in entries} == {"noarch", "x86_64", "i686", "src"}
    tool_a = next(p for p in entries if p.name == "tool-a" and p.arch == "noarch")
    assert set(tool_a.files) == set()  # /usr/share is not a primary path
    shellish = next(p for p in entries if p.name == "shellish" and p.arch == "noarch")
    assert set(shellish.files) == {"/usr/bin/shellish", "/usr/bin/legacy"}
    with open_metadata(str(fx.repo), files["primary"])[1] as stream:
        i686 = load_primary(stream, label, arches=["i686", "noarch"])
    assert i686.packages["libbig"].arch == "i686" and len(i686.packages) == 9
    with open_metadata(str(fx.repo), files["primary"])[1] as stream:
        only = load_primary(stream, label, arches=["x86_64"])
    assert list(only.packages) == ["libbig"] and only.dropped_arches["noarch"] == 8


def test_updateinfo_can_skip_new_packages(fx: Fixture) -> None:
    files = fetch_repomd(str(fx.repo))
    label, stream = open_metadata(str(fx.repo), files["updateinfo"])
    with stream:
        info = parse_updateinfo(stream, label, skip_types=frozenset({"newpackage"}))
    assert "app" not in info.dates and info.updates == 5


@pytest.mark.parametrize("kind", ["xz", "bz2"])
def test_other_compressions(fx: Fixture, tmp_path: Path, kind: str) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(fx.repo, repo)
    shutil.rmtree(repo / "repodata")
    run(["createrepo_c", "-q", "--general-compress-type", kind, str(repo)])
    assert any(p.name.endswith(f"primary.xml.{kind}") for p in (repo / "repodata").iterdir())
    _check_primary(load_repo(str(repo)).primary.packages, fx)


def test_zstd(fx: Fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = gzip.decompress(_primary_bytes(fx))
    assert compressed.ZSTD is not None, "backports.zstd is a dependency below Python 3.14"
    packed = compressed.ZSTD.compress(plain)
    _check_primary(load_primary(io.BytesIO(packed), "p.xml.zst").packages, fx)
    with pytest.raises(RepoError, match=r"^p.xml.zst: (truncated|unreadable)"):
        load_primary(io.BytesIO(packed[: len(packed) // 2]), "p.xml.zst")
    monkeypatch.setattr(compressed, "ZSTD", None)
    with pytest.raises(RepoError, match=r"^p.xml.zst: zstd-compressed; needs Python 3.14"):
        load_primary(io.BytesIO(packed), "p.xml.zst")


def _primary_bytes(fx: Fixture) -> bytes:
    return next((fx.repo / "repodata").glob("*-primary.xml.gz")).read_bytes()


def test_bad_data_is_one_line_naming_the_file(fx: Fixture) -> None:
    good = _primary_bytes(fx)
    cases = {
        gzip.compress(b'<metadata xmlns="http://linux.duke.edu/metadata/common">\n<package>'):
            r"^p\.xml\.gz: malformed XML at line 2, column 9$",
        good[: len(good) // 2]: r"^p\.xml\.gz: truncated",
        b"\x1f\x8bnot gzip at all": r"^p\.xml\.gz: unreadable: ",
        b"<updates/>": r"^p\.xml\.gz: not a primary.xml",
        b"\x00ZCK1....": r"^p\.xml\.gz: zchunk is not supported",
    }
    for data, message in cases.items():
        with pytest.raises(RepoError, match=message):
            load_primary(io.BytesIO(data), "p.xml.gz")
    with pytest.raises(RepoError, match=r"^u\.xml: malformed XML"):
        parse_updateinfo(io.BytesIO(b"<updates><update></updates>"), "u.xml")
    with pytest.raises(RepoError, match=r"^r\.xml: not a repomd"):
        parse_repomd(io.BytesIO(b"<metadata/>"), "r.xml")


def test_missing_files_and_404(fx: Fixture, server: str, tmp_path: Path) -> None:
    with pytest.raises(RepoError, match=rf"^{tmp_path}/repodata/repomd.xml: no such file$"):
        load_repo(str(tmp_path))
    with pytest.raises(RepoError, match=r"/nothere/repodata/repomd.xml: HTTP 404 "):
        load_repo(server + "nothere/")
    with pytest.raises(RepoError, match=r"^http://127.0.0.1:1/repodata/repomd.xml: cannot fetch"):
        load_repo("http://127.0.0.1:1/")
    repo = tmp_path / "repo"
    shutil.copytree(fx.repo, repo)
    primary = next((repo / "repodata").glob("*-primary.xml.gz"))
    primary.unlink()
    with pytest.raises(RepoError, match=rf"^{repo}/repodata/{primary.name}: no such file$"):
        load_repo(str(repo))


def test_checksum_mismatch_is_caught(fx: Fixture, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(fx.repo, repo)
    sha = fetch_repomd(str(repo))["primary"].checksum
    repomd = repo / "repodata/repomd.xml"
    repomd.write_text(repomd.read_text().replace(f">{sha}<", f">{'0' * 64}<"))
    with pytest.raises(RepoError, match=r"-primary.xml.gz: sha256 is [0-9a-f]{64}, repomd.xml "
                                        r"says 0{64} \(a mirror in mid-sync\?\)$"):
        load_repo(str(repo))
    assert load_repo(str(repo), verify=False).primary.packages.keys() == DEPENDS.keys()


def test_repomd_entries_and_xml_base() -> None:
    text = b"""<repomd xmlns="http://linux.duke.edu/metadata/repo">
      <data type="primary"><checksum type="sha256">AB</checksum>
        <location xml:base="http://mirror.example/f42/" href="repodata/x-primary.xml.zst"/>
        <size>1234</size></data>
      <data type="updateinfo"><location href="repodata/u.xml.xz"/></data></repomd>"""
    files = parse_repomd(io.BytesIO(text), "repomd.xml")
    assert files["primary"].base == "http://mirror.example/f42/"
    assert (files["primary"].size, files["primary"].checksum) == (1234, "AB")
    assert files["updateinfo"].href == "repodata/u.xml.xz" and files["updateinfo"].base is None


def test_plain_xml_passes_through() -> None:
    assert decompressed(io.BytesIO(b"<a/>"), "x").read() == b"<a/>"


def test_updateinfo_root_and_namespaces() -> None:
    with pytest.raises(RepoError, match=r"^u\.xml: not an updateinfo.xml \(root element"):
        parse_updateinfo(io.BytesIO(b"<metadata/>"), "u.xml")
    text = (b'<updates xmlns="urn:x"><update type="bugfix"><id>A</id>'
            b'<issued date="2024-02-29T10:00:00Z"/><pkglist><collection>'
            b'<package name="p" arch="x86_64"/></collection></pkglist></update></updates>')
    assert parse_updateinfo(io.BytesIO(gzip.compress(text)), "u.xml.gz").dates == {
        "p": [date(2024, 2, 29)]}


def test_gc_is_restored() -> None:
    import gc

    from layerkit.catalog.mdstream import no_gc
    assert gc.isenabled()
    with pytest.raises(RepoError):
        load_primary(io.BytesIO(b"<bad"), "p.xml")
    assert gc.isenabled()
    with no_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_location_outside_the_repository_is_refused():
    for href in ("../../etc/passwd", "/etc/passwd", "http://elsewhere/x.xml"):
        text = ('<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary">'
                f'<location href="{href}"/></data></repomd>').encode()
        with pytest.raises(RepoError, match=r"^r\.xml: <data type='primary'>: location .* "
                                            r"leaves the repository$"):
            parse_repomd(io.BytesIO(text), "r.xml")


def test_the_command_takes_what_recipes_need_from_a_repository(fx: Fixture, tree):
    """With an image file: the recipes' packages and what they need, no more; every
    package the errata cover counted over their span (absence is a count of 0)."""
    tree.recipe("a", 'description = "x"\npackages = ["app"]\nsize = 1\nupdate = "weekly"\n')
    image = tree.image()
    out = tree.root / "catalog.json"
    result = run_cli("catalog", image, "--no-image", "--from-repo", str(fx.repo), "-o", out)
    assert result.code == 0, result.err
    data = json.loads(out.read_text())
    by = {p["name"]: p for p in data["packages"]}
    assert set(by) == {"app", "big-data", "impl", "libbig"}  # app and its closure
    assert data["period"] == ["2024-01-01", "2024-05-20"]  # the day before the first update
    assert {n: (p["updates"], p["evidence"]) for n, p in by.items()} == {
        "app": (1, "updateinfo"), "libbig": (1, "updateinfo"), "impl": (0, "updateinfo"),
        "big-data": (0, "updateinfo")}
    assert {n: tuple(p["depends"]) for n, p in by.items()} == {n: DEPENDS[n] for n in by}
    assert by["libbig"]["size"] == 300_000 and by["libbig"]["version"] == "1.1-1"
    assert "rates: 4 from updateinfo" in result.out
