"""Session fixtures for end-to-end tests: the stand-in base, the demo RPM repository at
its first versions (read-only: modules that bump versions make their own with
`own_repo`), and a real registry."""

from __future__ import annotations

import pytest

from standin import world
from standin.base import standin_base
from standin.rpms import make_repo
from standin.servers import Registry, RepoServer


@pytest.fixture(scope="session")
def standin(tmp_path_factory) -> str:
    return standin_base(tmp_path_factory.mktemp("standin"))


@pytest.fixture(scope="session")
def rpm_repo(tmp_path_factory):
    """(directory, URL) of the demo packages at version 1.0. Never change it."""
    root = tmp_path_factory.mktemp("repo")
    make_repo(world.PACKAGES, root)
    server = RepoServer(root)
    yield root, server.url
    server.stop()


@pytest.fixture(scope="session")
def registry_fixture(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()


def own_repo(tmp_path_factory, name: str):
    """A module's own copy of the demo repository, served on loopback: (dir, server)."""
    root = tmp_path_factory.mktemp(name)
    make_repo(world.PACKAGES, root)
    return root, RepoServer(root)


@pytest.fixture(scope="session")
def fx(tmp_path_factory):
    """The catalog readers' fixture (standin/repodata.py): packages built by rpmbuild, an
    rpm root holding them, a createrepo_c repository with updateinfo (~2 s)."""
    from standin.repodata import make_fixture
    return make_fixture(tmp_path_factory.mktemp("repodata"))
