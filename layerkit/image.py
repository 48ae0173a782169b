"""Image definitions: `images/<name>.toml` -> a frozen Image."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from . import patterns
from .delivery import BaseSource, CiSettings, parse_base, parse_ci
from .errors import Problems
from .recipe import Repo, parse_repo
from .sizes import parse_size
from .tomlfields import Table, load_toml

# Fedora's official Kinoite image. The tag is a default, not a promise: pin a digest
# (`...@sha256:<digest>`) in your image file so a build is reproducible.
DEFAULT_BASE = "quay.io/fedora-ostree-desktops/kinoite:42"

# Docker's overlay storage refuses images deeper than ~125 layers and a Kinoite base
# already carries ~65 (rpm-ostree's chunked layers). 40 of our own keeps the total near
# 105, leaving room for a base that grows a few layers.
DEFAULT_MAX_LAYERS = 40
LAYER_LIMIT = 127

# What each RUN layer that installs packages carries besides the packages: a fresh copy
# of the rpmdb and dnf's history (~100 MB measured on a Fedora desktop).
DEFAULT_LAYER_OVERHEAD = 100_000_000

_REF = re.compile(r"^[a-z0-9][a-z0-9.:-]*(/[A-Za-z0-9._-]+)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                  r"(@sha256:[0-9a-f]{64})?$")
_REGISTRY = re.compile(r"^[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?$")


class Installer(StrEnum):
    DNF = "dnf"
    RPM_OSTREE = "rpm-ostree"


class Model(StrEnum):
    CONTAINERFILE = "containerfile"  # layers are RUN steps; a change rebuilds all above
    INDEPENDENT = "independent"  # content-addressed (re-chunked) layers


@dataclass(frozen=True)
class Image:
    name: str
    path: Path
    base: str = DEFAULT_BASE
    registry: str = "localhost"
    repository: str = "layerkit/image"
    stream: str = "latest"
    max_layers: int = DEFAULT_MAX_LAYERS
    installer: Installer = Installer.DNF
    cadence_days: float = 7.0
    model: Model = Model.CONTAINERFILE
    layer_overhead: int = DEFAULT_LAYER_OVERHEAD
    base_changes_per_year: float = 0.0
    recipes: tuple[str, ...] | None = None  # None: every recipe in recipe_dir
    recipe_dir: Path = Path("recipes")
    catalog: Path | None = None
    base_packages: tuple[str, ...] = ()
    repos: tuple[Repo, ...] = ()  # build-time repositories, not left in the image
    tls_verify: bool = True
    base_source: BaseSource | None = None
    ci: CiSettings = CiSettings()

    @property
    def target(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def digest_pinned(self) -> bool:
        return "@sha256:" in self.base


IMAGE_KEYS = {"base", "registry", "repository", "stream", "max_layers", "installer", "cadence",
              "model", "layer_overhead", "base_changes_per_year", "recipes", "recipe_dir",
              "catalog", "base_packages", "repos", "tls_verify", "base_source", "ci"}


def load_image(path: Path, problems: Problems, label: str | None = None) -> Image | None:
    label = label or str(path)
    data = load_toml(path, label, problems)
    if data is None:
        return None
    before = len(problems.items)
    t = Table(data, label, "", problems)
    t.check_keys(IMAGE_KEYS)
    base = t.get("base", str, DEFAULT_BASE)
    if base and not _REF.match(base):
        t.error("base", f"{base!r} is not an image reference like quay.io/org/name:tag@sha256:…")
    registry = t.get("registry", str, "localhost")
    if registry and not _REGISTRY.match(registry):
        t.error("registry", f"{registry!r} is not a registry host[:port]")
    repository = t.get("repository", str, f"layerkit/{path.stem}")
    if repository and not patterns.REGISTRY_REPO.match(repository):
        t.error("repository", f"{repository!r} is not a lower-case repository path")
    stream = t.get("stream", str, "latest")
    if stream and not patterns.TAG.match(stream):
        t.error("stream", f"{stream!r} is not a valid tag prefix")
    max_layers = t.get("max_layers", int, DEFAULT_MAX_LAYERS)
    if max_layers is not None and not 1 <= max_layers <= LAYER_LIMIT:
        t.error("max_layers", f"must be between 1 and {LAYER_LIMIT}, got {max_layers}")
    installer = t.enum("installer", Installer, Installer.DNF)
    model = t.enum("model", Model, Model.CONTAINERFILE)
    cadence = t.get("cadence", float, 7.0)
    if cadence is not None and cadence <= 0:
        t.error("cadence", "days between client updates must be positive")
    overhead = DEFAULT_LAYER_OVERHEAD
    if "layer_overhead" in data:
        try:
            overhead = parse_size(data["layer_overhead"])
        except ValueError as e:
            t.error("layer_overhead", str(e))
    base_rate = t.get("base_changes_per_year", float, 0.0)
    if base_rate is not None and base_rate < 0:
        t.error("base_changes_per_year", "must not be negative")
    recipes = t.str_list("recipes") if "recipes" in data else None
    for i, r in enumerate(recipes or []):
        if not patterns.RECIPE.match(r):
            t.error(f"recipes[{i}]", f"{r!r} is not a recipe name")
    recipe_dir = path.parent / t.get("recipe_dir", str, "../recipes")
    catalog_raw = t.get("catalog", str, None)
    catalog = path.parent / catalog_raw if catalog_raw else None
    if catalog is not None and not catalog.is_file():
        t.error("catalog", f"{catalog} does not exist")
    base_packages = t.str_list("base_packages")
    repos = tuple(r for r in (parse_repo(rt) for rt in t.tables("repos")) if r)
    tls_verify = t.get("tls_verify", bool, True)
    bt = t.table("base_source")
    base_source = parse_base(bt, path.parent, _REF) if bt is not None else None
    if base_source is not None and base and "@sha256:" in base:
        t.error("base", "a digest-pinned base cannot follow a mirrored or built base: "
                        "use its moving tag")
    ct = t.table("ci")
    ci = parse_ci(ct) if ct is not None else CiSettings()
    if len(problems.items) > before:
        return None
    return Image(name=path.stem, path=path, base=base, registry=registry, repository=repository,
                 stream=stream, max_layers=max_layers, installer=installer,
                 cadence_days=cadence, model=model, layer_overhead=overhead,
                 base_changes_per_year=base_rate, recipes=tuple(recipes) if recipes is not None
                 else None, recipe_dir=recipe_dir, catalog=catalog,
                 base_packages=tuple(base_packages), repos=repos, tls_verify=tls_verify,
                 base_source=base_source, ci=ci)
