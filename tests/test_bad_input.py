"""Bad input: exit 2, one line per problem naming file and key, nothing written."""

from __future__ import annotations

import os

import pytest

from conftest import run_cli
from layerkit.tools import skopeo
from standin.servers import free_port

GOOD = 'description = "ok"\npackages = ["vim"]\nsize = "1 MB"\nupdate = "monthly"\n'


def check(tree, *expected: str, image_text: str = ""):
    image = tree.image(image_text)
    out_dir = tree.root / "out"
    code, out, err = run_cli("generate", str(image), "-o", str(out_dir))
    assert code == 2, (out, err)
    lines = [line for line in err.splitlines() if line]
    assert all(line.startswith("error: ") for line in lines), err
    for text in expected:
        assert any(text in line for line in lines), (text, err)
    assert not out_dir.exists()  # nothing written
    assert "Traceback" not in err
    return lines


def test_invalid_toml_names_the_line(tree):
    tree.recipe("a", 'description = "x"\npackages = ["vim"\n')
    lines = check(tree, "recipes/a.toml: invalid TOML")
    assert "line" in lines[0]


def test_unknown_key_wrong_type_missing_key_all_reported(tree):
    tree.recipe("a", 'description = "x"\npackagez = ["vim"]\n')
    tree.recipe("b", 'description = 3\npackages = "vim"\n')
    tree.recipe("c", 'packages = ["vim"]\nsize = "1 MB"\nupdate = "monthly"\n')
    lines = check(tree, "recipes/a.toml: packagez: unknown key",
                  "recipes/b.toml: description: expected a string",
                  "recipes/b.toml: packages: expected a list of strings",
                  "recipes/c.toml: description: required key is missing")
    assert len(lines) == 4


def test_recipe_cycle_prints_the_path(tree):
    tree.recipe("a", GOOD + 'requires = ["b"]\n')
    tree.recipe("b", GOOD.replace("vim", "emacs") + 'requires = ["c"]\n')
    tree.recipe("c", GOOD.replace("vim", "nano") + 'requires = ["a"]\n')
    lines = check(tree, "recipe cycle: a → b → c → a")
    assert len(lines) == 1


def test_unknown_required_recipe(tree):
    tree.recipe("a", GOOD + 'requires = ["nope"]\n')
    check(tree, "recipes/a.toml: requires[1]: unknown recipe 'nope'")


@pytest.mark.parametrize("name", ["vim; rm -rf /", "$(id)", "vim\nrm", "`id`", "-rf", "a b"])
def test_package_names_with_shell_metacharacters(tree, name):
    tree.recipe("a", f'description = "x"\npackages = ["ok", {name!r}]\nsize = 1\n'
                     'update = "weekly"\n'.replace("'", '"') if "\n" not in name else
                'description = "x"\npackages = ["ok", "vim\\nrm"]\nsize = 1\n')
    check(tree, "recipes/a.toml: packages[2]: ",
          "must be one line" if "\n" in name else "is not a package name")


def test_file_src_escaping_the_recipe_folder(tree):
    outside = tree.root / "secret"
    outside.write_text("s")
    tree.file("a/link").unlink()
    os.symlink(outside, tree.root / "recipes" / "a" / "link")
    tree.recipe("a", GOOD + """
        [[files]]
        src = "../secret"
        dest = "/usr/share/a/1"
        [[files]]
        src = "/etc/passwd"
        dest = "/usr/share/a/2"
        [[files]]
        src = "a/link"
        dest = "/usr/share/a/3"
        """.replace("        ", ""))
    check(tree, "recipes/a.toml: files[1].src: '../secret' leads outside",
          "recipes/a.toml: files[2].src: '/etc/passwd' must be relative",
          "recipes/a.toml: files[3].src: 'a/link' leads outside")


def test_dest_under_usr_etc_is_refused(tree):
    tree.file("a/conf")
    tree.recipe("a", GOOD + '[[files]]\nsrc = "a/conf"\ndest = "/usr/etc/foo.conf"\n')
    check(tree, "recipes/a.toml: files[1].dest: /usr/etc/foo.conf is refused")


