"""The quick-start demo on the stand-in world (the Kinoite base cannot be pulled here).

Builds the stand-in base and a local RPM repository, starts a registry on 127.0.0.1,
plans, builds and pushes the demo image, bumps one package, rebuilds, pushes again and
prints the upgrade cost between the two tags.  python3 -m standin.demo [WORKDIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from layerkit.cli import main as cli_main

from . import rpms, world


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def call(*argv: str) -> None:
    try:
        cli_main(list(argv))
    except SystemExit as e:
        if e.code:
            raise


def main(workdir: Path) -> None:
    step("stand-in base (minimal Debian root with dnf and rpm, built once), local RPM "
         "repository and registry on 127.0.0.1")
    with world.world(workdir) as (base, repo, repo_url, registry):
        image = world.write_project(workdir / "project", base, repo_url, registry.host, "demo")
        print(f"base {base}, repo {repo_url}, registry {registry.host}, image {image}")
        step("layerkit plan")
        call("plan", str(image))
        w = str(workdir / "w")
        step("layerkit build --push (first tag), then the same re-chunked (--rechunk)")
        call("build", str(image), "--push", "--tag", "demo-1", "--workdir", w)
        call("build", str(image), "--push", "--rechunk", "--tag", "demo-1r", "--workdir", w)
        step("bump package app to 1.1 in the repository, rebuild, push (plain and re-chunked)")
        rpms.make_repo([rpms.RpmSpec("app", version="1.1", size=200_000, requires=("tool-a",))],
                      repo)
        call("build", str(image), "--push", "--tag", "demo-2", "--workdir", w)
        call("build", str(image), "--push", "--rechunk", "--tag", "demo-2r", "--workdir", w)
        step("layerkit diff demo-1 demo-2: what a client downloads")
        call("diff", f"{registry.host}/test/desk:demo-1", f"{registry.host}/test/desk:demo-2",
             "--no-tls-verify")
        step("layerkit diff demo-1r demo-2r: the same update, re-chunked")
        call("diff", f"{registry.host}/test/desk:demo-1r",
             f"{registry.host}/test/desk:demo-2r", "--no-tls-verify")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".layerkit/demo").resolve())
