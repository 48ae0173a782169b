"""Hostile and malformed input: one line per problem, exit 2 (1 for a remote failure),
never a traceback, a hang, an injection, a read outside a layout or a lost file."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from conftest import refused, run_cli
from layerkit.errors import LayerkitError
from layerkit.oci.layout import Layout
from layerkit.render.label import read_label

GOOD = 'description = "ok"\npackages = ["vim"]\nsize = "1 MB"\nupdate = "monthly"\n'


# --- injection -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["x$(touch PWNED)", "a\nFROM evil", "a b"])
def test_image_file_names_are_validated(tree, name, monkeypatch):
    monkeypatch.chdir(tree.root)
    tree.recipe("a", GOOD)
    image = tree.image("[ci]\nsign = true\n", name=name)
    for argv in (["generate", image, "-o", tree.root / "out"],
                 ["ci", "github", image, "-o", tree.root / "wf"]):
        refused(*argv, expect=("control character",) if "\n" in name
                else ("is not a name like kinoite-desktop",))
    assert not (tree.root / "out").exists() and not (tree.root / "wf").exists()
    assert not (tree.root / "PWNED").exists()


@pytest.mark.parametrize("key,value", [
    ("packages", '["vim\\n"]'), ("remove", '["vim\\n"]'), ("requires", '["b\\n"]'),
])
def test_a_trailing_newline_is_not_a_name(tree, key, value):
    tree.recipe("a", GOOD.replace('packages = ["vim"]\n', "") + f"{key} = {value}\n")
    refused("generate", tree.image(), "-o", tree.root / "out", expect=(f"{key}[1]",))


def test_a_trailing_newline_gets_nothing_past_the_refusals(tree):
    tree.file("a/x")
    tree.recipe("a", GOOD + textwrap.dedent("""\
        [[files]]
        src = "a/x"
        dest = "/usr/etc\\n"
        [[repos]]
        id = "r\\n"
        baseurl = "https://example.com/r\\n"
        gpgcheck = false
        [[users]]
        name = "u\\n"
        [flatpaks]
        apps = ["org.example.App\\n"]
        """))
    refused("generate", tree.image(), "-o", tree.root / "out",
            expect=("files[1].dest", "repos[1].id", "repos[1].baseurl", "users[1].name",
                    "flatpaks.apps[1]"))


def test_unit_text_cannot_join_lines_or_expand_specifiers(tree):
    tree.recipe("a", GOOD + '[[units]]\nname = "a.service"\ndescription = "ends in \\\\"\n'
                            'exec = ["/usr/bin/true"]\n')
    refused("generate", tree.image(), "-o", tree.root / "out",
            expect=("units[1].description: must not end with a backslash",))
    tree.recipe("a", GOOD + '[[units]]\nname = "a.service"\ndescription = "on %H 100%"\n'
                            'exec = ["/usr/bin/echo", "%H"]\n'
                            '[[users]]\nname = "svc"\ndescription = "on %H"\n')
    assert run_cli("generate", tree.image(), "-o", tree.root / "out").code == 0
    unit = (tree.root / "out/files/a/usr/lib/systemd/system/a.service").read_text()
    assert "Description=on %%H 100%%" in unit and 'ExecStart="/usr/bin/echo" "%%H"' in unit
    sysusers = (tree.root / "out/files/a/usr/lib/sysusers.d/layerkit-a.conf").read_text()
    assert 'u svc - "on %%H" / /usr/sbin/nologin' in sysusers


def test_unknown_keys_cannot_forge_lines_or_colour_the_terminal(tree):
    tree.recipe("a", GOOD + '"x\\nerror: all good\\u001b[31m" = 1\n')
    lines = refused("plan", tree.image())
    assert len(lines) == 1 and "x\\nerror: all good\\x1b[31m" in lines[0]


# --- crashes ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "x = " + "{a = " * 5000 + "1" + "}" * 5000,
    "x = " + "[" * 5000 + "]" * 5000,
    "a" + ".a" * 40_000 + " = 1",
    'size = "' + "9" * 400 + ' TB"',
    "changes_per_year = nan", "changes_per_year = inf",
])
def test_malformed_recipes_are_one_line(tree, text):
    tree.recipe("a", GOOD.replace('size = "1 MB"\nupdate = "monthly"\n', "") + text + "\n")
    refused("plan", tree.image(), expect=("recipes/a.toml",))


@pytest.mark.parametrize("text", ["cadence = nan", "cadence = inf", "cadence = -1",
                                  "base_changes_per_year = nan", "max_layers = 99999999999"])
def test_malformed_image_numbers(tree, text):
    tree.recipe("a", GOOD)
    refused("plan", tree.image(text + "\n"), expect=("images/test.toml",))


@pytest.mark.parametrize("catalog", [
    '{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": "a", "size": NaN}]}',
    '{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": "a", "size": "big"}]}',
    '{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": ["a"]}]}',
    '{"period": ["2024-01-01", 5], "packages": []}',
    '{"period": ["0001-01-01", "9999-01-01"], "packages": [{"name": "a"}],'
    ' "history": [{"date": "0001-01-02", "changed": ["a"]}]}',
    '{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": "a"}],'
    ' "history": [{"date": "yesterday", "changed": ["a"]}]}',
    '{"packages": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "[1, 2]",
])
def test_malformed_catalogs(tmp_path, catalog):
    path = tmp_path / "c.json"
    path.write_text(catalog)
    refused("plan", "--catalog", path, "--all", "--json", expect=(str(path),))


@pytest.mark.parametrize("argv", [
    ["--cadence", "nan"], ["--cadence", "inf"], ["--horizon", "inf"], ["--max-layers", "0"],
])
def test_malformed_plan_options(tmp_path, argv):
    path = tmp_path / "c.json"
    path.write_text('{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": "a"}]}')
    refused("plan", "--catalog", path, "--all", *argv)


@pytest.mark.parametrize("previous", [
    '{"schema": 1, "layers": [{"index": "0", "units": ["a"]}]}',
    '{"schema": 1, "layers": [{"index": 0, "units": [1]}]}',
    '{"schema": 1, "layers": 5}', "NaN",
])
def test_malformed_previous_plans(tmp_path, previous):
    cat = tmp_path / "c.json"
    cat.write_text('{"period": ["2024-01-01", "2025-01-01"], "packages": [{"name": "a"}]}')
    (tmp_path / "prev.json").write_text(previous)
    refused("plan", "--catalog", cat, "--all", "--previous", tmp_path / "prev.json")


@pytest.mark.parametrize("label", [
    "{", '{"model": "x"}', '{"model": "independent", "cadence_days": NaN, "layers": []}',
    '{"model": "independent", "cadence_days": 7, "expected_bytes_per_update": 1, '
    '"layers": [{"index": 0, "recipes": ["../x"]}]}',
])
def test_malformed_plan_labels_are_errors(label):
    with pytest.raises(LayerkitError, match="io.layerkit.plan"):
        read_label({"io.layerkit.plan": label}, "img")


def test_odd_paths_on_the_command_line(tree):
    tree.recipe("a", GOOD)
    refused("plan", "x\0y.toml")
    refused("plan", "images/" + "n" * 5000 + ".toml")


# --- resources -------------------------------------------------------------------------

def test_recipe_files_that_are_not_regular_files(tree):
    os.symlink("/dev/zero", tree.root / "recipes/zero.toml")
    os.mkfifo(tree.root / "recipes/fifo.toml")
    os.symlink(tree.root / "recipes/loop.toml", tree.root / "recipes/loop.toml")
    refused("plan", tree.image(), expect=("recipes/zero.toml: not a regular file",
                                          "recipes/fifo.toml: not a regular file",
                                          "recipes/loop.toml: cannot read"))


def test_an_oversized_recipe(tree):
    tree.recipe("a", GOOD + "# " + "x" * (2 << 20) + "\n")
    refused("plan", tree.image(), expect=("larger than the 1048576 bytes allowed",))


# --- escapes and lost data -------------------------------------------------------------

def test_a_layout_digest_cannot_lead_outside(tmp_path):
    lay = Layout(tmp_path / "lay")
    lay.init()
    evil = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"digest": "sha256:../../../../etc/passwd", "size": 1,
                           "platform": {"os": "linux", "architecture": "amd64"}}]}
    blob = lay.put(json.dumps(evil).encode(), "application/vnd.oci.image.index.v1+json")
    lay.tag(blob, "x")
    refused("diff", f"oci:{lay.root}:x", f"oci:{lay.root}:x", "--platform", "linux/amd64",
            expect=("not a sha256 digest",))
    refused("diff", f"oci:{lay.root}:x", f"oci:{lay.root}:x", "--platform", "linux",
            expect=("--platform",))


def test_generate_never_replaces_a_directory_it_did_not_write(tree):
    tree.recipe("a", GOOD)
    mine = tree.root / "out"
    (mine / "files").mkdir(parents=True)
    (mine / "files/keep.txt").write_text("mine")
    refused("generate", tree.image(), "-o", mine, expect=("not a build context",))
    assert (mine / "files/keep.txt").read_text() == "mine"
    assert run_cli("generate", tree.image(), "-o", tree.root / "ctx").code == 0
    assert run_cli("generate", tree.image(), "-o", tree.root / "ctx").code == 0  # its own


def test_a_path_that_is_both_file_and_directory_writes_nothing(tree):
    tree.file("a/x")
    tree.recipe("a", GOOD + '[[files]]\nsrc = "a/x"\ndest = "/usr/share/a"\n'
                            '[[files]]\nsrc = "a/x"\ndest = "/usr/share/a/b"\n')
    refused("generate", tree.image(), "-o", tree.root / "out",
            expect=("/usr/share/a/b needs /usr/share/a to be a directory",))
    assert not (tree.root / "out").exists()
    assert [p.name for p in tree.root.iterdir() if p.name.startswith(".")] == []
