"""The delivery pipeline as a GitHub Actions workflow (`layerkit ci github`; jobs and
triggers in docs/delivery.md). Pure: returns the workflow as data and YAML.

Values from the image files reach the shell only through `env:` (never `${{ }}` inside a
script) and are quoted; the workflow installs the layerkit release that generated it."""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

import yaml

from .. import __version__
from ..config.image import Image
from ..config.patterns import valid_rel_path
from ..errors import LayerkitError

CHECKOUT = {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
FREE_DISK = {"name": "Free disk space for the build",
             "run": "sudo rm -rf /usr/share/dotnet /usr/local/lib/android /opt/ghc "
                    "/opt/hostedtoolcache/CodeQL\ndf -h /\n"}


def _python(workflow_file: str) -> dict:
    """Python with pip's cache, keyed by this file (it pins the layerkit release)."""
    return {"uses": "actions/setup-python@v5",
            "with": {"python-version": "3.12", "cache": "pip",
                     "cache-dependency-path": workflow_file}}


def _install(fedora: bool = False, rpm: bool = False) -> dict:
    """rpm: a catalog refresh reads the built image's rpm database with it."""
    tools = ("dnf install -y rpm-ostree skopeo buildah python3-pip git" if fedora else
             "sudo apt-get update\nsudo apt-get install -y buildah skopeo" + " rpm" * rpm)
    return {"name": f"Install buildah, skopeo{', rpm' * rpm} and layerkit",
            "run": f"{tools}\npip install layerkit=={__version__}\n"}


def _login(registry: str, ci, tool: str) -> dict:
    return {"name": f"Log in to {registry}",
            "env": {"REGISTRY_USER": f"${{{{ secrets.{ci.user_secret} }}}}",
                    "REGISTRY_PASSWORD": f"${{{{ secrets.{ci.password_secret} }}}}"},
            "run": f'echo "$REGISTRY_PASSWORD" | {tool} login --username "$REGISTRY_USER" '
                   f"--password-stdin {shlex.quote(registry)}"}


def workflow(images: Sequence[tuple[Image, str]], workflow_file: str) -> dict:
    """images: each image with its file's path relative to the repository root, as CI
    checks it out. Several images share one base job and build in a matrix."""
    for _, path in images:
        if not valid_rel_path(path):
            raise LayerkitError(f"{path}: the workflow needs the image file's path relative "
                                "to the repository root, in plain characters")
    ci = images[0][0].ci
    differ = [path for image, path in images if image.ci != ci]
    if differ:
        raise LayerkitError(f"{', '.join(differ)}: ci: differs from {images[0][1]}'s; one "
                            "workflow runs with one [ci] table")
    on: dict = {"workflow_dispatch": {}, "push": {"branches": [ci.branch]}}
    jobs: dict = {}
    based = [(image, path) for image, path in images if image.base_source is not None]
    if based:
        crons = sorted({image.base_source.schedule for image, _ in based})  # type: ignore[union-attr]
        on = {"schedule": [{"cron": c} for c in crons], **on}
        jobs["base"] = _base_job(based, ci, workflow_file)
    jobs["content"] = _content_job(images, ci, workflow_file, "base" in jobs)
    name = images[0][0].name if len(images) == 1 else "images"
    return {"name": f"layerkit {name}", "on": on,
            "concurrency": {"group": f"layerkit-{name}", "cancel-in-progress": False},
            "permissions": {"contents": "write" if ci.catalog == "commit" and any(
                image.catalog for image, _ in images) else "read", "packages": "write"},
            "jobs": jobs}


def _base_job(based: Sequence[tuple[Image, str]], ci, workflow_file: str) -> dict:
    job: dict = {"if": "github.event_name != 'push'", "runs-on": ci.runs_on}
    fedora = any(image.base_source.treefile is not None for image, _ in based)  # type: ignore[union-attr]
    if fedora:
        # rpm-ostree runs on Fedora: build the base in a privileged Fedora container
        job["container"] = {"image": "quay.io/fedora/fedora:latest", "options": "--privileged"}
    steps = [CHECKOUT] + ([] if fedora else [_python(workflow_file)]) + [_install(fedora)]
    for registry in sorted({image.base.split("/", 1)[0] for image, _ in based}):
        steps.append(_login(registry, ci, "skopeo"))
    seen = set()
    for image, path in based:
        if image.base in seen:
            continue
        seen.add(image.base)
        verb = "Build" if image.base_source.treefile is not None else "Mirror"  # type: ignore[union-attr]
        steps.append({"name": f"{verb} the base of {image.name}", "env": {"IMAGE": path},
                      "run": 'layerkit base "$IMAGE"'})
    job["steps"] = steps
    return job


def _content_job(images: Sequence[tuple[Image, str]], ci, workflow_file: str,
                 after_base: bool) -> dict:
    matrix = len(images) > 1
    rows = [{"image": path, "name": image.name, "registry": image.registry,
             "cache": f"{image.target}-cache" if ci.cache else "",
             "target": image.target} for image, path in images]
    build = 'layerkit build "$IMAGE" --push'
    if ci.cache:
        build += ' --cache-from "$CACHE" --cache-to "$CACHE"'
    for row, (image, path) in zip(rows, images, strict=True):
        row["catalog"] = _catalog_path(image, path) or ""
    kept = any(row["catalog"] for row in rows)
    if kept:  # the refresh reads the built image's rpm database with rpm
        build += ' ${CATALOG:+--update-catalog}'
    steps = [CHECKOUT, FREE_DISK, _python(workflow_file), _install(rpm=kept)]
    steps += [_login(r, ci, "buildah") for r in sorted({row["registry"] for row in rows})]
    env = ({k: f"${{{{ matrix.{k} }}}}" for k in rows[0]} if matrix else rows[0])
    before, after = _catalog_steps(ci, env, matrix) if kept else ([], [])
    steps += before
    build_env = {"IMAGE": env["image"], "CACHE": env["cache"]}
    if kept:
        build_env["CATALOG"] = env["catalog"]
    steps.append({"name": "Build and push", "env": build_env, "run": build})
    steps += after
    steps += [{"name": "Report the plan and the release history",
               "env": {"IMAGE": env["image"], "TARGET": env["target"]},
               "run": 'layerkit report "$IMAGE" --history "$TARGET" --last 30 -o report.html'},
              {"uses": "actions/upload-artifact@v4",
               "with": {"name": f"layerkit-report-{env['name']}", "path": "report.html"}}]
    if ci.sign:
        steps += [
            {"uses": "sigstore/cosign-installer@v3"},
            {"name": "Sign the pushed image",
             "env": {"COSIGN_PRIVATE_KEY": "${{ secrets.COSIGN_PRIVATE_KEY }}",
                     "COSIGN_PASSWORD": "${{ secrets.COSIGN_PASSWORD }}",
                     "NAME": env["name"], "TARGET": env["target"]},
             "run": 'digest=$(cat ".layerkit/build/$NAME/digest")\n'
                    'cosign sign --yes --key env://COSIGN_PRIVATE_KEY "$TARGET@$digest"\n'}]
    job: dict = {"runs-on": ci.runs_on}
    if matrix:
        job["strategy"] = {"fail-fast": False, "matrix": {"include": rows}}
    if after_base:
        job["needs"] = "base"
        # run after the base job, and also when it was skipped (a push)
        job["if"] = "${{ !failure() && !cancelled() }}"
    job["steps"] = steps
    return job


def _catalog_path(image: Image, image_path: str) -> str | None:
    """The image's catalog relative to the checkout, when CI keeps it up to date."""
    if image.catalog is None or image.ci.catalog == "off":
        return None
    rel = os.path.relpath(image.catalog, image.path.parent)
    path = os.path.normpath(os.path.join(os.path.dirname(image_path), rel))
    if not valid_rel_path(path):
        raise LayerkitError(f"{image.path}: catalog: {path} must lie inside the repository, "
                            "in plain characters, for CI to keep it")
    return path


def _catalog_steps(ci, env: dict, matrix: bool) -> tuple[list[dict], list[dict]]:
    """Steps before and after the build that keep the catalog the build refreshes (in a
    matrix, only for the images that have one)."""
    if ci.catalog == "cache":
        key = f"layerkit-catalog-{env['name']}-"
        only = " && matrix.catalog != ''" if matrix else ""
        restore = {"uses": "actions/cache/restore@v4",
                   "with": {"path": env["catalog"], "key": key + "${{ github.run_id }}",
                            "restore-keys": key}}
        if matrix:
            restore["if"] = "${{ matrix.catalog != '' }}"
        return ([restore],
                [{"uses": "actions/cache/save@v4", "if": f"${{{{ success(){only} }}}}",
                  "with": {"path": env["catalog"], "key": key + "${{ github.run_id }}"}}])
    # pushes made with the workflow's token start no workflow: no loop
    return [], [{"name": "Commit the refreshed catalog", "env": {"CATALOG": env["catalog"]},
                 "run": 'test -n "$CATALOG" || exit 0\n'
                        'git config user.name "layerkit"\n'
                        'git config user.email "layerkit@users.noreply.github.com"\n'
                        'git add "$CATALOG"\n'
                        "if ! git diff --cached --quiet; then\n"
                        '  git commit -m "catalog: learn from the release just pushed"\n'
                        '  git push origin "HEAD:$GITHUB_REF_NAME"\n'
                        "fi\n"}]


class _Dumper(yaml.SafeDumper):
    """Workflow YAML as people write it: no anchors, scripts as literal blocks."""

    def ignore_aliases(self, data) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(images: Sequence[tuple[Image, str]], workflow_file: str) -> str:
    paths = " ".join(path for _, path in images)
    header = f"# generated by `layerkit ci github {paths}`; regenerate, do not edit\n"
    return header + yaml.dump(workflow(images, workflow_file), Dumper=_Dumper,
                              sort_keys=False, width=100)


def rebase_commands(image: Image) -> list[str]:
    """What a client runs to follow the image's moving tag."""
    ref = f"{image.target}:{image.stream}"
    cmds = [f"rpm-ostree rebase ostree-unverified-registry:{ref}"]
    if image.ci.sign:
        cmds.append(f"rpm-ostree rebase ostree-image-signed:docker://{ref}   "
                    "# once the machine's /etc/containers/policy.json trusts your cosign key")
    if image.ci.bootc:
        cmds.append(f"bootc switch {ref}")
    return cmds
