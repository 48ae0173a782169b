"""Property tests of the promise, over recipe, image and catalog formats and CLI options:
every input exits 0 or 2; on 2, one `error:` line per problem naming the file and key, no
traceback, nothing written; on 0, every generated Containerfile, unit, sysusers file and
workflow parses and each value reads back as written.

CI runs a fixed, small, derandomized budget (a few thousand examples, well under a minute).
A larger, randomized run:

    LAYERKIT_HYPOTHESIS_EXAMPLES=20000 python3 -m pytest -q tests/test_properties.py

(the number is per test). The checkers are the fuzzer's (tests/fuzzing/); the same promise is
fuzzed there with whole generated projects (tests/fuzz.py).
"""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fuzzing.documents import to_json, to_toml
from fuzzing.finding import CONTROL, CONTROL_LINE
from fuzzing.generated_files import check_containerfile, check_sysusers, check_unit, check_workflow
from fuzzing.syntax import Shell, shell_scan, systemd_words, unescape
from fuzzing.values import HOSTILE, PATHS, Raw
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import Result, Tree, run_cli
from layerkit.config import patterns

EXAMPLES = int(os.environ.get("LAYERKIT_HYPOTHESIS_EXAMPLES", "0"))
SHELL = Shell(shellcheck=True)
RECIPE = "recipes/a.toml"
IMAGE = "images/test.toml"


def budget(n: int):
    """n examples in CI (the same ones every run); LAYERKIT_HYPOTHESIS_EXAMPLES each, at
    random, when set."""
    return settings(max_examples=EXAMPLES or n, deadline=None, derandomize=not EXAMPLES,
                    database=None, suppress_health_check=list(HealthCheck))


# --- strategies ----------------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
hostile = st.one_of(st.sampled_from(HOSTILE), any_text)


def valid(pattern: re.Pattern) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


def name(pattern: re.Pattern) -> st.SearchStrategy[str]:
    """Mostly valid names, some hostile ones, some valid ones with a hostile splice."""
    spliced = st.tuples(valid(pattern), hostile).map(lambda t: t[0] + t[1])
    return st.one_of(valid(pattern), valid(pattern), hostile, spliced)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(any_text, inner, max_size=4)), max_leaves=12)
toml_leaves = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(),
                        hostile, st.dates())
toml_values = st.recursive(toml_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)), max_leaves=8)


# --- helpers -------------------------------------------------------------------------------------

@contextmanager
def project() -> Iterator[Tree]:
    with tempfile.TemporaryDirectory(prefix="layerkit-prop.") as d:
        cwd = os.getcwd()
        os.chdir(d)
        try:
            yield Tree(Path(d))
        finally:
            os.chdir(cwd)


def write(tree: Tree, rel: str, doc: dict) -> Path:
    path = tree.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(doc) if rel.endswith(".json") else to_toml(doc, random.Random(0)))
    return path


def recipe(**keys) -> dict:
    return {"description": "ok", "packages": ["vim"], "size": "1 MB", "update": "monthly",
            **keys}


