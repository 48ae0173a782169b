"""Session fixtures for end-to-end tests: stand-in base, local RPM repo, real registry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from layerkit import rig

# A small recipe set: a big stable library, tools, an app at the top, one config file.
PACKAGES = [
    rig.RpmSpec("libbig", size=3_000_000),
    rig.RpmSpec("tool-a", size=400_000, requires=("libbig",)),
    rig.RpmSpec("tool-b", size=300_000),
    rig.RpmSpec("app", size=200_000, requires=("tool-a",)),
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


@pytest.fixture(scope="session")
def standin(tmp_path_factory) -> str:
    return rig.standin_base(tmp_path_factory.mktemp("standin"))


@pytest.fixture(scope="session")
def rpm_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    rig.make_repo(PACKAGES, root)
    server = rig.RepoServer(root)
    yield root, server.url
    server.stop()


@pytest.fixture(scope="session")
def registry_fixture(tmp_path_factory):
    reg = rig.Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()


def write_project(root: Path, base: str, repo_url: str, registry_host: str,
                  stream: str, extra_recipes: dict[str, str] | None = None,
                  model: str = "containerfile") -> Path:
    (root / "recipes" / "motd").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    (root / "recipes" / "motd" / "motd.conf").write_text("kernel.printk = 4 4 1 7\n")
    for name, text in {**RECIPES, **(extra_recipes or {})}.items():
        (root / "recipes" / f"{name}.toml").write_text(text)
    image = root / "images" / "desk.toml"
    image.write_text(textwrap.dedent(f"""\
        base = "{base}"
        registry = "{registry_host}"
        repository = "test/desk"
        stream = "{stream}"
        max_layers = 8
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
