"""Measurements for the Kinoite-scale benchmark: the floor (the files that really changed,
compressed), what `layerkit diff` says a client downloads, split by kind of layer, and
the gzip ceiling on the same data."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import threading
import time
import zlib
from pathlib import Path

from layerkit.oci.tars import GZIP_LEVEL
from layerkit.tools.buildah import Mounted

ROOT = Path(__file__).resolve().parent.parent


def cli(*argv: str) -> str:
    """layerkit from this checkout, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["python3", "-m", "layerkit", *argv], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"layerkit {' '.join(argv[:3])} failed: {proc.stderr[-2000:]}")
    return proc.stdout


def tree_map(ref: str) -> dict[str, tuple]:
    """path -> (kind, mode, uid, gid, content digest or link) of an image in local
    storage (contents are re-read for the floor)."""
    out: dict[str, tuple] = {}
    with Mounted(ref) as root:
        for top, dirs, files in os.walk(root):
            for name in dirs + files:
                p = os.path.join(top, name)
                st = os.lstat(p)
                rel = os.path.relpath(p, root)
                if os.path.islink(p):
                    out[rel] = ("l", os.readlink(p))
                elif os.path.isfile(p):
                    with open(p, "rb") as f:
                        digest = hashlib.blake2b(f.read(), digest_size=16).digest()
                    out[rel] = ("f", st.st_mode & 0o7777, st.st_uid, st.st_gid, digest)
                elif name in dirs:
                    out[rel] = ("d", st.st_mode & 0o7777, st.st_uid, st.st_gid)
    return out


def floor_bytes(old: dict[str, tuple], new: dict[str, tuple], ref: str,
                rpmdb: str = "usr/lib/sysimage/rpm") -> dict:
    """The floor: every path of NEW that differs from OLD (and a whiteout per deletion),
    as one reproducible tar gzipped at layerkit's level; the rpmdb's share apart."""
    changed = sorted(p for p, v in new.items() if old.get(p) != v)
    deleted = sorted(p for p in old if p not in new)
    total = {"all": 0, "rpmdb": 0}
    with Mounted(ref) as root:
        for part in ("all", "rpmdb"):
            names = changed if part == "all" else [p for p in changed if p.startswith(rpmdb)]
            buf = _Counter()
            with _gzip(buf) as gz, tarfile.open(fileobj=gz, mode="w|",
                                                format=tarfile.PAX_FORMAT) as tar:
                for p in names:
                    info = tar.gettarinfo(str(root / p), arcname=p)
                    info.mtime, info.uname, info.gname = 0, "", ""
                    if info.isreg():
                        with open(root / p, "rb") as f:
                            tar.addfile(info, f)
                    else:
                        tar.addfile(info)
                if part == "all":
                    for p in deleted:
                        tar.addfile(tarfile.TarInfo(os.path.join(os.path.dirname(p),
                                                                 ".wh." + os.path.basename(p))))
            total[part] = buf.n
    return {"bytes": total["all"], "rpmdb_bytes": total["rpmdb"], "paths": len(changed),
            "deleted": len(deleted)}


class _Counter(io.RawIOBase):
    def __init__(self):
        self.n = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.n += len(b)
        return len(b)


def _gzip(sink):
    import gzip
    return gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0,
                         compresslevel=GZIP_LEVEL)


def diff(old: str, new: str, custom: set[str]) -> dict:
    """`layerkit diff --json` of two pushed images, with the new bytes split by kind of
    layer and the new bytes of layers that hold custom packages."""
    d = json.loads(cli("diff", old, new, "--json", "--no-tls-verify"))
    by_kind: dict[str, int] = {}
    custom_bytes = 0
    for la in d["layers"]:
        if la["status"] != "new":
            continue
        by_kind[la["kind"]] = by_kind.get(la["kind"], 0) + la["size"]
        if la["kind"] == "packages" and (custom.intersection(la["packages"]) or la["recipes"]):
            custom_bytes += la["size"]
    return {"bytes": d["download_bytes"], "reuse_ratio": d["reuse_ratio"],
            "layers": d["new"]["layers"], "by_kind": by_kind, "custom_bytes": custom_bytes,
            "predicted": d["predicted_bytes_per_update"],
            "changed_files": [f for la in d["layers"] if la["kind"] == "volatile"
                              for f in la["changed_files"]][:40]}


def gzip_ceiling(paths: list[Path], threads: int = 2) -> dict:
    """gzip at layerkit's level of these files, `threads` streams at once: MB/s of input."""
    shares: list[list[Path]] = [paths[i::threads] for i in range(threads)]
    counted = [0] * threads

    def work(i: int) -> None:
        for p in shares[i]:
            z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
            with open(p, "rb") as f:
                while block := f.read(1 << 20):
                    counted[i] += len(block)
                    z.compress(block)
            z.flush()

    start = time.perf_counter()
    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.perf_counter() - start
    return {"bytes": sum(counted), "seconds": round(secs, 2),
            "mb_per_s": round(sum(counted) / 1e6 / secs, 1)}