def test_max_layers_below_one(tree):
    tree.recipe("a", GOOD)
    check(tree, "images/test.toml: max_layers: must be between 1 and 127",
          image_text="max_layers = 0\n")


def test_estimates_required_without_catalog(tree):
    tree.recipe("a", 'description = "x"\npackages = ["vim"]\n')
    check(tree, "recipes/a.toml: size: required", "recipes/a.toml: update: required")


def test_bad_unit_and_repo(tree):
    tree.recipe("a", GOOD + """
[[repos]]
id = "bad id"
baseurl = "https://example.com/repo"
[[units]]
name = "x.service"
exec = "flatpak install foo"
run = "sometimes"
""")
    check(tree, "repos[1].id: 'bad id' is not a repository id",
          "repos[1].gpgkey: required for a remote repository",
          "units[1].exec: 'flatpak': the program must be an absolute path",
          "units[1].run: 'sometimes' is not one of")


def test_debug_shows_traceback(tree):
    tree.recipe("a", GOOD + 'requires = ["nope"]\n')
    code, _, err = run_cli("--debug", "plan", str(tree.image()))
    assert code == 2 and "Traceback" in err


def test_invalid_toml_mid_file_names_the_line(tree):
    tree.recipe("a", 'description = "x"\npackages = = 3\nsize = 1\n')
    lines = check(tree, "recipes/a.toml: invalid TOML")
    assert "line 2" in lines[0]


def test_bad_accounts_and_flatpaks(tree):
    tree.recipe("a", GOOD + """
[[users]]
name = "Bad User"
uid = 1500
[[groups]]
name = "ok"
gid = 0
[flatpaks]
apps = ["firefox", "org.kde.okular"]
scope = "everyone"
""")
    check(tree, "users[1].name: 'Bad User' is not an account name",
          "users[1].uid: 1500 is not a system id", "groups[1].gid: 0 is not a system id",
          "flatpaks.apps[1]: 'firefox' is not a flatpak application id")


def test_users_render_to_sysusers(tree):
    tree.recipe("a", GOOD + """
[[groups]]
name = "builders"
[[users]]
name = "builder"
description = "CI builder"
home = "/var/lib/builder"
groups = ["builders"]
""")
    out_dir = tree.root / "ctx"
    code, _, err = run_cli("generate", str(tree.image()), "-o", str(out_dir))
    assert code == 0, err
    conf = (out_dir / "files/a/usr/lib/sysusers.d/layerkit-a.conf").read_text()
    assert conf.splitlines()[1:] == ["g builders -", 'u builder - "CI builder" '
                                     "/var/lib/builder /usr/sbin/nologin", "m builder builders"]


def test_missing_buildah_is_one_line_with_the_install_command(tree, monkeypatch,
                                                              tmp_path):
    tree.recipe("a", GOOD)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code, _, err = run_cli("build", str(tree.image()), "--workdir",
                           str(tmp_path / "w"))
    assert code == 2
    assert err.strip().splitlines() == [
        "error: buildah not found: apt-get install buildah (Debian/Ubuntu) or "
        "dnf install buildah (Fedora)"]


def test_unreachable_registry_is_one_line_naming_the_ref(monkeypatch):
    monkeypatch.setattr(skopeo, "RETRY_DELAY", 0.01)
    ref = f"127.0.0.1:{free_port()}/nothing/here:1"
    code, _, err = run_cli("diff", ref, ref, "--no-tls-verify")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and ref in lines[0] and "connection refused" in lines[0]


def test_a_missing_recipe_is_named_by_the_image_key(tree):
    tree.recipe("a", GOOD)
    lines = check(tree, "images/test.toml: recipes[2]: recipe 'nope' not found",
                  image_text='recipes = ["a", "nope"]\n')
    assert len(lines) == 1
