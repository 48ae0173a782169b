"""`layerkit build`: generate, build with buildah, tag, push; nothing moves on failure."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import buildah, registry
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
    if opts.push:
        digest = buildah.push(local_ref, local_ref, image.tls_verify, workdir / "digest")
        moving = f"{image.target}:{tags.moving}"
        registry.copy(f"docker://{local_ref}", f"docker://{moving}", image.tls_verify)
        moved = registry.digest(f"docker://{moving}", image.tls_verify)
        if moved != digest:
            raise LayerkitError(f"{moving}: digest {moved} differs from {local_ref} {digest}",
                                ExitCode.FAILED)
        console.print(f"pushed {local_ref} and moved {moving} to {digest}")
    return BuildResult(tags, local_ref, plan, log, digest)
