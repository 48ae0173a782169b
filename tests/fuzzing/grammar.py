"""Valid projects from a grammar of every key the readers accept: recipes (with units,
files, repositories, users, flatpaks), images, catalogs and previous plans, as dicts."""

from __future__ import annotations

import random
from typing import Any


def word(rng: random.Random, first: str, rest: str, low: int = 1, high: int = 12) -> str:
    return rng.choice(first) + "".join(rng.choice(rest) for _ in range(rng.randint(low, high)))


LOWER, DIGITS, UPPER = "abcdefghijklmnopqrstuvwxyz", "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def package(rng: random.Random) -> str:
    return rng.choice(("vim", "gcc-c++", "python3.12", "zsh", "fira-code-fonts", "code",
                       word(rng, LOWER + DIGITS + UPPER + "_", LOWER + DIGITS + "._+-")))


def unit_name(rng: random.Random, suffix: str = ".service") -> str:
    return word(rng, LOWER + DIGITS, LOWER + DIGITS + "_.@:-") + suffix


def text(rng: random.Random) -> str:
    """Free text that validation accepts (one line, no control characters), with the
    characters each target syntax must escape."""
    parts = ["setup", "100%", "%H", "$HOME", "$(id)", "`id`", "a;b", "'q'", '"dq"', "\\x",
             "é", "日本", "#", "*", "{{x}}", " "]
    return " ".join(rng.sample(parts, rng.randint(1, 5))).strip() or "x"


def url(rng: random.Random, tail: str = "") -> str:
    return rng.choice(("https://example.com/repo", "http://127.0.0.1:8080/",
                       "https://x.org/$releasever/$basearch/?a=1&b=(2);c='3'",
                       "file:///usr/share/keys/k")) + tail



def recipe(rng: random.Random, name: str, earlier: list[str]) -> tuple[dict, dict[str, str]]:
    """A valid recipe (as a dict) and the files its [[files]] need (relative to recipes/)."""
    r: dict[str, Any] = {"description": text(rng)}
    extra: dict[str, str] = {}
    add = rng.random
    if add() < 0.8 or not earlier:
        r["packages"] = sorted({package(rng) for _ in range(rng.randint(1, 4))})
    if add() < 0.3:
        r["remove"] = [package(rng)]
    if earlier and add() < 0.4:
        r["requires"] = rng.sample(earlier, 1)
    if add() < 0.9:
        r["size"] = rng.choice(("1 MB", "35 MB", "1.5GiB", 123456, "0", "9 kB"))
    if add() < 0.7:
        r["update"] = rng.choice(("daily", "weekly", "monthly", "quarterly", "yearly", "never"))
    elif add() < 0.7:
        r["changes_per_year"] = rng.choice((0, 4.0, 52, 0.5))
    if add() < 0.2:
        r["script"] = rng.choice(("echo hi", "sed -i s/a/b/ /etc/x\nuseradd x\n",
                                  "printf '%s\\n' \"$HOME\"\t# tab", "echo hi " * 9)) \
            if add() < 0.99 else "echo " + "> " * 20_000  # a long line
    if add() < 0.25:
        r["rpms"] = [url(rng, "/x-$releasever.rpm")]
    if add() < 0.35:
        repo: dict[str, Any] = {"id": word(rng, LOWER, LOWER + DIGITS + "._:-")}
        which = rng.choice(("baseurl", "metalink", "copr"))
        repo[which] = "owner/project" if which == "copr" else url(rng)
        if which != "copr":
            repo.update(rng.choice(({"gpgkey": url(rng, ".asc")}, {"gpgcheck": False})))
        if add() < 0.5:
            repo["name"] = text(rng)
        r["repos"] = [repo]
        if add() < 0.4:
            r["replace"] = [{"repo": repo["id"], "packages": [package(rng)]}]
    if add() < 0.35:
        src = f"{name}/f{rng.randint(0, 9)}"
        extra[src] = "data\n"
        spec: dict[str, Any] = {"src": src, "dest": rng.choice((
            "/usr/share/x/y.conf", "/etc/sysctl.d/60-x.conf", "/var/lib/x/y", "/opt/x/y",
            "/etc/zshrc", "/usr/lib/systemd/system/x.service.d/a.conf"))}
        if spec["dest"] == "/etc/zshrc":
            spec["etc"] = text(rng)
        if add() < 0.5:
            spec["mode"] = rng.choice(("0644", 0o755, "0600", 420))
        r["files"] = [spec]
    if add() < 0.4:
        r["units"] = [unit(rng)]
    if add() < 0.2:
        r["groups"] = [{"name": "grp" + name.replace("-", "_")[:20], "gid": rng.randint(1, 999)}]
    if add() < 0.2:
        r["users"] = [{"name": "usr" + name.replace("-", "_")[:20], "description": text(rng)
                       .replace('"', "").replace("\\", "").replace(":", ""),
                       "home": "/var/lib/x", "groups": [], "uid": rng.randint(1, 999)}]
    if add() < 0.15:
        r["flatpaks"] = {"apps": ["org.mozilla.firefox", "org.kde.okular"][:rng.randint(1, 2)],
                         "scope": rng.choice(("system", "user")),
                         "run": rng.choice(("once", "each-deployment", "every-boot"))}
    if add() < 0.15:
        r["systemd"] = {"enable": [unit_name(rng, ".timer")], "disable": [unit_name(rng)],
                        "mask": [unit_name(rng)]}
    return r, extra


