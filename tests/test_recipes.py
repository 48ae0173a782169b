"""What recipes can say beyond packages and files: packages by URL, replacements, unit
settings and timers, units of the base enabled or masked, accounts — and what they refuse."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from conftest import run_cli
from layerkit import __version__
from layerkit.tools.run import run

GOOD = 'description = "ok"\npackages = ["vim"]\nsize = "1 MB"\nupdate = "monthly"\n'


def generate(tree, text: str, name: str = "a"):
    tree.recipe(name, text)
    result = run_cli("generate", tree.image(), "-o", tree.root / "ctx")
    assert result.code == 0, result.err
    return tree.root / "ctx"


def verify(path, user: bool = False, tmp=None) -> str:
    assert shutil.which("systemd-analyze"), "systemd-analyze comes with Debian's systemd"
    argv = ["systemd-analyze", "verify", "--man=no", path]
    env = dict(os.environ)
    if user:
        argv.insert(1, "--user")
        runtime = tmp / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
    proc = run(argv, check=False, env=env)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    return out


def test_a_unit_with_settings_passed_through_and_a_timer(tree, tmp_path):
    exe = tmp_path / "job"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    ctx = generate(tree, GOOD + f'''
[[units]]
name = "backup.service"
description = "Nightly backup"
exec = ["{exe}", "--all"]
run = "every-boot"
unit = {{Documentation = "man:backup(1)"}}
[units.service]
Slice = "system-backup.slice"
ExecStartPre = ["{exe} --check", "{exe} --lock"]
Environment = "MODE=full"
Nice = 10
[units.timer]
OnCalendar = "daily"
Persistent = true
RandomizedDelaySec = "1h"
''')
    units = ctx / "files/a/usr/lib/systemd/system"
    service = (units / "backup.service").read_text()
    assert "Slice=system-backup.slice" in service and "Nice=10" in service
    assert service.count("ExecStartPre=") == 2 and "Environment=MODE=full" in service
    assert "Documentation=man:backup(1)" in service and "[Install]" not in service
    timer = (units / "backup.timer").read_text()
    assert "OnCalendar=daily" in timer and "Persistent=true" in timer
    assert "Unit=backup.service" in timer and "WantedBy=timers.target" in timer
    preset = (ctx / "files/a/usr/lib/systemd/system-preset/50-layerkit-a.preset").read_text()
    assert preset == "enable backup.timer\n"  # the timer starts it
    for unit in ("backup.service", "backup.timer"):
        out = verify(units / unit)
        assert unit not in out, out  # no warning about our units


@pytest.mark.parametrize("table,message", [
    ('service = {ExecStart = "/bin/x"}', "service.ExecStart: is written by layerkit"),
    ('service = {"bad name" = "x"}', "is not a systemd setting name"),
    ('service = {Slice = "a\\nExecStart=/bin/evil"}', "expected one-line text"),
    ('service = {Slice = "ends in \\\\"}', "expected one-line text"),
    ('unit = {After = {x = 1}}', "expected one-line text"),
    ("timer = {}", "give at least one [Timer] setting"),
])
def test_unit_settings_are_validated(tree, table, message):
    tree.recipe("a", GOOD + f'[[units]]\nname = "x.service"\nexec = ["/bin/true"]\n{table}\n')
    result = run_cli("generate", tree.image(), "-o", tree.root / "ctx")
    assert result.code == 2 and message in result.err, result.err


def test_units_of_the_base_enabled_disabled_and_masked(tree):
    ctx = generate(tree, GOOD + 'systemd = {enable = ["sshd.service"], disable = '
                               '["cups.service"], mask = ["packagekit.service"]}\n')
    preset = (ctx / "files/a/usr/lib/systemd/system-preset/50-layerkit-a.preset").read_text()
    assert preset == "enable sshd.service\ndisable cups.service\n"
    mask = ctx / "files/a/usr/lib/systemd/system/packagekit.service"
    assert mask.is_symlink() and os.readlink(mask) == "/dev/null"
    result = run_cli("generate", tree.image(), "-o", tree.root / "ctx2")
    tree.recipe("a", GOOD + 'systemd = {enable = ["x.service"], mask = ["x.service"]}\n')
    result = run_cli("generate", tree.image(), "-o", tree.root / "ctx3")
    assert result.code == 2 and "'x.service' is also disabled or masked" in result.err


def test_packages_by_url_and_replacements_in_the_run_line(tree):
    ctx = generate(tree, GOOD + '''
rpms = ["https://example.org/free/fedora/rpmfusion-free-release-$releasever.noarch.rpm"]
[[repos]]
id = "alt"
baseurl = "https://example.org/alt/$releasever/"
gpgcheck = false
[[replace]]
repo = "alt"
packages = ["mesa-va-drivers"]
''')
    parsed = DockerfileParser(fileobj=open(ctx / "Containerfile", "rb"))
    run_line = next(i["value"] for i in parsed.structure if i["instruction"] == "RUN")
    assert ". /etc/os-release" in run_line
    assert 'https://example.org/free/fedora/rpmfusion-free-release-"$VERSION_ID".noarch.rpm' \
        in run_line
    assert "dnf -y distro-sync --allowerasing" in run_line
    assert "--repo=alt mesa-va-drivers" in run_line
    assert "baseurl=https://example.org/alt/$releasever/" in run_line  # dnf expands it


@pytest.mark.parametrize("text,message", [
    ('rpms = ["https://example.org/x.tar.gz"]', "is not the URL of an .rpm file"),
    ('rpms = ["ftp://example.org/x.rpm"]', "is not the URL of an .rpm file"),
    ('[[replace]]\nrepo = "nowhere"\npackages = ["x"]', "is not one of this recipe's"),
    ('[[replace]]\nrepo = "r"\npackages = []', "name at least one package"),
])
def test_recipe_additions_are_validated(tree, text, message):
    tree.recipe("a", GOOD + text + "\n")
    result = run_cli("plan", tree.image())
    assert result.code == 2 and message in result.err, result.err


@pytest.mark.parametrize("user", [
    'shell = "/bin/bash"', 'home = "/var/home/ann"', 'groups = ["wheel"]',
])
def test_login_users_are_refused_with_the_reason(tree, user):
    tree.recipe("a", GOOD + f'[[users]]\nname = "ann"\n{user}\n')
    result = run_cli("plan", tree.image())
    assert result.code == 2 and "would be a login account" in result.err
    assert "installer" in result.err and "sysusers.d" in result.err


def test_a_system_account_with_a_documented_shell_is_fine(tree):
    ctx = generate(tree, GOOD + '[[users]]\nname = "svc"\nshell = "/usr/bin/false"\n')
    conf = (ctx / "files/a/usr/lib/sysusers.d/layerkit-a.conf").read_text()
    assert "u svc - - / /usr/bin/false" in conf


@pytest.mark.parametrize("description", ["plain", "100% %H %%", "it's $(id) ümlaut;",
                                         "  spaced  ", "#not a comment"])
def test_sysusers_files_are_read_by_systemd_sysusers(tree, tmp_path, description):
    """systemd-sysusers itself, on an empty root: the account is created as written."""
    if shutil.which("systemd-sysusers") is None:
        pytest.fail("systemd-sysusers missing: .ci/run installs Debian's systemd package")
    ctx = generate(tree, GOOD + '[[users]]\nname = "svc"\n'
                   f'description = {json.dumps(description)}\n')
    conf = ctx / "files/a/usr/lib/sysusers.d/layerkit-a.conf"
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    done = run(["systemd-sysusers", f"--root={root}", str(conf)], check=False)
    assert done.returncode == 0, done.stderr.decode()
    passwd = (root / "etc/passwd").read_text().splitlines()
    assert [line.split(":")[4] for line in passwd if line.startswith("svc:")] == [description]


def test_an_image_of_config_layers_only(tree):
    tree.file("a/x.conf", "x = 1\n")
    tree.recipe("a", 'description = "config only"\n[[files]]\nsrc = "a/x.conf"\n'
                     'dest = "/usr/lib/sysctl.d/x.conf"\n')
    result = run_cli("generate", tree.image(), "-o", tree.root / "ctx")
    assert result.code == 0, result.err
    assert "0 package layers, 1 config layer)" in result.out
    instructions = [i["instruction"] for i in
                    DockerfileParser(fileobj=open(tree.root / "ctx/Containerfile", "rb")).structure]
    assert "RUN" not in instructions and instructions.count("COPY") == 1
    plan = json.loads(run_cli("plan", tree.image(), "--json").out)
    assert plan["layers"] == [] and plan["expected_bytes_per_update"] == 0


def test_init_writes_a_project_every_command_accepts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").code == 0
    for image in ("images/kinoite.toml", "images/trial.toml"):
        assert run_cli("plan", image).code == 0
        assert run_cli("lint", image).code == 0
    workflow = tmp_path / ".github/workflows/layerkit-kinoite.yml"
    proc = run(["actionlint", "-no-color", workflow], check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr).decode()
    runs = [s.get("run", "") for job in yaml.safe_load(workflow.read_text())["jobs"].values()
            for s in job["steps"]]
    assert any(f"pip install layerkit=={__version__}" in r for r in runs)
    again = run_cli("init")
    assert again.code == 2 and "exist already" in again.err
