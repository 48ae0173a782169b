"""`diff` and `history` against malformed OCI layouts and a registry that answers
garbage: one `error:` line, exit 1 or 2, no traceback, never a read outside the layout."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import refused
from layerkit.oci.layout import Layout
from layerkit.tools import skopeo

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PLATFORM = {"os": "linux", "architecture": "amd64"}


def one_line_failure(*argv: str) -> str:
    return refused(*argv, code=(1, 2), one_line=True)[0]


def nested(lay: Layout, child: bytes) -> str:
    """A layout whose index points at an index whose only entry is `child`'s digest
    (layerkit reads such nested indexes itself; skopeo reads the rest)."""
    inner = {"schemaVersion": 2, "mediaType": INDEX,
             "manifests": [{"mediaType": MANIFEST, "size": len(child), "platform": PLATFORM,
                            "digest": "sha256:" + hashlib.sha256(child).hexdigest()}]}
    blob = lay.put(json.dumps(inner).encode(), INDEX)
    lay.tag(blob, "x")
    return f"oci:{lay.root}:x"


def manifest_doc(layers) -> bytes:
    return json.dumps({"schemaVersion": 2, "mediaType": MANIFEST, "layers": layers,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "sha256:" + "0" * 64, "size": 2}}).encode()


@pytest.mark.parametrize("child", [
    b"not json", b"[]", b'{"layers": "all of them"}',
    manifest_doc([{"digest": "sha256:xyz", "size": 1}]),
    manifest_doc([{"digest": "sha256:" + "a" * 64, "size": -5}]),
    manifest_doc([{"digest": "sha256:" + "a" * 64, "size": 1, "annotations": [1]}]),
    b"[" * 100_000,
], ids=["text", "list", "layers-text", "bad-digest", "negative-size", "annotations",
        "deep"])
def test_malformed_manifests_in_a_layout(tmp_path, child):
    lay = Layout(tmp_path / "lay")
    lay.init()
    lay.put(child, MANIFEST)
    ref = nested(lay, child)
    one_line_failure("diff", ref, ref, "--platform", "linux/amd64")


def test_a_missing_manifest_blob(tmp_path):
    lay = Layout(tmp_path / "lay")
    lay.init()
    ref = nested(lay, manifest_doc([]))  # never stored
    assert "lay" in one_line_failure("diff", ref, ref, "--platform", "linux/amd64")


@pytest.mark.parametrize("index", ["", "{", '{"manifests": 3}', '{"manifests": [7]}', "[]"])
def test_malformed_index_json(tmp_path, index):
    lay = Layout(tmp_path / "lay")
    lay.init()
    (lay.root / "index.json").write_text(index)
    ref = f"oci:{lay.root}:x"
    one_line_failure("diff", ref, ref)


def test_a_blob_linked_outside_the_layout_is_not_read(tmp_path):
    child = manifest_doc([])
    outside = tmp_path / "outside.json"
    outside.write_bytes(child)  # a readable manifest: reading it would succeed
    lay = Layout(tmp_path / "lay")
    lay.init()
    ref = nested(lay, child)
    lay.path("sha256:" + hashlib.sha256(child).hexdigest()).symlink_to(outside)
    line = one_line_failure("diff", ref, ref, "--platform", "linux/amd64")
    assert "outside the layout" in line


def test_a_blob_folder_linked_outside_the_layout_is_not_read(tmp_path):
    child = manifest_doc([])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / hashlib.sha256(child).hexdigest()).write_bytes(child)
    lay = Layout(tmp_path / "lay")
    lay.init()
    ref = nested(lay, child)
    for blob in lay.blobs.iterdir():
        blob.rename(elsewhere / blob.name)
    lay.blobs.rmdir()
    lay.blobs.symlink_to(elsewhere)
    assert "outside the layout" in one_line_failure("diff", ref, ref, "--platform",
                                                    "linux/amd64")


# --- a registry that answers garbage -----------------------------------------------------

ANSWERS = {
    "text": (b"garbage", MANIFEST),
    "list": (b"[1, 2]", MANIFEST),
    "layers": (b'{"schemaVersion": 2, "layers": {"a": 1}}', MANIFEST),
    "bad-digest": (manifest_doc([{"digest": "sha256:../../etc", "size": 1}]), MANIFEST),
    "index-of-junk": (json.dumps({"schemaVersion": 2, "mediaType": INDEX,
                                  "manifests": [{"digest": "md5:1", "platform": PLATFORM,
                                                 "size": 1, "mediaType": MANIFEST}]}
                                 ).encode(), INDEX),
}


class Garbage(BaseHTTPRequestHandler):
    tags = b'{"name": "r", "tags": ["text", "list", "layers", "bad-digest", "index-of-junk"]}'

    def do_GET(self):
        parts = self.path.split("/")
        if self.path == "/v2/":
            body, kind = b"{}", "application/json"
        elif self.path.endswith("/tags/list"):
            body, kind = self.tags, "application/json"
        elif len(parts) >= 5 and parts[-2] == "manifests" and parts[-1] in ANSWERS:
            body, kind = ANSWERS[parts[-1]]
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest())
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def garbage_registry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.integration
@pytest.mark.parametrize("tag", sorted(ANSWERS))
def test_diff_against_a_registry_answering_garbage(garbage_registry, tag, monkeypatch):
    monkeypatch.setattr(skopeo, "RETRY_DELAY", 0.01)
    ref = f"{garbage_registry}/r:{tag}"
    one_line_failure("diff", ref, ref, "--no-tls-verify", "--platform", "linux/amd64")


@pytest.mark.integration
def test_history_against_a_registry_answering_garbage(garbage_registry, monkeypatch):
    monkeypatch.setattr(skopeo, "RETRY_DELAY", 0.01)
    one_line_failure("history", f"{garbage_registry}/r", "--no-tls-verify")
