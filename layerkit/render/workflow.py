"""The delivery pipeline as a GitHub Actions workflow (`layerkit ci github`; jobs and
triggers in docs/delivery.md). Pure: returns the workflow as data and YAML."""

from __future__ import annotations

import os
import shlex

import yaml

from ..config.image import Image
from ..config.patterns import valid_rel_path
from ..errors import LayerkitError


def _login(image: Image, tool: str) -> dict:
    ci = image.ci
    return {"name": f"Log in to {image.registry}",
            "env": {"REGISTRY_USER": f"${{{{ secrets.{ci.user_secret} }}}}",
                    "REGISTRY_PASSWORD": f"${{{{ secrets.{ci.password_secret} }}}}"},
            "run": f'echo "$REGISTRY_PASSWORD" | {tool} login --username "$REGISTRY_USER" '
                   f"--password-stdin {shlex.quote(image.registry)}"}


def workflow(image: Image, image_path: str) -> dict:
    """image_path: the image file relative to the repository's root, as CI checks it out."""
    if not valid_rel_path(image_path):
        raise LayerkitError(f"{image_path}: the workflow needs the image file's path relative "
                            "to the repository root, in plain characters")
    ci = image.ci
    path = shlex.quote(image_path)
    install = {"name": "Install buildah, skopeo and layerkit",
               "run": "sudo apt-get update\n"
                      "sudo apt-get install -y buildah skopeo\n"
                      "pip install .\n"}
    checkout = {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    on: dict = {"workflow_dispatch": {}, "push": {"branches": [ci.branch]}}
    jobs: dict = {}
    if image.base_source is not None:
        on = {"schedule": [{"cron": image.base_source.schedule}], **on}
        base_job: dict = {"if": "github.event_name != 'push'", "runs-on": ci.runs_on}
        if image.base_source.treefile is not None:
            # rpm-ostree runs on Fedora: build the base in a privileged Fedora container
            base_job["container"] = {"image": "quay.io/fedora/fedora:latest",
                                     "options": "--privileged"}
            steps = [checkout,
                     {"name": "Install rpm-ostree, skopeo and layerkit",
                      "run": "dnf install -y rpm-ostree skopeo buildah python3-pip git\n"
                             "pip install .\n"},
                     _login(image, "skopeo"),
                     {"name": "Build the base with rpm-ostree",
                      "run": f"layerkit base {path}"}]
        else:
            steps = [checkout, install, _login(image, "skopeo"),
                     {"name": "Mirror the base", "run": f"layerkit base {path}"}]
        base_job["steps"] = steps
        jobs["base"] = base_job
    build = f"layerkit build {path} --push"
    if ci.cache:
        cache = shlex.quote(f"{image.target}-cache")
        build += f" --cache-from {cache} --cache-to {cache}"
    catalog = _catalog_path(image, image_path)
    before, after = _catalog_steps(image, catalog) if catalog else ([], [])
    if catalog:
        build += " --update-catalog"
    if catalog:  # the catalog reads the built image's rpm database with rpm
        install = {"name": "Install buildah, skopeo, rpm and layerkit",
                   "run": install["run"].replace("buildah skopeo", "buildah skopeo rpm")}
    content: dict = {"runs-on": ci.runs_on,
                     "steps": [checkout, install, _login(image, "buildah"), *before,
                               {"name": "Build and push", "run": build}, *after]}
    if "base" in jobs:
        content["needs"] = "base"
        # run after the base job, and also when it was skipped (a push)
        content["if"] = "${{ !failure() && !cancelled() }}"
    if ci.sign:
        content["steps"] += [
            {"uses": "sigstore/cosign-installer@v3"},
            {"name": "Sign the pushed image",
             "env": {"COSIGN_PRIVATE_KEY": "${{ secrets.COSIGN_PRIVATE_KEY }}",
                     "COSIGN_PASSWORD": "${{ secrets.COSIGN_PASSWORD }}"},
             "run": f"digest=$(cat .layerkit/build/{image.name}/digest)\n"
                    f'cosign sign --yes --key env://COSIGN_PRIVATE_KEY '
                    f'"{image.target}@$digest"\n'}]
    jobs["content"] = content
    return {"name": f"layerkit {image.name}", "on": on,
            "concurrency": {"group": f"layerkit-{image.name}", "cancel-in-progress": False},
            "permissions": {"contents": "write" if catalog and ci.catalog == "commit"
                            else "read", "packages": "write"},
            "jobs": jobs}


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


def _catalog_steps(image: Image, path: str) -> tuple[list[dict], list[dict]]:
    """Steps before and after the build that keep the catalog the build refreshes."""
    if image.ci.catalog == "cache":
        key = f"layerkit-catalog-{image.name}-"
        return ([{"uses": "actions/cache/restore@v4",
                  "with": {"path": path, "key": key + "${{ github.run_id }}",
                           "restore-keys": key}}],
                [{"uses": "actions/cache/save@v4", "if": "${{ success() }}",
                  "with": {"path": path, "key": key + "${{ github.run_id }}"}}])
    quoted = shlex.quote(path)
    # pushes made with the workflow's token start no workflow: no loop
    return [], [{"name": "Commit the refreshed catalog",
                 "run": 'git config user.name "layerkit"\n'
                        'git config user.email "layerkit@users.noreply.github.com"\n'
                        f"git add {quoted}\n"
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


def render(image: Image, image_path: str) -> str:
    header = (f"# generated by `layerkit ci github {image_path}`; regenerate, do not edit\n")
    return header + yaml.dump(workflow(image, image_path), Dumper=_Dumper, sort_keys=False,
                              width=100)


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
