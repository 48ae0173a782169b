"""`layerkit build`: generate, build with buildah, tag, push; nothing moves on failure
(steps in docs/commands.md#build)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..config.image import Model, Project
from ..errors import ExitCode, LayerkitError, RegistryError
from ..oci.rechunk import EXTRA_LAYERS, rechunk
from ..planner.layers import Plan
from ..planner.project import plan_project
from ..render.containerfile import Context, render
from ..render.label import plan_layers, read_label
from ..tools import buildah, skopeo
from ..tools.git import source_date_epoch
from .context import write_context
from .resolve import resolve_versions
from .tags import Tags, make_tags


class Events(Protocol):
    """What a build tells the person watching it (report/progress.py shows it)."""

    def start(self, what: str) -> None: ...  # a long step begins
    def step(self, n: int, total: int, what: str) -> None: ...  # buildah's STEP n/total
    def stop(self) -> None: ...  # the long step ended
    def say(self, text: str) -> None: ...  # one line of result


@dataclass(frozen=True)
class BuildOptions:
    push: bool = False
    isolation: buildah.Isolation = buildah.Isolation.CHROOT
    dry_run: bool = False
    cache_from: str | None = None
    cache_to: str | None = None
    workdir: Path | None = None
    resolve: bool = True
    tags: Tags | None = None  # default: from the stream, the time and git
    rechunk: bool = False  # re-layer by the independent plan before pushing
    previous: str | None = None  # image whose layers a re-chunk keeps (default: moving tag)


@dataclass(frozen=True)
class BuildResult:
    tags: Tags
    local_ref: str
    plan: Plan
    log: Path
    digest: str | None = None  # of the pushed manifest


def step_labels(ctx: Context, plan: Plan) -> list[str]:
    """What each buildah STEP builds, by the Containerfile's instruction order."""
    labels = ["base image"]
    labels += [f"layer {la.index}: {', '.join(la.recipes) or 'shared dependencies'}"
               for la in plan.layers]
    labels += [f"config: {name}" for name in ctx.copy_layers]
    if "COPY files/_meta/ /" in ctx.containerfile:
        labels.append("image version")
    return labels + ["labels"]


