"""The stand-in world for the tests and the demo, made of real parts: the stand-in base,
a local RPM repository served on loopback, a real registry, and a small project."""

from __future__ import annotations

import contextlib
import shutil
import textwrap
from pathlib import Path

from .base import standin_base
from .rpms import RpmSpec, make_repo
from .servers import Registry, RepoServer


@contextlib.contextmanager
def world(workdir: Path):
    """Stand-in base, the demo RPM repository served on loopback, and a registry:
    yields (base ref, repo dir, repo URL, registry), stops the servers afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    base = standin_base(workdir)
    repo = workdir / "repo"
    shutil.rmtree(repo, ignore_errors=True)  # a rerun starts from the first versions
    make_repo(PACKAGES, repo)
    server = RepoServer(repo)
    try:
        registry = Registry(workdir / "registry")
    except BaseException:
        server.stop()
        raise
    try:
        yield base, repo, server.url, registry
    finally:
        registry.stop()
        server.stop()


# A small recipe set: a big stable library, tools, an app at the top, one config file.
PACKAGES = [
    RpmSpec("libbig", size=3_000_000),
    RpmSpec("tool-a", size=400_000, requires=("libbig",)),
    RpmSpec("tool-b", size=300_000),
    RpmSpec("app", size=200_000, requires=("tool-a",)),
]

RECIPES = {
    "libs": 'description = "big and stable"\npackages = ["libbig"]\nsize = "3 MB"\n'
            'update = "yearly"\n',
    "tools": 'description = "tools"\npackages = ["tool-a", "tool-b"]\nsize = "700 kB"\n'
             'update = "monthly"\nrequires = ["libs"]\n',
    "app": 'description = "the app"\npackages = ["app"]\nsize = "200 kB"\nupdate = "daily"\n'
           'requires = ["tools"]\n',
    "motd": 'description = "config"\n[[files]]\nsrc = "motd/motd.conf"\n'
            'dest = "/etc/sysctl.d/99-test.conf"\n',
}


def write_project(root: Path, base: str, repo_url: str, registry_host: str,
                  stream: str, extra_recipes: dict[str, str] | None = None,
                  model: str = "containerfile", recipes: dict[str, str] | None = None,
                  repository: str = "test/desk", max_layers: int = 8) -> Path:
    (root / "recipes" / "motd").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    (root / "recipes" / "motd" / "motd.conf").write_text("kernel.printk = 4 4 1 7\n")
    for name, text in {**(RECIPES if recipes is None else recipes),
                       **(extra_recipes or {})}.items():
        (root / "recipes" / f"{name}.toml").write_text(text)
    image = root / "images" / "desk.toml"
    image.write_text(textwrap.dedent(f"""\
        base = "{base}"
        registry = "{registry_host}"
        repository = "{repository}"
        stream = "{stream}"
        max_layers = {max_layers}
        installer = "dnf"
        model = "{model}"
        layer_overhead = "300 kB"
        tls_verify = false

        [[repos]]
        id = "local"
        baseurl = "{repo_url}"
        gpgcheck = false
        """))
    return image
