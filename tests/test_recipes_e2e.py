"""Recipe features against real dnf: a base package replaced from another repository,
and an image of config layers only."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from layerkit.tools.run import run
from standin.rpms import RpmSpec, make_repo
from standin.servers import RepoServer
from standin.world import RECIPES, write_project

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def alt_repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("alt-repo")
    make_repo([RpmSpec("tool-b", version="2.0", size=300_000)], root)
    server = RepoServer(root)
    yield server.url
    server.stop()


def rpm_q(image: str, package: str) -> str:
    ctr = run(["buildah", "from", "--pull=false", image]).stdout.decode().strip()
    try:
        return run(["buildah", "run", "--isolation", "chroot", ctr, "--", "rpm", "-q", package],
                   check=False).stdout.decode().strip()
    finally:
        run(["buildah", "rm", ctr])


def test_a_package_replaced_from_another_repository(tmp_path, standin, rpm_repo, alt_repo):
    swap = (f'description = "tool-b from alt"\nrequires = ["tools"]\nsize = "300 kB"\n'
            f'update = "yearly"\n[[repos]]\nid = "alt"\nbaseurl = "{alt_repo}"\n'
            'gpgcheck = false\n[[replace]]\nrepo = "alt"\npackages = ["tool-b"]\n')
    image = write_project(tmp_path, standin, rpm_repo[1], "localhost:5999", "swap",
                          repository="test/swap", recipes={**RECIPES, "swap": swap})
    result = run_cli("build", image, "--tag", "swap", "--workdir", tmp_path / "work")
    assert result.code == 0, result.err
    assert rpm_q("localhost:5999/test/swap:swap", "tool-b") == "tool-b-2.0-1.noarch"
    assert rpm_q("localhost:5999/test/swap:swap", "tool-a") == "tool-a-1.0-1.noarch"


def test_an_image_of_config_layers_only_builds(tmp_path, standin, rpm_repo):
    image = write_project(tmp_path, standin, rpm_repo[1], "localhost:5999", "cfg",
                          repository="test/cfg", recipes={"motd": RECIPES["motd"]})
    result = run_cli("build", image, "--tag", "cfg", "--workdir", tmp_path / "work")
    assert result.code == 0, result.err
    ours = json.loads(run(["buildah", "inspect", "--type", "image",
                           "localhost:5999/test/cfg:cfg"]).stdout)["OCIv1"]
    base = json.loads(run(["buildah", "inspect", "--type", "image", standin]).stdout)["OCIv1"]
    assert len(ours["rootfs"]["diff_ids"]) == len(base["rootfs"]["diff_ids"]) + 1
