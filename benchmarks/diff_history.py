"""`layerkit diff` of two 128-layer images and `layerkit history` of 50 tags, timed.

    python3 benchmarks/diff_history.py [WORKDIR]

Images are written directly as OCI layouts (small deterministic gzip layers), copied into a
real docker-registry on 127.0.0.1 with skopeo, then measured through the CLI as a user runs
it. Writes benchmarks/results/diff_history.json.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from layerkit import rig

ROOT = Path(__file__).resolve().parent.parent


def blob(layout: Path, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def layer(seed: str) -> tuple[bytes, str]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        data = hashlib.sha512(seed.encode()).digest() * 64
        info = tarfile.TarInfo(f"usr/share/bench/{seed}")
        info.size, info.mtime = len(data), 0
        tar.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
    return gzip.compress(raw.getvalue(), mtime=0), diff_id


def write_image(layout: Path, tag: str, seeds: list[str]) -> None:
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    layers, diff_ids = [], []
    for s in seeds:
        data, diff_id = layer(s)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                       **blob(layout, data)})
        diff_ids.append(diff_id)
    config = {"architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           **blob(layout, json.dumps(config).encode())},
                "layers": layers}
    m = blob(layout, json.dumps(manifest).encode())
    index_path = layout / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else \
        {"schemaVersion": 2, "manifests": []}
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", **m,
                               "annotations": {"org.opencontainers.image.ref.name": tag}})
    index_path.write_text(json.dumps(index))


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)  # noqa: S603
    return time.perf_counter() - start


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    registry = rig.Registry(work / "registry")
    try:
        layout = work / "layout"
        for i in range(50):  # release i changes layers 100.. by one seed each release
            seeds = [f"stable-{j}" for j in range(100)] + [f"hot-{j}-{i // (j % 5 + 1)}"
                                                            for j in range(28)]
            write_image(layout, f"r{i:02d}", seeds)
        for i in range(50):
            subprocess.run(["skopeo", "copy", "--dest-tls-verify=false",  # noqa: S603,S607
                            f"oci:{layout}:r{i:02d}",
                            f"docker://{registry.host}/bench/img:r{i:02d}"],
                           check=True, capture_output=True)
        repo = f"{registry.host}/bench/img"
        diff_s = timed(["layerkit", "diff", f"{repo}:r00", f"{repo}:r49", "--json",
                        "--no-tls-verify"])
        hist_s = timed(["layerkit", "history", repo, "--json", "--no-tls-verify"])
    finally:
        registry.stop()
    row = {"diff_128_layers_s": round(diff_s, 3), "history_50_tags_s": round(hist_s, 3)}
    t = Table(title="diff and history against a local registry")
    t.add_column("diff, two 128-layer images (target < 2 s)", justify="right")
    t.add_column("history, 50 tags (target < 20 s)", justify="right")
    t.add_row(f"{diff_s:.2f}s", f"{hist_s:.2f}s")
    Console().print(t)
    (ROOT / "benchmarks" / "results" / "diff_history.json").write_text(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".layerkit/bench-diff").resolve())
