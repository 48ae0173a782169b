"""`layerkit build`: generate, build with buildah, tag, push; nothing moves on failure."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import buildah, registry
from . import rechunk as rechunk_mod
from .containerfile import Context, render, write_context
from .errors import ExitCode, LayerkitError
from .image import Model
from .pipeline import Project
from .plan import Plan
from .resolve import resolve_versions
from .tags import Tags, make_tags, source_date_epoch


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


def build_image(project: Project, opts: BuildOptions, console: Console) -> BuildResult:
    image = project.image
    tags = opts.tags or make_tags(image.stream, image.path.resolve().parent)
    workdir = (opts.workdir or Path(".layerkit") / "build" / image.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "build.log"
    log.write_text("")
    plan = project.plan(Model.CONTAINERFILE)
    local_ref = f"{image.target}:{tags.versioned}"
    timestamp = source_date_epoch(image.path.resolve().parent)
    versions = {} if (opts.dry_run or not opts.resolve) else \
        resolve_versions(project, opts.isolation)
    ctx = render(image, project.recipes, plan, versions)
    write_context(ctx, workdir / "context")
    argv = buildah.build_argv(workdir / "context", local_ref, opts.isolation, timestamp,
                              opts.cache_from, opts.cache_to)
    if opts.dry_run:
        console.print(" ".join(argv), markup=False, soft_wrap=True)
        if opts.push:
            console.print(f"buildah push {local_ref} docker://{local_ref}", markup=False)
            console.print(f"skopeo copy --preserve-digests docker://{local_ref} "
                          f"docker://{image.target}:{tags.moving}", markup=False)
        return BuildResult(tags, local_ref, plan, log)

    labels = step_labels(ctx, plan)
    current = {"step": 0}
    started = time.monotonic()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("starting buildah", total=None)

        def on_step(n: int, total: int, _instr: str) -> None:
            current["step"] = n
            what = labels[n - 1] if n - 1 < len(labels) else "step"
            progress.update(task, description=f"step {n}/{total} {what}")

        rc = buildah.build(argv, log, on_step)
    if rc != 0:
        step = current["step"]
        what = labels[step - 1] if 0 < step <= len(labels) else "the build"
        tail = log.read_text(errors="replace").strip().splitlines()[-12:]
        for line in tail:
            console.print(f"  {line}", markup=False, highlight=False)
        raise LayerkitError(f"buildah build failed at {what} (log: {log}); nothing was "
                            "pushed", ExitCode.FAILED)
    console.print(f"built {local_ref} in {time.monotonic() - started:.1f}s "
                  f"({len(plan.layers)} package layers, {len(ctx.copy_layers)} config layers)")
    digest = None
    if opts.rechunk:
        _rechunk(project, opts, local_ref, workdir, console)
    if opts.push:
        if opts.rechunk:  # already pushed to the versioned tag by the re-chunk
            digest = registry.digest(f"docker://{local_ref}", image.tls_verify)
            (workdir / "digest").write_text(digest)
        else:
            digest = buildah.push(local_ref, local_ref, image.tls_verify, workdir / "digest")
        moving = f"{image.target}:{tags.moving}"
        registry.copy(f"docker://{local_ref}", f"docker://{moving}", image.tls_verify)
        moved = registry.digest(f"docker://{moving}", image.tls_verify)
        if moved != digest:
            raise LayerkitError(f"{moving}: digest {moved} differs from {local_ref} {digest}",
                                ExitCode.FAILED)
        console.print(f"pushed {local_ref} and moved {moving} to {digest}")
    return BuildResult(tags, local_ref, plan, log, digest)


def _rechunk(project: Project, opts: BuildOptions, local_ref: str, workdir: Path,
             console: Console) -> str:
    """Re-layer the built image by the independent plan: pushed to the versioned tag
    when pushing, else stored locally as <versioned>-rechunked; returns where it went.
    Units stay in the layers of the previous image (default: the moving tag) unless
    moving pays (plan --previous)."""
    image = project.image
    prev_ref = opts.previous or f"{image.target}:{image.stream}"
    previous = None
    try:
        labels = (registry.config(f"docker://{prev_ref}", image.tls_verify).get("config")
                  or {}).get("Labels") or {}
        previous = rechunk_mod.previous_plan(labels)[0] or None
    except LayerkitError:
        if opts.previous:
            raise
    # the volatile, rpmdb and config layers come on top of the plan's
    plan = project.plan(Model.INDEPENDENT, previous, reserved=rechunk_mod.EXTRA_LAYERS)
    layers = [{"index": la.index, "packages": list(la.packages), "recipes": list(la.recipes),
               "units": [u.id for u in la.units]} for la in plan.layers]
    # straight into the registry when pushing (no detour through local storage, which
    # would decompress the layers); a local tag otherwise
    dest = f"docker://{local_ref}" if opts.push else f"containers-storage:{local_ref}-rechunked"
    started = time.monotonic()
    # mtimes clamped to SOURCE_DATE_EPOCH or 0, never to the commit time: a new commit
    # must not change layers whose files did not (ostree stores no mtimes anyway)
    mtime_max = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    summary = rechunk_mod.rechunk(local_ref, dest, workdir / "rechunk", layers, opts.isolation,
                                  image.tls_verify, mtime_max, image.base)
    console.print(f"re-chunked into {len(summary['layers'])} layers above "
                  f"{summary['base_layers']} base layers in {time.monotonic() - started:.1f}s"
                  + (" (keeping the previous image's layers)" if previous else ""))
    return dest
