"""Session fixtures for end-to-end tests: stand-in base, local RPM repo, real registry."""

from __future__ import annotations

import pytest

from layerkit import rig


@pytest.fixture(scope="session")
def standin(tmp_path_factory) -> str:
    return rig.standin_base(tmp_path_factory.mktemp("standin"))


@pytest.fixture(scope="session")
def rpm_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    rig.make_repo(rig.PACKAGES, root)
    server = rig.RepoServer(root)
    yield root, server.url
    server.stop()


@pytest.fixture(scope="session")
def registry_fixture(tmp_path_factory):
    reg = rig.Registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()
