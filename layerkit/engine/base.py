"""`layerkit base`: put the base image into your registry, versioned tag then moving tag."""

from __future__ import annotations

from dataclasses import dataclass

from ..config.image import Image
from ..errors import ExitCode, LayerkitError
from ..tools import skopeo
from ..tools.run import run
from .tags import Tags, make_tags


@dataclass(frozen=True)
class BaseResult:
    versioned: str
    moving: str
    digest: str


def publish_base(image: Image, tags: Tags | None = None, force: bool = False) -> BaseResult:
    """Mirror or build the base to a new versioned tag (a given one that exists is refused
    unless forced), then move the moving tag to it."""
    source = image.base_source
    if source is None:
        raise LayerkitError(f"{image.path}: base_source: add a [base_source] table with "
                            "upstream = \"...\" (mirror) or treefile = \"...\" (build)")
    repo, moving_tag = skopeo.split_ref(image.base)
    tags = tags or make_tags(moving_tag, image.path.resolve().parent, [image.path],
                             taken=lambda t: skopeo.exists(f"docker://{repo}:{t}",
                                                           image.tls_verify))
    versioned = f"{repo}:{tags.versioned}"
    moving = f"{repo}:{moving_tag}"
    if not force and skopeo.exists(f"docker://{versioned}", image.tls_verify):
        raise LayerkitError(f"{versioned} exists: a versioned tag names one base; choose "
                            "another or pass --force")
    if source.upstream is not None:
        skopeo.copy(f"docker://{source.upstream}", f"docker://{versioned}", image.tls_verify,
                    all_images=True)
    else:
        run(["rpm-ostree", "compose", "image", "--initialize", "--format", "registry",
             source.treefile, versioned])
    skopeo.copy(f"docker://{versioned}", f"docker://{moving}", image.tls_verify,
                all_images=True)
    pushed = skopeo.digest(f"docker://{versioned}", image.tls_verify)
    moved = skopeo.digest(f"docker://{moving}", image.tls_verify)
    if pushed != moved:
        raise LayerkitError(f"{moving}: digest {moved} differs from {versioned}",
                            ExitCode.FAILED)
    return BaseResult(versioned, moving, pushed)
