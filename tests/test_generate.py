"""The example image plans and generates a Containerfile that realises the plan."""

from __future__ import annotations

import json

from dockerfile_parse import DockerfileParser

from conftest import run_cli


def test_example_plan_json_follows_schema(example):
    code, out, _ = run_cli("plan", str(example / "images/kinoite-desktop.toml"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 1 and data["model"] == "containerfile"
    for key in ("image", "max_layers", "cadence_days", "expected_bytes_per_update",
                "lower_bound_bytes_per_update", "layers"):
        assert key in data
    assert [la["index"] for la in data["layers"]] == list(range(len(data["layers"])))
    assert sum(la["expected_bytes_per_update"] for la in data["layers"]) == \
        pytest_approx(data["expected_bytes_per_update"])
    packages = [p for la in data["layers"] for p in la["packages"]]
    assert len(packages) == len(set(packages)) and "zsh" in packages


def pytest_approx(x):
    import pytest
    return pytest.approx(x, abs=len(str(x)))


def test_example_plan_table(example):
    code, out, _ = run_cli("plan", str(example / "images/kinoite-desktop.toml"))
    assert code == 0
    assert "expected download per update" in out and "lower bound" in out
    assert "zsh reads only /etc/zshrc" in out


def test_generated_containerfile_has_one_run_per_layer(example):
    out_dir = example / "ctx"
    code, _, _ = run_cli("generate", str(example / "images/kinoite-desktop.toml"),
                         "-o", str(out_dir))
    assert code == 0
    _, out, _ = (run_cli("plan", str(example / "images/kinoite-desktop.toml"), "--json"))
    plan = json.loads(out)
    parser = DockerfileParser(fileobj=open(out_dir / "Containerfile", "rb"))
    instructions = [i["instruction"] for i in parser.structure if i["instruction"] != "COMMENT"]
    assert instructions[0] == "FROM"
    assert instructions.count("RUN") == len(plan["layers"])
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert copies == ["files/flatpak/ /", "files/sysctl/ /", "files/virtualization/ /",
                      "files/zsh/ /", "files/_meta/ /"]
    assert parser.labels["io.layerkit.image"] == "kinoite-desktop"
    labelled = json.loads(parser.labels["io.layerkit.plan"])
    assert [la["packages"] for la in labelled["layers"][: len(plan["layers"])]] == \
        [la["packages"] for la in plan["layers"]]
    # config lands where the software reads it; units are enabled by a preset
    assert (out_dir / "files/zsh/etc/zshrc").read_text().startswith("# /etc/zshrc")
    assert (out_dir / "files/sysctl/usr/lib/sysctl.d/60-inotify.conf").exists()
    unit = out_dir / "files/flatpak/usr/lib/systemd/system/layerkit-apps-flatpak.service"
    text = unit.read_text()
    assert '"org.mozilla.firefox" "org.kde.okular"' in text
    assert "cmp -s /usr/lib/layerkit/image-version" in text  # each deployment
    assert (out_dir / "files/_meta/usr/lib/layerkit/image-version").exists()
    preset = out_dir / "files/flatpak/usr/lib/systemd/system-preset/50-layerkit-flatpak.preset"
    assert preset.read_text() == "enable layerkit-apps-flatpak.service\n"


def test_editing_one_recipe_file_changes_only_its_copy_context(example):
    image = str(example / "images/kinoite-desktop.toml")
    run_cli("generate", image, "-o", str(example / "a"))
    (example / "recipes/zsh/zshrc").write_text("# changed\n")
    run_cli("generate", image, "-o", str(example / "b"))
    assert (example / "a/Containerfile").read_text() == (example / "b/Containerfile").read_text()
    assert (example / "a/files/sysctl/usr/lib/sysctl.d/60-inotify.conf").read_bytes() == \
        (example / "b/files/sysctl/usr/lib/sysctl.d/60-inotify.conf").read_bytes()
    assert (example / "b/files/zsh/etc/zshrc").read_text() == "# changed\n"


def test_all_catalog_plan_json(tmp_path):
    cat = tmp_path / "c.json"
    cat.write_text('{"period": ["2024-01-01", "2025-01-01"], "packages": ['
                   '{"name": "a", "size": 1000, "updates": 9, "depends": []},'
                   '{"name": "b", "size": 9000000, "updates": 0, "depends": ["a"]}]}')
    code, out, _ = run_cli("plan", "--catalog", str(cat), "--all", "--max-layers", "2",
                           "--model", "independent", "--json")
    assert code == 0
    data = json.loads(out)
    assert sorted(la["packages"] for la in data["layers"]) == [["a"], ["b"]]
    assert data["expected_bytes_per_update"] == data["lower_bound_bytes_per_update"]


def test_repo_lines_are_quoted_and_rpm_ostree_installer(example):
    image = example / "images/kinoite-desktop.toml"
    run_cli("generate", str(image), "-o", str(example / "dnf"))
    text = (example / "dnf/Containerfile").read_text()
    # shell variables reach the .repo file literally; dnf expands them, not the shell
    assert ("'metalink=https://mirrors.rpmfusion.org/metalink?repo=free-fedora-$releasever"
            "&arch=$basearch'") in text
    assert "> /etc/yum.repos.d/vscode.repo" in text
    image.write_text(image.read_text().replace('installer = "dnf"', 'installer = "rpm-ostree"'))
    code, _, err = run_cli("generate", str(image), "-o", str(example / "ro"))
    assert code == 0, err
    parser = DockerfileParser(fileobj=open(example / "ro/Containerfile", "rb"))
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    assert all("ostree container commit" in r for r in runs)
    assert any("rpm-ostree install -y" in r for r in runs)
    assert any("rpm-ostree override remove mesa-va-drivers" in r for r in runs)
    assert not any("--mount=type=cache" in r for r in runs)
