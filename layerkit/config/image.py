"""An image file and everything it names, as validated frozen objects (read by
`image_file` and `load`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .catalog import Catalog
from .recipe import Recipe, Repo

# Fedora's official Kinoite image. The tag is a default, not a promise: pin a digest
# (`...@sha256:<digest>`) in your image file so a build is reproducible.
DEFAULT_BASE = "quay.io/fedora-ostree-desktops/kinoite:42"

# Container storage refuses images deeper than ~125 layers and a Kinoite base already
# carries ~65 (rpm-ostree's chunked layers): 40 of our own keeps the total near 105.
DEFAULT_MAX_LAYERS = 40
LAYER_LIMIT = 127
MAX_CADENCE = 3650.0  # days between client updates: ten years
MAX_RATE = 100_000.0  # changes per year: hundreds a day is not a package any more

# What each RUN layer that installs packages carries besides the packages: a fresh copy
# of the rpmdb and dnf's history (~100 MB measured on a Fedora desktop).
DEFAULT_LAYER_OVERHEAD = 100_000_000


class Installer(StrEnum):
    DNF = "dnf"
    RPM_OSTREE = "rpm-ostree"


class Model(StrEnum):
    CONTAINERFILE = "containerfile"  # layers are RUN steps; a change rebuilds all above
    INDEPENDENT = "independent"  # content-addressed (re-chunked) layers


@dataclass(frozen=True)
class BaseSource:
    """How the base reaches your registry: mirrored from `upstream`, or built from an
    rpm-ostree `treefile` (the image file's [base_source])."""

    upstream: str | None = None
    treefile: Path | None = None
    schedule: str = "0 4 * * *"  # cron for the CI base job


@dataclass(frozen=True)
class CiSettings:
    """The generated GitHub workflow (the image file's [ci])."""

    runs_on: str = "ubuntu-24.04"
    user_secret: str = "REGISTRY_USER"
    password_secret: str = "REGISTRY_PASSWORD"
    branch: str = "main"
    cache: bool = True  # buildah --cache-from/--cache-to <repository>-cache
    sign: bool = False  # cosign, key in secrets.COSIGN_PRIVATE_KEY
    bootc: bool = False  # clients switch with `bootc switch`
    # with a `catalog`: the build refreshes it (build --update-catalog), then CI commits
    # it to the branch ("commit") or keeps it in the Actions cache ("cache"); or "off"
    catalog: str = "commit"


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
    base_rate: float = 0.0  # the base's changes per year (base_changes_per_year)
    recipes: tuple[str, ...] | None = None  # None: every recipe in recipe_dir
    recipe_dir: Path = Path("recipes")
    catalog: Path | None = None
    base_packages: tuple[str, ...] = ()
    repos: tuple[Repo, ...] = ()  # build-time repositories, not left in the image
    tls_verify: bool = True
    base_source: BaseSource | None = None
    ci: CiSettings = field(default_factory=CiSettings)

    @property
    def target(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def digest_pinned(self) -> bool:
        return "@sha256:" in self.base


def config_recipes(recipes: Mapping[str, Recipe]) -> list[str]:
    """Recipes that ship files or services: each gets a COPY layer above the package
    layers, so editing a config file never reinstalls packages."""
    return [n for n in sorted(recipes) if recipes[n].ships_config]


@dataclass(frozen=True)
class Project:
    """An image with the recipes and catalog it names, all validated."""

    image: Image
    recipes: Mapping[str, Recipe]
    catalog: Catalog | None = None

    @property
    def config_recipes(self) -> list[str]:
        return config_recipes(self.recipes)

    @property
    def package_layers(self) -> int:
        """Layers left for packages once every config recipe has its COPY layer."""
        return self.image.max_layers - len(self.config_recipes)