def promise(result: Result, *names: str, out: Path | None = None) -> list[str]:
    """Exit 0 or 2; on 2, `error:` lines only, each naming one of `names` (file: key),
    nothing written to `out`. Returns the error lines."""
    assert result.code in (0, 2), (result.code, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    assert not CONTROL_LINE.search(result.err.replace("\n", "")), repr(result.err)
    assert not CONTROL.search(result.out), repr(result.out)
    lines = result.err.splitlines()
    if result.code == 2:
        assert lines and all(line.startswith("error: ") for line in lines), result.err
        for line in lines:
            assert any(n in line for n in names), (names, line)
        assert len(set(lines)) == len(lines), result.err
        assert out is None or not out.exists()
    return lines


def strict_json(text: str) -> object:
    def refuse(value: str) -> float:
        raise ValueError(f"{value} in JSON output")
    return json.loads(text, parse_constant=refuse)


def generate(tree: Tree, *names: str) -> tuple[Result, Path]:
    out = tree.root / "out"
    result = run_cli("generate", IMAGE, "-o", out)
    promise(result, *names, out=out)
    return result, out


def unit_file(out: Path, unit: str = "a.service") -> str:
    return (out / "files/a/usr/lib/systemd/system" / unit).read_text()


def named(lines: list[str], key: str, file: str = RECIPE) -> bool:
    return any(f"{file}: {key}" in line for line in lines)


# --- recipes -------------------------------------------------------------------------------------

@budget(200)
@example(["a\nb", "$(touch PWNED)"])
@given(st.lists(name(patterns.PACKAGE), min_size=1, max_size=4))
def test_each_package_is_one_shell_word(packages):
    with project() as tree:
        write(tree, RECIPE, recipe(packages=packages))
        tree.image()
        result, out = generate(tree, RECIPE)
        bad = [i for i, p in enumerate(packages) if not patterns.PACKAGE.fullmatch(p)]
        if result.code == 0:
            assert not bad and len(set(packages)) == len(packages)
            text = (out / "Containerfile").read_text()
            assert check_containerfile(text, SHELL) == []
            run = next(line for line in text.split("\nRUN ")[1:] if "install" in line)
            words = shlex.split(run.replace("\\\n", ""))
            assert all(words.count(p) == 1 for p in packages), (packages, run)
        else:
            lines = result.err.splitlines()
            assert all(named(lines, f"packages[{i + 1}]") for i in bad), (bad, lines)


@budget(200)
@example("/usr/bin/x", ["100%", "$HOME", 'say "hi"', "back\\slash", "it's", ";"], "on %H 5%")
@given(st.one_of(st.just("/usr/bin/x"), name(re.compile(r"/[a-z/]{1,20}")), any_text),
       st.lists(st.one_of(any_text, st.sampled_from(HOSTILE)), max_size=4), hostile)
def test_unit_exec_and_description_read_back(program, args, description):
    argv = [program, *args]
    with project() as tree:
        write(tree, RECIPE, recipe(units=[{"name": "a.service", "description": description,
                                           "exec": argv}]))
        tree.image()
        result, out = generate(tree, f"{RECIPE}: units[1].")
        if result.code == 0:
            text = unit_file(out)
            assert check_unit(text, {"exec": argv, "description": description}) == []
            execs = [line[10:] for line in text.splitlines() if line.startswith("ExecStart=")]
            assert [unescape(unescape(w, "%"), "$") for w in systemd_words(execs[0])] == argv
            desc = next(line[12:] for line in text.splitlines()
                        if line.startswith("Description="))
            assert unescape(desc, "%") == (description or "a")
        else:
            lines = result.err.splitlines()
            assert named(lines, "units[1].exec") or named(lines, "units[1].description")


@budget(200)
@given(st.one_of(any_text, st.sampled_from(HOSTILE),
                 st.lists(st.sampled_from(["/usr/bin/x", "a b", "'q'", '"d"', "$X", "%n",
                                           "\\", "#", ";"]), min_size=1).map(" ".join)))
def test_an_exec_string_splits_like_a_shell(command):
    with project() as tree:
        write(tree, RECIPE, recipe(units=[{"name": "a.service", "exec": command}]))
        tree.image()
        result, out = generate(tree, f"{RECIPE}: units[1].exec")
        if result.code == 0:
            assert check_unit(unit_file(out), {"exec": shlex.split(command)}) == []


@budget(200)
@given(hostile, name(patterns.USER_NAME))
def test_account_descriptions_read_back_from_sysusers(description, user):
    with project() as tree:
        write(tree, RECIPE, recipe(users=[{"name": user, "description": description}]))
        tree.image()
        result, out = generate(tree, f"{RECIPE}: users[1].")
        if result.code == 0:
            text = (out / "files/a/usr/lib/sysusers.d/layerkit-a.conf").read_text()
            assert check_sysusers(text, [{"name": user, "description": description}]) == []
            fields = systemd_words(text.splitlines()[1])
            assert fields[1] == user and unescape(fields[3], "%") == (description or "-")


@budget(200)
@given(name(patterns.REPO_ID), hostile, name(patterns.URL))
def test_repository_fields_reach_the_repo_file_as_written(repo_id, repo_name, url):
    with project() as tree:
        write(tree, RECIPE, recipe(repos=[{"id": repo_id, "name": repo_name, "baseurl": url,
                                           "gpgcheck": False}]))
        tree.image()
        result, out = generate(tree, f"{RECIPE}: repos[1].")
        if result.code == 0:
            text = (out / "Containerfile").read_text()
            assert check_containerfile(text, SHELL) == []
            words = shlex.split(text.split("\nRUN ")[1].replace("\\\n", ""))
            assert {f"[{repo_id}]", f"name={repo_name or repo_id}", f"baseurl={url}"} <= \
                set(words), words


@budget(200)
@given(st.sampled_from(["unit", "service", "install", "timer"]),
       name(re.compile(r"[A-Z][A-Za-z]{0,15}")),
       st.one_of(hostile, st.integers(), st.booleans(), st.lists(hostile, max_size=2)))
def test_passed_through_unit_settings_stay_one_line(section, key, value):
    with project() as tree:
        write(tree, RECIPE, recipe(units=[{"name": "a.service", "exec": ["/usr/bin/x"],
                                           section: {key: value}}]))
        tree.image()
        result, out = generate(tree, f"{RECIPE}: units[1].")
        if result.code == 0:
            for unit in ("a.service", "a.timer"):
                if (out / "files/a/usr/lib/systemd/system" / unit).exists():
                    text = unit_file(out, unit)
                    assert check_unit(text, None) == [] and not CONTROL.search(text)


@budget(200)
@given(st.dictionaries(st.one_of(st.sampled_from(sorted(
    ["description", "packages", "rpms", "requires", "size", "update", "changes_per_year",
     "repos", "files", "units", "remove", "replace", "script", "users", "groups",
     "flatpaks", "systemd"])), any_text), toml_values, max_size=5))
def test_any_recipe_document_is_accepted_or_refused_by_key(doc):
    with project() as tree:
        write(tree, RECIPE, recipe(**doc))
        tree.image()
        # "nothing to build" names no file: test_nothing_to_build_names_the_image has it
        result, out = generate(tree, RECIPE, "nothing to build")
        if result.code == 0:
            assert check_containerfile((out / "Containerfile").read_text(), SHELL) == []


def test_nothing_to_build_names_the_image():
    with project() as tree:
        write(tree, RECIPE, {"description": "empty"})
        tree.image()
        result, _ = generate(tree, IMAGE, RECIPE)
        assert result.code == 2


@budget(100)
@example("size", 4301)
@given(st.sampled_from(["size", "changes_per_year", "units"]), st.integers(1, 6000))
def test_numbers_of_any_length(key, digits):
    with project() as tree:
        write(tree, RECIPE, recipe(**{key: Raw("9" * digits)}))
        tree.image()
        promise(run_cli("plan", IMAGE, "--json"), f"{RECIPE}")


@budget(200)
@example("x$(touch PWNED)")
@given(st.one_of(valid(patterns.RECIPE), any_text.filter(lambda s: "/" not in s and
                                                          s not in ("", ".", ".."))))
def test_recipe_file_names(stem):
    with project() as tree:
        try:
            write(tree, f"recipes/{stem}.toml", recipe())
        except (OSError, ValueError):
            return  # a name this filesystem cannot hold
        tree.image()
        result = run_cli("plan", IMAGE, "--json")
        lines = promise(result, "recipes/")
        assert (result.code == 0) == bool(patterns.RECIPE.fullmatch(stem)), lines


# --- images, catalogs, plans and options ---------------------------------------------

IMAGE_KEYS = {"base": patterns.IMAGE_REF, "registry": patterns.REGISTRY,
              "repository": patterns.REGISTRY_REPO, "stream": patterns.TAG}


@budget(200)
@given(st.fixed_dictionaries({}, optional={k: name(p) for k, p in IMAGE_KEYS.items()}),
       st.fixed_dictionaries({}, optional={"runs_on": name(patterns.RUNNER),
                                           "user_secret": name(patterns.SECRET),
                                           "branch": name(patterns.TAG),
                                           "sign": st.booleans(), "bootc": st.booleans()}))
def test_image_fields_reach_the_workflow_and_rebase_plainly(fields, ci):
    with project() as tree:
        write(tree, RECIPE, recipe())
        write(tree, IMAGE, {"layer_overhead": "1 MB", **fields, "ci": ci,
                            "base_source": {"upstream": "quay.io/a/b:1"}})
        result = run_cli("ci", "github", IMAGE, "-o", tree.root / "wf")
        promise(result, IMAGE, out=tree.root / "wf")
        if result.code == 0:
            assert check_workflow(tree.root / "wf/layerkit-test.yml", SHELL) == []
            rebase = run_cli("rebase", IMAGE)
            assert rebase.code == 0
            for line in rebase.out.splitlines():
                assert shell_scan(line.split("   # ")[0])[1] == [], line


BREAKS = ("\n", "\r", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\x00", "\x1b")


@budget(200)
@example("0\n4 * * *")
@given(st.one_of(hostile, st.tuples(st.sampled_from(["0 4 * * *", "*/5 1 * * 2"]),
                                    st.sampled_from(BREAKS), st.integers(0, 5)).map(
    lambda t: (t[0] + " ").replace(" ", t[1], 1) if t[2] == 5 else
    t[0].replace(" ", t[1]) if t[2] == 4 else t[0].replace(" ", t[1], 1) if t[2] else
    t[0] + t[1])))
def test_cron_schedules_reach_the_workflow_as_five_plain_fields(schedule):
    with project() as tree:
        write(tree, RECIPE, recipe())
        write(tree, IMAGE, {"base_source": {"upstream": "quay.io/a/b:1",
                                            "schedule": schedule}})
        result = run_cli("ci", "github", IMAGE, "-o", tree.root / "wf")
        lines = promise(result, f"{IMAGE}: base_source.schedule", out=tree.root / "wf")
        if result.code == 0:
            assert check_workflow(tree.root / "wf/layerkit-test.yml", SHELL) == []
        else:
            assert len(lines) == 1


NUMBERS = st.one_of(st.floats(), st.integers(), st.sampled_from([5e-324, 1e-320, 2**53 + 1,
                                                                 2**63 - 1, -0.0]))


@budget(200)
@example("cadence", 5e-324, True)
@given(st.sampled_from(["cadence", "base_changes_per_year", "max_layers", "layer_overhead"]),
       st.one_of(NUMBERS, hostile), st.booleans())
def test_image_numbers(key, value, with_history):
    with project() as tree:
        write(tree, RECIPE, recipe())
        write(tree, "catalog.json", catalog(with_history))
        write(tree, IMAGE, {"layer_overhead": "1 MB", "catalog": "../catalog.json",
                            "model": "independent", key: value})
        result = run_cli("plan", IMAGE, "--json")
        promise(result, f"{IMAGE}: {key}", "catalog.json: period")
        if result.code == 0:
            strict_json(result.out)


def catalog(history: bool = True) -> dict:
    doc: dict = {"period": ["2024-01-01", "2025-01-01"],
                 "packages": [{"name": "vim", "size": 10, "updates": 3, "depends": ["libc"]},
                              {"name": "libc", "size": 99, "updates": 1}]}
    if history:
        doc["history"] = [{"date": "2024-03-01", "changed": ["vim", "libc"]}]
    return doc


@budget(300)
@example(None)
@given(st.one_of(json_values, st.builds(
    lambda key, value, where: {**catalog(), key: value} if where else
    {**catalog(), "packages": [{**catalog()["packages"][0], key: value}]},
    st.sampled_from(["period", "packages", "history", "name", "size", "updates", "depends",
                     "source", "version"]), json_values, st.booleans())))
def test_catalog_documents(doc):
    with project() as tree:
        write(tree, "c.json", doc)
        result = run_cli("plan", "--catalog", "c.json", "--all", "--json")
        promise(result, "c.json")
        if result.code == 0:
            strict_json(result.out)


@budget(300)
@given(st.fixed_dictionaries({}, optional={
    "--cadence": st.one_of(NUMBERS.map(str), hostile), "--max-layers": st.one_of(
        st.integers().map(str), hostile), "--horizon": st.one_of(NUMBERS.map(str), hostile),
    "--layer-overhead": st.one_of(st.sampled_from(["1 MB", "-1", "1e400 TB"]), hostile),
    "--model": st.one_of(st.sampled_from(["independent", "containerfile"]), hostile)}),
    st.booleans())
def test_plan_options(options, whole_catalog):
    with project() as tree:
        write(tree, RECIPE, recipe())
        write(tree, "c.json", catalog())
        tree.image('catalog = "../c.json"\n')
        argv = [a for kv in options.items() for a in kv]
        target = ["--catalog", "c.json", "--all"] if whole_catalog else [IMAGE]
        result = run_cli("plan", *target, "--json", *argv)
        promise(result, *options, "c.json")
        if result.code == 0:
            strict_json(result.out)


@budget(200)
@given(st.one_of(json_values, st.builds(
    lambda key, value: {"schema": 1, "layers": [{"index": 0, "units": ["vim"], key: value}]},
    st.sampled_from(["index", "recipes", "packages", "units"]), json_values)),
    st.integers(1, 3))
def test_previous_plans(doc, max_layers):
    with project() as tree:
        write(tree, "c.json", catalog())
        write(tree, "prev.json", doc)
        result = run_cli("plan", "--catalog", "c.json", "--all", "--json", "--previous",
                         "prev.json", "--max-layers", str(max_layers))
        promise(result, "prev.json")
        if result.code == 0:
            strict_json(result.out)


@budget(100)
@given(st.one_of(st.sampled_from(PATHS + ("tree.yaml", "./tree.yaml", "sub/tree.yaml",
                                          "sub/../tree.yaml", "link.yaml")), any_text))
def test_a_treefile_stays_in_the_image_folder(treefile):
    with project() as tree:
        write(tree, RECIPE, recipe())
        (tree.root / "images/sub").mkdir()
        for rel in ("tree.yaml", "sub/tree.yaml"):
            (tree.root / "images" / rel).write_text("ref: x\n")
        (tree.root / "images/link.yaml").symlink_to("/etc/hostname")
        write(tree, IMAGE, {"base": "ghcr.io/o/base:42", "base_source": {"treefile": treefile}})
        result = run_cli("ci", "github", IMAGE, "-o", tree.root / "wf")
        promise(result, f"{IMAGE}: base_source.treefile", out=tree.root / "wf")
        if result.code == 0:
            folder = (tree.root / "images").resolve()
            assert (folder / treefile).resolve().is_relative_to(folder), treefile


def test_a_linked_recipe_is_named_by_its_own_path():
    with project() as tree:
        write(tree, RECIPE, recipe())
        (tree.root / "recipes/b.toml").symlink_to(".")
        tree.image()
        lines = promise(run_cli("plan", IMAGE, "--json"), "recipes/b.toml")
        assert lines


def test_lint_reads_a_long_script_line_in_linear_time():
    with project() as tree:
        write(tree, RECIPE, recipe(script="echo " + "> " * 14_000))  # 28 kB on one line
        tree.image()
        start = time.monotonic()
        assert promise(run_cli("lint", IMAGE, "--json"), RECIPE) == []
        assert time.monotonic() - start < 0.5  # linear: milliseconds; quadratic: seconds
