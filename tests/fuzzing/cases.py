"""Cases: a project from the grammar, up to three mutations, and the commands to run on
it. A Case is pure data (files to write, commands to run, what was mutated): the same
(seed, index) always gives the same Case, so a defect is replayed from its id."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .documents import to_json, to_toml
from .grammar import DIGITS, LOWER, catalog, image, previous_plan, recipe, word
from .mutations import Entry, mutate_file, mutate_text, mutate_value
from .values import OPTION_VALUES, OUTSIDE


@dataclass
class Case:
    id: str  # "seed:index": tests/fuzz.py --replay ID writes it again
    files: dict[str, Entry]
    commands: list[list[str]]
    mutations: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(e.data) + 64 for e in self.files.values()) + 16 * len(self.mutations)

    def write(self, root: Path) -> None:
        for rel, e in sorted(self.files.items(), key=lambda x: x[1].kind == "link"):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if e.kind == "file":
                path.write_bytes(e.data)
            elif e.kind == "link":
                os.symlink(e.target, path)
            elif e.kind == "fifo":
                os.mkfifo(path)
            else:
                path.mkdir(exist_ok=True)

    def describe(self, limit: int = 3000) -> dict[str, Any]:
        """The files as a report shows them (long ones cut: replay the id for all of it)."""
        out: dict[str, Any] = {}
        for rel, e in sorted(self.files.items()):
            if e.kind == "file":
                text = e.data.decode("utf-8", "backslashreplace")
                out[rel] = text if len(text) <= limit else \
                    f"{text[:limit]}… ({len(e.data)} bytes; replay {self.id} for all)"
            else:
                out[rel] = {"link": e.target} if e.kind == "link" else {e.kind: True}
        return out


def _options(rng: random.Random) -> list[str]:
    out: list[str] = []
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        opt = rng.choice(("--cadence", "--max-layers", "--horizon", "--layer-overhead",
                          "--model"))
        out += [opt, rng.choice(OPTION_VALUES + ("independent", "containerfile", "bogus"))]
    return out


OUTPUTS = ("out",) * 12 + ("out/a b/c", "recipes", ".", "images", "catalog.json")


def make_case(seed: str, index: int) -> Case:
    """Case `index` of `seed`: a project from the grammar, mutated, and its commands."""
    rng = random.Random(f"{seed}:{index}")
    docs, files, images = _project(rng)
    mutations, opts = _mutate(rng, docs, files, images)
    return Case(f"{seed}:{index}", files, _commands(rng, images, opts), mutations)


def _project(rng: random.Random) -> tuple[dict[str, dict], dict[str, Entry], list[str]]:
    """Documents (not yet written), other files, and the image files to name."""
    names = sorted({word(rng, LOWER + DIGITS, LOWER + DIGITS + "_-", 0, 8)
                    for _ in range(rng.randint(1, 4))})
    docs: dict[str, dict] = {}
    files = {"outside.toml": Entry("file", OUTSIDE)}
    packages: list[str] = []
    for i, name in enumerate(names):
        r, extra = recipe(rng, name, names[:i])
        docs[f"recipes/{name}.toml"] = r
        packages += r.get("packages", [])
        files.update({f"recipes/{k}": Entry("file", v.encode()) for k, v in extra.items()})
    images = [f"images/{rng.choice(('test', 'kinoite-desktop', 'a.b', 'A_1'))}.toml"]
    docs[images[0]] = image(rng, names, catalog=True)
    if rng.random() < 0.1:  # a workflow for two images (a matrix)
        images.append("images/second.toml")
        docs[images[1]] = {**docs[images[0]], "stream": "two", "registry": "localhost:5000"}
    if (docs[images[0]].get("base_source") or {}).get("treefile"):
        files["images/tree.yaml"] = Entry("file", b"ref: x\n")
    docs["catalog.json"] = catalog(rng, packages)
    docs["prev.json"] = previous_plan(rng, names, packages)
    return docs, files, images


def _mutate(rng: random.Random, docs: dict[str, dict], files: dict[str, Entry],
            images: list[str]) -> tuple[list[str], list[list[str]]]:
    """Up to three mutations of values, texts, files or options; writes the documents
    into `files` (and renames in `images`). Returns what was done and the options."""
    mutations: list[str] = []
    kinds = [rng.choices(("value", "text", "file", "option"), (62, 12, 14, 12))[0]
             for _ in range(rng.choices((0, 1, 2, 3), (15, 45, 25, 15))[0])]
    weights = {rel: 3.0 if rel == images[0] else 1.0 if rel.endswith(".json") else 2.0
               for rel in sorted(docs)}
    for _ in range(kinds.count("value")):
        rel = rng.choices(list(weights), list(weights.values()))[0]
        mutations.append(f"{rel}: " + mutate_value(rng, docs[rel], rel.endswith(".json")))
    for rel, doc in docs.items():
        text = to_json(doc) if rel.endswith(".json") else to_toml(doc, rng)
        files[rel] = Entry("file", text.encode())
    for _ in range(kinds.count("text")):
        rel = rng.choice(sorted(docs))
        data, what = mutate_text(rng, files[rel].data)
        files[rel] = Entry("file", data)
        mutations.append(f"{rel}: {what}")
    for _ in range(kinds.count("file")):
        rel = rng.choice(sorted(r for r in files if files[r].kind == "file" and
                                r.count("/") <= 2 and r != "outside.toml"))
        new, what = mutate_file(rng, files, rel)
        images[:] = [new if i == rel else i for i in images]
        mutations.append(what)
    opts = [_options(rng) for _ in range(3)] if "option" in kinds else [[], [], []]
    if any(opts):
        mutations.append(f"options {opts}")
    return mutations, opts


def _commands(rng: random.Random, images: list[str], opts: list[list[str]]) -> list[list[str]]:
    image, cat = images[0], ["--catalog", "catalog.json"]
    commands = [["plan", image, "--json", *opts[0]],
                ["plan", image, "--json", "--model", "independent"],
                ["generate", image, "-o", rng.choice(OUTPUTS),
                 *(cat if rng.random() < 0.3 else [])],
                ["lint", image, "--json"], ["ci", "github", *images, "-o", "wf"],
                ["rebase", image], ["plan", *cat, "--all", "--json", *opts[1]],
                ["plan", *rng.choice(([image], cat + ["--all"])), "--previous", "prev.json",
                 "--json", *opts[2]]]
    if rng.random() < 0.3:
        commands.append(["plan", image, *opts[0]])
    if rng.random() < 0.05:
        commands.append(["diff", "oci:nolayout:a", "oci:nolayout:b", "--platform",
                         rng.choice(("linux", "linux/amd64", "x\x1b[31m")), "--max-ratio",
                         rng.choice(OPTION_VALUES)])
    return commands
