"""Generated units are valid systemd units (checked by systemd-analyze verify)."""

from __future__ import annotations

import shutil

import pytest

from layerkit.recipe import RunWhen, UnitSpec
from layerkit.run import run
from layerkit.units import quote_arg, render_preset, render_service


def test_quoting_keeps_arguments_literal():
    assert quote_arg('a "b" $HOME 100%') == '"a \\\\"b\\\\" $$HOME 100%%"'.replace("\\\\", "\\")


@pytest.mark.parametrize("when", list(RunWhen))
def test_units_pass_systemd_analyze_verify(tmp_path, when):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: .ci/run installs Debian's systemd package")
    exe = tmp_path / "job"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    unit = UnitSpec(name="layerkit-test.service", description="test job",
                    exec=(str(exe), "--flag", "with space", "50%"), run=when, network=True)
    path = tmp_path / "layerkit-test.service"
    path.write_text(render_service(unit))
    proc = run(["systemd-analyze", "verify", "--man=no", path], check=False)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    assert "layerkit-test.service" not in out, out  # no warnings about our unit
    text = path.read_text()
    assert "StateDirectory=layerkit" in text
    if when is RunWhen.ONCE:
        assert "ConditionPathExists=!/var/lib/layerkit/layerkit-test.stamp" in text
    assert render_preset([unit]) == "enable layerkit-test.service\n"
