"""After the build: the versioned tag chosen (never one that exists), the image re-chunked
when asked, pushed to the versioned tag, then the moving tag moved — each step only when
everything before it succeeded."""

from __future__ import annotations

import os
from pathlib import Path

from ..config.image import Model, Project
from ..errors import ExitCode, LayerkitError, RegistryError
from ..oci.rechunk import rechunk
from ..planner.project import RECHUNK_LAYERS, plan_project
from ..render.label import plan_layers, read_label
from ..tools import buildah, skopeo
from .options import BuildOptions, Events
from .tags import Tags, make_tags


def choose_tags(project: Project, opts: BuildOptions) -> Tags:
    """The given tag (refused when it exists and pushing, unless forced), or a new one
    unique in the registry (or, without a push, in local storage)."""
    image = project.image

    def taken(tag: str) -> bool:
        if opts.dry_run:
            return False
        if opts.push:
            return skopeo.exists(f"docker://{image.target}:{tag}", image.tls_verify)
        return buildah.has_image(f"{image.target}:{tag}")

    if opts.tags is not None:
        if opts.push and not opts.force and taken(opts.tags.versioned):
            raise LayerkitError(f"{image.target}:{opts.tags.versioned} exists: a versioned "
                                "tag names one build; choose another or pass --force")
        return opts.tags
    paths = [image.path, image.recipe_dir] + ([image.catalog] if image.catalog else [])
    return make_tags(image.stream, image.path.resolve().parent, paths, taken=taken)


def publish(project: Project, opts: BuildOptions, tags: Tags, local_ref: str, workdir: Path,
            events: Events) -> str:
    """Push the versioned tag (unless a re-chunk already did), then move the moving tag to
    the same digest. Returns that digest."""
    image = project.image
    if opts.rechunk:  # pushed to the versioned tag by the re-chunk
        digest = skopeo.digest(f"docker://{local_ref}", image.tls_verify)
        (workdir / "digest").write_text(digest)
    else:
        _refuse_existing(project, opts, local_ref)
        digest = buildah.push(local_ref, local_ref, image.tls_verify, workdir / "digest")
    moving = f"{image.target}:{tags.moving}"
    skopeo.copy(f"docker://{local_ref}", f"docker://{moving}", image.tls_verify)
    moved = skopeo.digest(f"docker://{moving}", image.tls_verify)
    if moved != digest:
        raise LayerkitError(f"{moving}: digest {moved} differs from {local_ref} {digest}",
                            ExitCode.FAILED)
    events.say(f"pushed {local_ref} and moved {moving} to {digest}")
    return digest


def _refuse_existing(project: Project, opts: BuildOptions, ref: str) -> None:
    """Checked again right before the push: a tag that appeared meanwhile is kept."""
    if not opts.force and skopeo.exists(f"docker://{ref}", project.image.tls_verify):
        raise LayerkitError(f"{ref} appeared while building; a versioned tag is never "
                            "replaced (pass --force to replace it); nothing was pushed",
                            ExitCode.FAILED)


def rechunk_built(project: Project, opts: BuildOptions, local_ref: str, workdir: Path,
                  events: Events) -> str:
    """Re-layer the built image by the independent plan: pushed to the versioned tag
    when pushing, else stored locally as <versioned>-rechunked; returns where it went."""
    image = project.image
    previous = _previous_layers(project, opts, events)
    # the volatile, rpmdb and config layers come on top of the plan's
    plan = plan_project(project, Model.INDEPENDENT, previous, reserved=RECHUNK_LAYERS)
    # straight into the registry when pushing (no detour through local storage, which
    # would decompress the layers); a local tag otherwise
    if opts.push:
        _refuse_existing(project, opts, local_ref)
    dest = f"docker://{local_ref}" if opts.push else f"containers-storage:{local_ref}-rechunked"
    # mtimes clamped to SOURCE_DATE_EPOCH or 0, never to the commit time: a new commit
    # must not change layers whose files did not (ostree stores no mtimes anyway)
    mtime_max = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    events.start("re-chunking")
    try:
        result = rechunk(local_ref, dest, workdir / "rechunk", plan_layers(plan),
                         opts.isolation, image.tls_verify, mtime_max, image.base,
                         round(plan.expected_bytes))
    finally:
        events.stop()
    for note in result.notes:
        events.say(f"note: {note}")
    events.say(f"re-chunked into {len(result.chunks)} layers above {result.base_layers} base "
               f"layers in {sum(result.seconds.values()):.1f}s"
               + (" (keeping the previous image's layers)" if previous else ""))
    return dest


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
