"""buildah: build a context, push an image, run throwaway containers, mount roots."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path

from ..errors import ExitCode, LayerkitError
from .run import run, stream


class Isolation(StrEnum):
    CHROOT = "chroot"
    OCI = "oci"
    ROOTLESS = "rootless"


STEP = re.compile(r"^STEP (\d+)/(\d+): (\S+)")


def build_argv(context: Path, tag: str, isolation: Isolation, timestamp: int | None,
               cache_from: str | None = None, cache_to: str | None = None,
               extra: Sequence[str] = ()) -> list[str]:
    # --pull=false: pull the base only when it is not in local storage
    argv = ["buildah", "build", "--layers", "--isolation", isolation.value, "--pull=false",
            "-f", str(context / "Containerfile"), "-t", tag]
    if timestamp is not None:
        argv += ["--timestamp", str(timestamp)]
    if cache_from:
        argv += ["--cache-from", cache_from]
    if cache_to:
        argv += ["--cache-to", cache_to]
    return argv + list(extra) + [str(context)]


def build(argv: list[str], log_path: Path, on_step: Callable[[int, int, str], None],
          on_line: Callable[[str], None] = lambda line: None) -> int:
    """Run `buildah build`, its output into the log; STEP lines go to on_step."""
    def line(text: str) -> None:
        on_line(text)
        m = STEP.match(text)
        if m:
            on_step(int(m.group(1)), int(m.group(2)), m.group(3))
    return stream(argv, log_path, line)


def has_image(ref: str) -> bool:
    """Whether local storage holds this image."""
    return run(["buildah", "inspect", "--type", "image", ref], check=False).returncode == 0


def push(local: str, dest: str, tls_verify: bool, digestfile: Path) -> str:
    run(["buildah", "push", f"--tls-verify={str(tls_verify).lower()}", "--digestfile",
         digestfile, local, f"docker://{dest}"])
    return digestfile.read_text().strip()


def run_in(image: str, script: str, isolation: Isolation) -> str:
    """Run a script in a throwaway container of `image`; return its stdout."""
    ctr = run(["buildah", "from", "--pull=false", image]).stdout.decode().strip()
    try:
        out = run(["buildah", "run", "--isolation", isolation.value, ctr, "--",
                   "/bin/sh", "-c", script], check=False)
        if out.returncode != 0:
            err = out.stderr.decode(errors="replace").strip().splitlines()
            raise LayerkitError(f"{image}: {err[-1] if err else 'failed'}", ExitCode.FAILED)
        return out.stdout.decode()
    finally:
        run(["buildah", "rm", ctr], check=False)


class Mounted:
    """A read-only look at an image's root: `with Mounted(ref) as root: ...`."""

    def __init__(self, ref: str, tls_verify: bool = True):
        self.ref = ref
        self.tls_verify = tls_verify
        self.ctr = ""

    def __enter__(self) -> Path:
        # --pull=false: pulled only when local storage does not have it
        tls = [] if self.tls_verify else ["--tls-verify=false"]
        self.ctr = run(["buildah", "from", "--pull=false", *tls, self.ref]).stdout.decode() \
            .strip()
        return Path(run(["buildah", "mount", self.ctr]).stdout.decode().strip())

    def __exit__(self, *exc) -> None:
        run(["buildah", "umount", self.ctr], check=False)
        run(["buildah", "rm", self.ctr], check=False)

    def run(self, argv: list[str], isolation: Isolation = Isolation.CHROOT):
        return run(["buildah", "run", "--isolation", isolation.value, self.ctr, "--", *argv],
                   check=False)
