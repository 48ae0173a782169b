"""Generated units are valid systemd units (checked by systemd-analyze verify)."""

from __future__ import annotations

import os
import shutil

import pytest

from layerkit.config.recipe import RunWhen, Scope, ServiceSpec
from layerkit.render.escape import systemd_arg
from layerkit.render.services import render_preset, render_service
from layerkit.tools.run import run


def test_quoting_keeps_arguments_literal():
    assert systemd_arg('a "b" $HOME 100%') == '"a \\\\"b\\\\" $$HOME 100%%"'.replace("\\\\", "\\")


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("when", list(RunWhen))
def test_units_pass_systemd_analyze_verify(tmp_path, when, scope):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: .ci/run installs Debian's systemd package")
    exe = tmp_path / "job"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    unit = ServiceSpec(name="layerkit-test.service", description="test job",
                    exec=(str(exe), "--flag", "with space", "50%"), run=when, network=True,
                    scope=scope, more=((str(exe), "second"),))
    path = tmp_path / "layerkit-test.service"
    path.write_text(render_service(unit))
    argv = ["systemd-analyze", "verify", "--man=no", path]
    if scope is Scope.USER:
        argv.insert(1, "--user")
    # a user manager needs a runtime dir, as a login session would give it
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    proc = run(argv, check=False, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    assert "layerkit-test.service" not in out, out  # no warnings about our unit
    text = path.read_text()
    assert "StateDirectory=layerkit" in text
    if when is RunWhen.ONCE and scope is Scope.SYSTEM:
        assert "ConditionPathExists=!/var/lib/layerkit/layerkit-test.stamp" in text
    assert text.count("ExecStart=") == 2
    assert render_preset([unit.unit]) == "enable layerkit-test.service\n"
