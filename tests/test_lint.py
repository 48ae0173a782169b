"""lint: static on recipes, and on the root of images built with the rig."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from standin.world import write_project

pytestmark = pytest.mark.integration

BAD_SCRIPT = r"""
mkdir -p /usr/etc && touch /usr/etc/leftover
rm -f /var/run && mkdir -p /var/run && touch /var/run/pid
touch /tmp/leftover
touch "/usr/share/bad-$(printf '\377')name"
for k in 6.1.0-a 6.1.0-b; do mkdir -p /usr/lib/modules/$k && touch /usr/lib/modules/$k/vmlinuz; done
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -s /usr/lib/systemd/system/x.service /etc/systemd/system/multi-user.target.wants/x.service
mkdir -p /etc/sysctl.d && echo "vm.swappiness = 1" > /etc/sysctl.d/90-bad.conf
mkdir -p /var/lib/bad && touch /var/lib/bad/state
chsh -s /bin/sh root
"""

BAD_RECIPE = (
    'description = "breaks every ostree rule on purpose"\n'
    f"script = '''{BAD_SCRIPT}'''\n"
    '[[files]]\nsrc = "motd/motd.conf"\ndest = "/usr/lib/sysctl.d/90-bad.conf"\n'
)


def built(tmp_path, standin, rpm_repo, extra, tag):
    image = write_project(tmp_path / tag, standin, rpm_repo[1], "localhost:5999", "lint",
                          extra_recipes=extra)
    code, _, err = run_cli("build", str(image), "--tag", tag, "--workdir",
                           str(tmp_path / tag / "work"))
    assert code == 0, err
    return image, f"localhost:5999/test/desk:{tag}"


def test_good_image_has_no_findings(tmp_path, standin, rpm_repo):
    image, ref = built(tmp_path, standin, rpm_repo, None, "lint-good")
    code, out, err = run_cli("lint", "--built", ref, "--base", standin, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["findings"] == [] and data["inherited_from_base"] > 0  # Debian's /var


def test_bad_image_triggers_every_check(tmp_path, standin, rpm_repo):
    image, ref = built(tmp_path, standin, rpm_repo, {"bad": BAD_RECIPE}, "lint-bad")
    code, out, _ = run_cli("lint", "--built", ref, "--base", standin, "--json")
    assert code == 1
    found = {(f["check"], f["path"]) for f in json.loads(out)["findings"]}
    checks = {c for c, _ in found}
    assert checks == {"usr-etc", "var-run", "run-tmp", "utf8", "kernel", "etc-enable",
                      "etc-shadow", "var-tmpfiles", "etc-accounts"}
    assert ("etc-accounts", "/etc/passwd") in found  # chsh at build time
    assert ("etc-shadow", "/etc/sysctl.d/90-bad.conf") in found
    assert ("var-tmpfiles", "/var/lib/bad") in found
    code, out, _ = run_cli("lint", "--built", ref, "--base", standin)
    assert "errors" in out and code == 1


def test_example_recipes_have_no_lint_errors(example):
    code, out, _ = run_cli("lint", str(example / "images/kinoite-desktop.toml"),
                           "--json")
    data = json.loads(out)
    assert code == 0 and data["errors"] == 0
    assert {f["check"] for f in data["findings"]} <= {"base-pin", "etc-required", "relocated"}


def test_scripts_editing_etc_are_flagged_statically(tree):
    tree.recipe("a", 'description = "x"\nscript = """\nchsh -s /bin/zsh root\n'
                     'sed -i s/a/b/ /etc/default/useradd\necho ok > /usr/share/a\n"""\n')
    code, out, _ = run_cli("lint", tree.image(), "--json")
    found = [(f["check"], f["message"][:20]) for f in json.loads(out)["findings"]]
    assert ("script-accounts", "`chsh -s /bin/zsh ro") in found
    assert ("script-etc", "`sed -i s/a/b/ /etc/") in found
    assert not any("/usr/share/a" in m for _, m in found)
