"""`layerkit build`: plan, resolve versions, render, build with buildah; then re-chunk,
tag and push (engine/publish.py). Nothing moves on failure (docs/commands.md#build)."""

from __future__ import annotations

import time
from pathlib import Path

from ..config.image import Model, Project
from ..errors import ExitCode, LayerkitError
from ..planner.layers import Plan
from ..planner.project import plan_project
from ..render.containerfile import Context, render
from ..tools import buildah
from ..tools.git import source_date_epoch
from .context import write_context
from .options import BuildOptions, BuildResult, Events
from .publish import choose_tags, publish, rechunk_built
from .resolve import resolve


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
    plan = plan_project(project, Model.CONTAINERFILE)
    tags = choose_tags(project, opts)
    workdir = (opts.workdir or Path(".layerkit") / "build" / image.name).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "build.log"
    log.write_text("")
    local_ref = f"{image.target}:{tags.versioned}"
    versions = {}
    if opts.resolve and not opts.dry_run:
        events.start("resolving package versions")
        try:
            versions = resolve(project, [p for la in plan.layers for p in la.packages],
                               _owners(project, plan), opts.isolation)
        finally:
            events.stop()
    ctx = render(image, project.recipes, plan, versions)
    write_context(ctx, workdir / "context")
    argv = buildah.build_argv(workdir / "context", local_ref, opts.isolation,
                              source_date_epoch(image.path.resolve().parent),
                              opts.cache_from, opts.cache_to)
    if opts.dry_run:
        events.say(" ".join(argv))
        if opts.push:
            events.say(f"buildah push {local_ref} docker://{local_ref}")
            events.say(f"skopeo copy --preserve-digests docker://{local_ref} "
                       f"docker://{image.target}:{tags.moving}")
        return BuildResult(tags, local_ref, plan, log)
    _buildah(argv, log, step_labels(ctx, plan), events)
    n, m = len(plan.layers), len(ctx.copy_layers)
    events.say(f"built {local_ref} ({n} package layer{'s' * (n != 1)}, {m} config "
               f"layer{'s' * (m != 1)})")
    if opts.rechunk:
        rechunk_built(project, opts, local_ref, workdir, events)
    digest = publish(project, opts, tags, local_ref, workdir, events) if opts.push else None
    return BuildResult(tags, local_ref, plan, log, digest)


def _buildah(argv: list[str], log: Path, labels: list[str], events: Events) -> None:
    current = [0]
    started = time.monotonic()

    def on_step(n: int, total: int, _instr: str) -> None:
        current[0] = n
        events.step(n, total, labels[n - 1] if n - 1 < len(labels) else "step")

    events.start("starting buildah")
    try:
        rc = buildah.build(argv, log, on_step, events.output)
    finally:
        events.stop()
    if rc != 0:
        step = current[0]
        what = labels[step - 1] if 0 < step <= len(labels) else "the build"
        for line in log.read_text(errors="replace").strip().splitlines()[-12:]:
            events.say(f"  {line}")
        raise LayerkitError(f"buildah build failed at {what} after "
                            f"{time.monotonic() - started:.0f}s (log: {log}); nothing was "
                            "pushed", ExitCode.FAILED)


def _owners(project: Project, plan: Plan) -> dict[str, list[str]]:
    """package -> the recipes that name it, else those of the layer that installs it."""
    out: dict[str, list[str]] = {}
    for name, r in sorted(project.recipes.items()):
        for p in r.packages:
            out.setdefault(p, []).append(name)
    for la in plan.layers:
        for p in la.packages:
            out.setdefault(p, list(la.recipes) or ["?"])
    return out
