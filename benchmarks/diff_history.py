"""`layerkit diff` of two 128-layer images and `layerkit history` of 50 tags, timed.

    python3 -m benchmarks.diff_history [WORKDIR]

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

from layerkit.oci.layout import LAYER_GZIP, Layout
from standin import servers

ROOT = Path(__file__).resolve().parent.parent


def layer(seed: str) -> tuple[bytes, str]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        data = hashlib.sha512(seed.encode()).digest() * 64
        info = tarfile.TarInfo(f"usr/share/bench/{seed}")
        info.size, info.mtime = len(data), 0
        tar.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
    return gzip.compress(raw.getvalue(), mtime=0), diff_id


def write_image(layout: Layout, tag: str, seeds: list[str]) -> None:
    layers, diff_ids = [], []
    for s in seeds:
        data, diff_id = layer(s)
        layers.append(layout.put(data, LAYER_GZIP))
        diff_ids.append(diff_id)
    config = {"architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}
    layout.write_image(config, layers, tag)


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    registry = servers.Registry(work / "registry")
    try:
        layout = Layout(work / "layout")
        layout.init()
        for i in range(50):  # release i changes layers 100.. by one seed each release
            seeds = [f"stable-{j}" for j in range(100)] + [f"hot-{j}-{i // (j % 5 + 1)}"
                                                            for j in range(28)]
            write_image(layout, f"r{i:02d}", seeds)
        for i in range(50):
            subprocess.run(["skopeo", "copy", "--dest-tls-verify=false",
                            f"oci:{layout.root}:r{i:02d}",
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
