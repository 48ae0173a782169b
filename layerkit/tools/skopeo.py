"""Registries through skopeo: copy images, read manifests and configs, list tags,
retrying what is transient."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence

from ..errors import RegistryError
from .run import run

TRANSIENT = ("connection refused", "connection reset", "timeout", "i/o timeout",
             "toomanyrequests", "503", "502", "504", "500 internal", "eof")
TRANSPORTS = ("docker://", "containers-storage:", "oci:", "oci-archive:", "docker-archive:",
              "dir:")
# what skopeo's message contains -> what it means, and the error's reason
REFUSALS = {
    "manifest unknown": ("no such tag", RegistryError.NOT_FOUND),
    "name unknown": ("no such repository", RegistryError.NOT_FOUND),
    # docker-registry answers a tag list of an unknown repository with a bare 404
    "status code from registry 404": ("no such repository", RegistryError.NOT_FOUND),
    "unauthorized": ("authentication refused", RegistryError.DENIED),
    "denied": ("access denied", RegistryError.DENIED),
}
RETRY_DELAY = float(os.environ.get("LAYERKIT_RETRY_DELAY", "1.0"))  # seconds, doubling


def normalize(ref: str, bare: str = "docker://") -> str:
    """A reference without a transport gets `bare` (docker:// unless told otherwise)."""
    return ref if ref.startswith(TRANSPORTS) else f"{bare}{ref}"


def split_ref(ref: str) -> tuple[str, str]:
    """host[:port]/repo[:tag][@digest] -> (host[:port]/repo, tag or "latest")."""
    name = ref.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        repo, tag = name.rsplit(":", 1)
        return repo, tag
    return name, "latest"


def skopeo(args: Sequence[str], ref: str, tls_verify: bool = True, attempts: int = 4) -> bytes:
    """Run skopeo with retries and backoff on transient registry errors."""
    argv = ["skopeo", *args[:1], f"--{'dest-' if args[0] == 'copy' else ''}tls-verify="
            f"{str(tls_verify).lower()}", *args[1:]]
    if args[0] == "copy":
        argv.insert(2, f"--src-tls-verify={str(tls_verify).lower()}")
    delay = RETRY_DELAY
    for attempt in range(attempts):
        proc = run(argv, check=False)
        if proc.returncode == 0:
            return proc.stdout
        err = proc.stderr.decode(errors="replace").strip()
        last = err.splitlines()[-1] if err else f"exit status {proc.returncode}"
        low = err.lower()
        for needle, (what, reason) in REFUSALS.items():
            if needle in low:
                raise RegistryError(f"{ref}: {what} ({_short(last)})", reason)
        if attempt + 1 < attempts and any(t in low for t in TRANSIENT):
            time.sleep(delay)
            delay *= 2
            continue
        raise RegistryError(f"{ref}: {_short(last)}", RegistryError.FAILED)
    raise AssertionError("unreachable")  # pragma: no cover


def _short(text: str) -> str:
    return text.removeprefix("time=").strip()[:300]


def copy(src: str, dest: str, tls_verify: bool = True, all_images: bool = False,
         preserve: bool = True, uncompressed: bool = False) -> None:
    """Copy an image between transports, manifests byte for byte (same digest) unless
    `preserve` is off; `all_images` keeps every platform of a multi-arch index;
    `uncompressed`: an oci: layout keeps uncompressed layers as they are."""
    flags = (["--preserve-digests"] if preserve else []) + (["--all"] if all_images else []) \
        + (["--dest-oci-accept-uncompressed-layers"] if uncompressed else [])
    skopeo(["copy", *flags, src, dest], dest, tls_verify)


def raw_manifest(ref: str, tls_verify: bool = True) -> tuple[bytes, str]:
    raw = skopeo(["inspect", "--raw", ref], ref, tls_verify)
    return raw, "sha256:" + hashlib.sha256(raw).hexdigest()


def config(ref: str, tls_verify: bool = True) -> dict:
    return json.loads(skopeo(["inspect", "--config", ref], ref, tls_verify))


def digest(ref: str, tls_verify: bool = True) -> str:
    return raw_manifest(ref, tls_verify)[1]


def exists(ref: str, tls_verify: bool = True) -> bool:
    """Whether the registry has this tag (other failures are errors, not a no)."""
    try:
        raw_manifest(normalize(ref), tls_verify)
    except RegistryError as e:
        if e.reason == RegistryError.NOT_FOUND:
            return False
        raise
    return True


def list_tags(repo: str, tls_verify: bool = True) -> list[str]:
    ref = normalize(repo)
    out = skopeo(["list-tags", ref], ref, tls_verify)
    return sorted(json.loads(out).get("Tags") or [])
