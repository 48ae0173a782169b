"""`layerkit catalog` on bad sources: one line, exit 2 (1 when a server cannot be
reached), and nothing written: neither a new catalog nor a change to the old one."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import urllib.request

import pytest

from conftest import run_cli
from layerkit.oci.layout import Layout
from layerkit.tools import skopeo
from layerkit.tools.run import run
from standin.images import corrupt_rpmdb_image
from standin.servers import RepoServer, free_port

OLD = {"period": ["2026-01-01", "2026-02-01"],
       "packages": [{"name": "kept", "size": 1, "updates": 1}]}


def fails(tmp_path, code: int, *argv: str, fresh: bool = False) -> str:
    """Run `catalog ... -o OUT` over an existing catalog (or none with fresh) and check
    the error's shape and that OUT is unchanged; return the error line."""
    out = tmp_path / "catalog.json"
    if not fresh:
        out.write_text(json.dumps(OLD))
    result = run_cli("catalog", *argv, "-o", out)
    lines = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert result.code == code, result.err
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    if fresh:
        assert not out.exists()
    else:
        assert json.loads(out.read_text()) == OLD
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".catalog")] == []
    return lines[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory, fx):
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(fx.repo, root / "good")
    bad = root / "badxml" / "repodata"
    bad.mkdir(parents=True)
    (bad / "repomd.xml").write_text('<repomd xmlns="http://linux.duke.edu/metadata/repo">'
                                    '<data type="primary"><location href="x"/></data')
    srv = RepoServer(root)
    yield srv.url
    srv.stop()


def test_a_repository_that_404s(tmp_path, server):
    line = fails(tmp_path, 2, "--from-repo", server + "missing/")
    assert line.endswith("/missing/repodata/repomd.xml: HTTP 404 File not found")


def test_malformed_xml(tmp_path, server):
    line = fails(tmp_path, 2, "--from-repo", server + "badxml/", fresh=True)
    assert "badxml/repodata/repomd.xml: malformed XML at line 1, column" in line


def test_malformed_primary_in_a_local_directory(tmp_path, fx):
    repo = tmp_path / "repo"
    shutil.copytree(fx.repo, repo)
    primary = next((repo / "repodata").glob("*-primary.xml.gz"))
    primary.write_bytes(gzip.compress(b"<metadata><package type='rpm'><name>x</package>"))
    line = fails(tmp_path, 2, "--from-repo", str(repo))
    assert f"{primary}: malformed XML at line 1" in line


def test_an_unreachable_repository_is_a_failure(tmp_path):
    line = fails(tmp_path, 1, "--from-repo", f"http://127.0.0.1:{free_port()}/")
    assert "cannot fetch" in line


@pytest.mark.integration
def test_a_corrupt_rpmdb(tmp_path, standin):
    ref = corrupt_rpmdb_image(standin, "localhost/layerkit-test/corrupt-rpmdb:1",
                              tmp_path / "build")
    try:
        line = fails(tmp_path, 2, "--from-image", ref)
    finally:
        run(["buildah", "rmi", ref], check=False)
    assert line.startswith(f"error: {ref}: rpm cannot read the database (")


def _push_one(host: str, repo: str, tmp_path) -> str:
    layout = Layout(tmp_path / "layout")
    layout.init()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w"):
        pass
    import hashlib
    blob = layout.put(gzip.compress(raw.getvalue(), mtime=0),
                      "application/vnd.oci.image.layer.v1.tar+gzip")
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers",
                         "diff_ids": ["sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()]}}
    layout.write_image(config, [blob], "t")
    skopeo.copy(f"oci:{layout.root}:t", f"docker://{host}/{repo}:t", tls_verify=False)
    return skopeo.digest(f"docker://{host}/{repo}:t", tls_verify=False)


@pytest.mark.integration
def test_a_registry_repository_with_zero_tags(tmp_path, registry_fixture):
    host = registry_fixture.host
    line = fails(tmp_path, 2, "--from-history", f"{host}/test/never-pushed", "--no-tls-verify")
    assert "test/never-pushed" in line
    digest = _push_one(host, "test/emptied", tmp_path)
    request = urllib.request.Request(f"http://{host}/v2/test/emptied/manifests/{digest}",
                                     method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    line = fails(tmp_path, 2, "--from-history", f"{host}/test/emptied", "--no-tls-verify")
    assert line == f"error: {host}/test/emptied: no tags: no releases to read a history from"


def test_a_tag_or_transport_is_not_a_repository(tmp_path):
    for ref in ("127.0.0.1:5000/a/b:tag", "docker://127.0.0.1:5000/a/b", "h/a@sha256:00"):
        assert "name a repository" in fails(tmp_path, 2, "--from-history", ref)


def test_no_source_at_all(tmp_path):
    assert "nothing to read" in fails(tmp_path, 2)
    assert "give -o FILE.json" in run_cli("catalog", "--from-repo", "x").err


def test_a_broken_catalog_to_refresh_is_not_overwritten(tmp_path, fx):
    out = tmp_path / "catalog.json"
    out.write_text('{"period": ["2026-01-01"], "packages": []}')
    result = run_cli("catalog", "--from-repo", str(fx.repo), "-o", out)
    assert result.code == 2 and f"error: {out}: period: expected" in result.err
    assert out.read_text() == '{"period": ["2026-01-01"], "packages": []}'


@pytest.mark.parametrize("argv", [
    ("--from-image", "--help"), ("--from-image", "img; rm -rf /"),
    ("--from-repo", "http://a b/"), ("--from-repo", "repo\ndir"), ("--from-history", "-x")])
def test_references_are_checked_before_anything_runs(tmp_path, argv):
    assert "error: --from-" in fails(tmp_path, 2, *argv, fresh=True)