def unit(rng: random.Random) -> dict:
    argv = ["/usr/libexec/setup", *rng.sample(["--quiet", "100%", "$HOME", "a b", "it's",
                                               'say "hi"', "back\\slash", "%H", ";", "é"],
                                              rng.randint(0, 4))]
    u: dict[str, Any] = {"name": unit_name(rng), "description": text(rng),
                         "exec": argv if rng.random() < 0.7 else "/usr/bin/echo 'a b' c%d",
                         "run": rng.choice(("once", "each-deployment", "every-boot")),
                         "scope": rng.choice(("system", "user")), "network": rng.random() < 0.5}
    if rng.random() < 0.3:
        u["after"], u["wants"] = [unit_name(rng)], [unit_name(rng, ".target")]
    if rng.random() < 0.3:
        u["service"] = {"Slice": "x.slice", "Environment": "A=%H", "Nice": 5}
    if rng.random() < 0.2:
        u["unit"] = {"Documentation": "man:x(1)"}
    if rng.random() < 0.2:
        u["timer"] = {"OnCalendar": "weekly", "Persistent": True}
    return u


def image(rng: random.Random, recipes: list[str], catalog: bool) -> dict:
    i: dict[str, Any] = {"base": rng.choice((
        "localhost/standin:latest", "quay.io/fedora-ostree-desktops/kinoite:42",
        "ghcr.io/o/base:42@sha256:" + "ab" * 32, "reg:5000/a/b"))}
    for key, values in (("registry", ("ghcr.io", "localhost:5000")),
                        ("repository", ("o/img", "a/b-c/d")), ("stream", ("42", "latest")),
                        ("max_layers", (8, 40, 127)), ("installer", ("dnf", "rpm-ostree")),
                        ("cadence", (1, 7.0, 0.5, 3650)),
                        ("model", ("containerfile", "independent")),
                        ("layer_overhead", ("1 MB", 0, "100 MB")),
                        ("base_changes_per_year", (0, 12.0)), ("tls_verify", (True, False))):
        if rng.random() < 0.4:
            i[key] = rng.choice(values)
    if rng.random() < 0.3:
        i["recipes"] = recipes[:1] + rng.sample(recipes[1:], rng.randint(0, len(recipes) - 1))
    if catalog and rng.random() < 0.4:
        i["catalog"] = "../catalog.json"
    if rng.random() < 0.2:
        i["base_packages"] = [package(rng)]
    if rng.random() < 0.2:
        i["repos"] = [{"id": "local", "baseurl": "http://127.0.0.1:8080/", "gpgcheck": False}]
    if rng.random() < 0.4:
        i["base_source"] = rng.choice(({"upstream": "quay.io/a/b:42"},
                                       {"treefile": "tree.yaml"}))
        i["base_source"]["schedule"] = rng.choice(("0 4 * * 1", "*/5 1,2 * * *"))
        i["base"] = "ghcr.io/o/base:42"
    if rng.random() < 0.4:
        i["ci"] = {"runs_on": "ubuntu-24.04", "user_secret": "U", "password_secret": "P_2",
                   "branch": "release/1", "cache": rng.random() < 0.5,
                   "sign": rng.random() < 0.5, "bootc": rng.random() < 0.5}
    return i


def catalog(rng: random.Random, packages: list[str]) -> dict:
    names = sorted(set(packages) | {package(rng) for _ in range(rng.randint(0, 5))})
    pk = [{"name": n, "size": rng.randint(0, 10**9), "updates": rng.randint(0, 60),
           "source": rng.choice((n, "src")), "version": "1.2-3",
           "depends": rng.sample(names, rng.randint(0, min(2, len(names))))} for n in names]
    c: dict[str, Any] = {"period": ["2024-01-01", "2025-01-01"], "packages": pk}
    if rng.random() < 0.4 and names:
        c["history"] = [{"date": f"2024-0{m}-1{m}", "changed": rng.sample(names, 1)}
                        for m in range(1, rng.randint(2, 9))]
    return c


def previous_plan(rng: random.Random, recipes: list[str], packages: list[str]) -> dict:
    layers = [{"index": i, "recipes": [r], "packages": [], "units": [f"recipe:{r}"]}
              for i, r in enumerate(recipes)]
    layers += [{"index": len(layers) + i, "recipes": [], "packages": [p], "units": [p]}
               for i, p in enumerate(packages[:3])]
    return {"schema": 1, "image": "x", "layers": rng.sample(layers, len(layers))}

