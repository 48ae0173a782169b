"""Reading `images/<name>.toml` into an Image, every problem reported
(format: docs/formats.md#images)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problems
from . import patterns
from .files import kind, resolved
from .image import (
    DEFAULT_BASE,
    DEFAULT_LAYER_OVERHEAD,
    DEFAULT_MAX_LAYERS,
    LAYER_LIMIT,
    MAX_CADENCE,
    MAX_RATE,
    BaseSource,
    CiSettings,
    Image,
    Installer,
    Model,
)
from .sections import parse_repo
from .toml import Table

IMAGE_KEYS = {"base", "registry", "repository", "stream", "max_layers", "installer", "cadence",
              "model", "layer_overhead", "base_changes_per_year", "recipes", "recipe_dir",
              "catalog", "base_packages", "repos", "tls_verify", "base_source", "ci"}


def load_image(path: Path, problems: Problems, label: str | None = None,
               missing_catalog_ok: bool = False) -> Image | None:
    """missing_catalog_ok: the `catalog` key may name a file not written yet (for
    `layerkit catalog` and `build --update-catalog`, which write it)."""
    t = Table.load(path, problems, label, IMAGE_KEYS)
    if t is None:
        return None
    if not patterns.IMAGE_NAME.fullmatch(path.stem):
        problems.add(t.label, f"image file name {path.stem!r} is not a name like "
                              "kinoite-desktop (letters, digits, '.', '-', '_')")
    base = t.get("base", str, DEFAULT_BASE)
    if base and not patterns.IMAGE_REF.fullmatch(base):
        t.error("base", f"{base!r} is not an image reference like quay.io/org/name:tag@sha256:…")
    registry = t.get("registry", str, "localhost")
    if registry and not patterns.REGISTRY.fullmatch(registry):
        t.error("registry", f"{registry!r} is not a registry host[:port]")
    repository = t.get("repository", str, f"layerkit/{path.stem}")
    if repository and not patterns.REGISTRY_REPO.fullmatch(repository):
        t.error("repository", f"{repository!r} is not a lower-case repository path")
    stream = t.get("stream", str, "latest")
    if stream and not patterns.TAG.fullmatch(stream):
        t.error("stream", f"{stream!r} is not a valid tag prefix")
    max_layers = t.get("max_layers", int, DEFAULT_MAX_LAYERS)
    if max_layers is not None and not 1 <= max_layers <= LAYER_LIMIT:
        t.error("max_layers", f"must be between 1 and {LAYER_LIMIT}, got {max_layers}")
    installer = t.enum("installer", Installer, Installer.DNF)
    model = t.enum("model", Model, Model.CONTAINERFILE)
    cadence = t.number("cadence", 7.0, 0, MAX_CADENCE, low_open=True)
    overhead = t.size("layer_overhead", DEFAULT_LAYER_OVERHEAD)
    base_rate = t.number("base_changes_per_year", 0.0, 0, MAX_RATE)
    recipes = t.str_list("recipes", patterns.RECIPE, "a recipe name") \
        if "recipes" in t.data else None
    # normalised: messages say recipes/, not images/../recipes/
    recipe_dir = Path(os.path.normpath(path.parent / (t.text("recipe_dir", "../recipes")
                                                      or "../recipes")))
    catalog_raw = t.text("catalog", None)
    catalog = Path(os.path.normpath(path.parent / catalog_raw)) if catalog_raw else None
    if catalog is not None and kind(catalog) != "file" and \
            not (missing_catalog_ok and kind(catalog) == "missing"):
        t.error("catalog", f"{catalog} is not a file")
    base_packages = t.str_list("base_packages", patterns.PACKAGE, "a package name")
    repos = tuple(r for r in (parse_repo(rt) for rt in t.tables("repos")) if r)
    tls_verify = t.get("tls_verify", bool, True)
    bt = t.table("base_source")
    base_source = parse_base_source(bt, path.parent) if bt is not None else None
    if base_source is not None and base and "@sha256:" in base:
        t.error("base", "a digest-pinned base cannot follow a mirrored or built base: "
                        "use its moving tag")
    ct = t.table("ci")
    ci = parse_ci(ct) if ct is not None else CiSettings()
    if t.failed:
        return None
    return Image(name=path.stem, path=path, base=base, registry=registry, repository=repository,
                 stream=stream, max_layers=max_layers, installer=installer,
                 cadence_days=cadence, model=model, layer_overhead=overhead,
                 base_rate=base_rate, recipes=tuple(recipes) if recipes is not None
                 else None, recipe_dir=recipe_dir, catalog=catalog,
                 base_packages=tuple(base_packages), repos=repos, tls_verify=tls_verify,
                 base_source=base_source, ci=ci)


def parse_base_source(t: Table, image_dir: Path) -> BaseSource | None:
    t.check_keys({"upstream", "treefile", "schedule"})
    upstream = t.get("upstream", str, None)
    if upstream is not None and not patterns.IMAGE_REF.fullmatch(upstream):
        t.error("upstream", f"{upstream!r} is not an image reference")
    treefile = t.text("treefile", None)
    tree = None
    if treefile is not None:
        tree = image_dir / treefile
        real, root = resolved(tree), resolved(image_dir)
        if not patterns.valid_rel_path(treefile) or real is None or root is None or \
                not real.is_relative_to(root):
            t.error("treefile", f"{treefile!r} must be a path inside the image's folder")
    if ("upstream" in t.data) == ("treefile" in t.data):
        t.error("upstream", "give exactly one of upstream (mirror) or treefile (build)")
        return None
    schedule = _cron(t, "schedule", "0 4 * * *")
    return BaseSource(upstream, tree, schedule or "0 4 * * *")


def parse_ci(t: Table) -> CiSettings:
    t.check_keys({"runs_on", "user_secret", "password_secret", "branch", "cache", "sign",
                  "bootc", "catalog"})
    runs_on = t.get("runs_on", str, "ubuntu-24.04")
    if runs_on and not patterns.RUNNER.fullmatch(runs_on):
        t.error("runs_on", f"{runs_on!r} is not a runner label")
    secrets = {}
    for key, default in (("user_secret", "REGISTRY_USER"), ("password_secret",
                                                            "REGISTRY_PASSWORD")):
        value = t.get(key, str, default)
        if value and not patterns.SECRET.fullmatch(value):
            t.error(key, f"{value!r} is not a secret name (upper case, digits, _)")
        secrets[key] = value or default
    branch = t.get("branch", str, "main")
    if branch and not patterns.TAG.fullmatch(branch.replace("/", "-")):
        t.error("branch", f"{branch!r} is not a branch name")
    catalog = t.get("catalog", str, "commit")
    if catalog not in CI_CATALOG:
        t.error("catalog", f"{catalog!r}: expected one of {', '.join(CI_CATALOG)}")
    return CiSettings(runs_on or "ubuntu-24.04", secrets["user_secret"],
                      secrets["password_secret"], branch or "main",
                      bool(t.get("cache", bool, True)), bool(t.get("sign", bool, False)),
                      bool(t.get("bootc", bool, False)), catalog or "commit")


CI_CATALOG = ("commit", "cache", "off")


def _cron(t: Table, key: str, default: str) -> str | None:
    value = t.text(key, default)
    if value is not None and not (patterns.CRON.fullmatch(value) and all(
            patterns.CRON_FIELD.fullmatch(f) for f in value.split(" ") if f)):
        t.error(key, f"{value!r} is not a five-field cron expression")
        return None
    return value