def build_image(project: Project, opts: BuildOptions, events: Events) -> BuildResult:
    image = project.image
    tags = opts.tags or make_tags(image.stream, image.path.resolve().parent)
    workdir = (opts.workdir or Path(".layerkit") / "build" / image.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "build.log"
    log.write_text("")
    plan = plan_project(project, Model.CONTAINERFILE)
    local_ref = f"{image.target}:{tags.versioned}"
    timestamp = source_date_epoch(image.path.resolve().parent)
    versions = {}
    if not (opts.dry_run or not opts.resolve):
        events.start("resolving package versions")
        try:
            versions = resolve_versions(project, [p for la in plan.layers for p in la.packages],
                                        opts.isolation)
        finally:
            events.stop()
    ctx = render(image, project.recipes, plan, versions)
    write_context(ctx, workdir / "context")
    argv = buildah.build_argv(workdir / "context", local_ref, opts.isolation, timestamp,
                              opts.cache_from, opts.cache_to)
    if opts.dry_run:
        events.say(" ".join(argv))
        if opts.push:
            events.say(f"buildah push {local_ref} docker://{local_ref}")
            events.say(f"skopeo copy --preserve-digests docker://{local_ref} "
                       f"docker://{image.target}:{tags.moving}")
        return BuildResult(tags, local_ref, plan, log)

    labels = step_labels(ctx, plan)
    current = [0]
    started = time.monotonic()

    def on_step(n: int, total: int, _instr: str) -> None:
        current[0] = n
        events.step(n, total, labels[n - 1] if n - 1 < len(labels) else "step")

    events.start("starting buildah")
    try:
        rc = buildah.build(argv, log, on_step)
    finally:
        events.stop()
    if rc != 0:
        step = current[0]
        what = labels[step - 1] if 0 < step <= len(labels) else "the build"
        for line in log.read_text(errors="replace").strip().splitlines()[-12:]:
            events.say(f"  {line}")
        raise LayerkitError(f"buildah build failed at {what} (log: {log}); nothing was "
                            "pushed", ExitCode.FAILED)
    events.say(f"built {local_ref} in {time.monotonic() - started:.1f}s "
               f"({len(plan.layers)} package layers, {len(ctx.copy_layers)} config layers)")
    digest = None
    if opts.rechunk:
        _rechunk(project, opts, local_ref, workdir, events)
    if opts.push:
        if opts.rechunk:  # already pushed to the versioned tag by the re-chunk
            digest = skopeo.digest(f"docker://{local_ref}", image.tls_verify)
            (workdir / "digest").write_text(digest)
        else:
            digest = buildah.push(local_ref, local_ref, image.tls_verify, workdir / "digest")
        moving = f"{image.target}:{tags.moving}"
        skopeo.copy(f"docker://{local_ref}", f"docker://{moving}", image.tls_verify)
        moved = skopeo.digest(f"docker://{moving}", image.tls_verify)
        if moved != digest:
            raise LayerkitError(f"{moving}: digest {moved} differs from {local_ref} {digest}",
                                ExitCode.FAILED)
        events.say(f"pushed {local_ref} and moved {moving} to {digest}")
    return BuildResult(tags, local_ref, plan, log, digest)


def _previous_layers(project: Project, opts: BuildOptions,
                     events: Events) -> dict[str, int] | None:
    """Component -> layer of the previous re-chunked image (default: the moving tag).
    No image there means a first build; other failures stop the build, except that
    a local build (no push) goes on with a fresh plan and says so."""
    image = project.image
    ref = opts.previous or f"{image.target}:{image.stream}"
    try:
        cfg = skopeo.config(f"docker://{ref}", image.tls_verify)
    except RegistryError as e:
        if e.reason == RegistryError.NOT_FOUND and not opts.previous:
            return None
        if opts.previous or opts.push or e.reason == RegistryError.DENIED:
            raise
        events.say(f"note: cannot read the previous image ({e}); planning the layers afresh, "
                   "so an update from it may cost more")
        return None
    label = read_label((cfg.get("config") or {}).get("Labels") or {}, ref)
    return (label.previous_layers() or None) if label else None


def _rechunk(project: Project, opts: BuildOptions, local_ref: str, workdir: Path,
             events: Events) -> str:
    """Re-layer the built image by the independent plan: pushed to the versioned tag
    when pushing, else stored locally as <versioned>-rechunked; returns where it went."""
    image = project.image
    previous = _previous_layers(project, opts, events)
    # the volatile, rpmdb and config layers come on top of the plan's
    plan = plan_project(project, Model.INDEPENDENT, previous, reserved=EXTRA_LAYERS)
    # straight into the registry when pushing (no detour through local storage, which
    # would decompress the layers); a local tag otherwise
    dest = f"docker://{local_ref}" if opts.push else f"containers-storage:{local_ref}-rechunked"
    started = time.monotonic()
    # mtimes clamped to SOURCE_DATE_EPOCH or 0, never to the commit time: a new commit
    # must not change layers whose files did not (ostree stores no mtimes anyway)
    mtime_max = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    events.start("re-chunking")
    try:
        result = rechunk(local_ref, dest, workdir / "rechunk", plan_layers(plan),
                         opts.isolation, image.tls_verify, mtime_max, image.base)
    finally:
        events.stop()
    for note in result.notes:
        events.say(f"note: {note}")
    events.say(f"re-chunked into {len(result.chunks)} layers above {result.base_layers} base "
               f"layers in {time.monotonic() - started:.1f}s"
               + (" (keeping the previous image's layers)" if previous else ""))
    return dest
