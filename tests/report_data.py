"""Synthetic release histories for report tests and the report benchmark, and a parser
of what a report page holds."""

from __future__ import annotations

import random
from html.parser import HTMLParser


def synthetic_history(releases: int, layers: int, seed: int = 1) -> tuple[dict, list]:
    """A history document (schema 1) and per-step layers, as oci.history makes them."""
    rnd = random.Random(seed)
    recipes = [f"recipe-{i}" for i in range(12)]
    rels, steps, details = [], [], []
    for i in range(releases):
        day = f"2026-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
        rels.append({"tags": [f"42-{day}T0400-{i:06d}"], "digest": f"sha256:{i:064x}",
                     "created": f"{day}T04:00:00Z", "size": 5_000_000_000, "layers": layers})
        if i:
            new = [{"size": rnd.randint(10**5, 3 * 10**8), "recipes": [rnd.choice(recipes)],
                    "packages": [], "kind": "packages"} for _ in range(rnd.randint(0, 6))]
            details.append(new)
            steps.append({"from": rels[i - 1]["tags"][0], "to": rels[i]["tags"][0],
                          "download_bytes": sum(la["size"] for la in new)})
    history = {"schema": 1, "repository": "ghcr.io/owner/desktop", "releases": rels,
               "steps": steps,
               "to_newest": [{"from": r["tags"][0], "to": rels[-1]["tags"][0],
                              "download_bytes": rnd.randint(10**7, 10**9)}
                             for r in rels[-6:-1]],
               "churn": [{"index": i, "recipes": [recipes[i % 12]] if i > layers // 2 else [],
                          "size": rnd.randint(10**6, 10**8), "changes": rnd.randint(0, 50)}
                         for i in range(layers)]}
    return history, details


class Page(HTMLParser):
    """What a report holds: sections, table values (exact bytes), external references."""

    def __init__(self, text: str):
        super().__init__()
        self.sections, self.values, self.text, self.external = [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        if tag == "data":
            self.values.append(int(attrs["value"]))
        for key in ("src", "href"):
            if key in attrs:
                self.external.append(attrs[key])
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)

    def handle_data(self, data):
        self.text.append(data)
