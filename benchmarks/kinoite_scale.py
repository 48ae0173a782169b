"""Kinoite-scale proof: bytes per weekly update on a real-sized image (docs/scale.md).

    python3 -m benchmarks.kinoite_scale [--small] [--workdir DIR] [--tiers]

The stand-in world of standin/scale (~2,000 base RPMs installed by dnf, ~150 custom ones)
is replayed over 13 weekly releases of real FCOS co-updates. Each week: the plain base
(`dnf upgrade`), pre-chunked as Fedora ships it (rpm-ostree's basic_packing, whole image);
the custom image built on it by `layerkit build --push --rechunk` (plain image pushed too);
the same built image re-chunked by the packers, custom layers only (`--base`, base kept)
and whole (`--whole`, base and custom together), and by layerkit's whole-image plan. Every
pair of weeks is measured with `layerkit diff`; the floor is the changed files themselves.
Writes benchmarks/results/kinoite_scale[-small].json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from benchmarks import scale_measure as m
from benchmarks.scale_plans import predicted, write_plans
from layerkit.config.catalog_file import load_catalog
from layerkit.errors import Problems
from layerkit.tools.run import run
from standin.scale.images import Weeks
from standin.scale.world import FULL, SMALL, World
from standin.servers import Registry, RepoServer

ROOT = Path(__file__).resolve().parent.parent
WHOLE = ("whole-layerkit", "whole-chunkah", "whole-rpm-ostree")
TIERS = ("tier-chunkah", "tier-rpm-ostree")


def project(world: World, work: Path, base: str, repo_url: str, registry: str,
            catalog: Path) -> Path:
    """The custom image: the world's custom packages in 8 recipes."""
    recipes = work / "project" / "recipes"
    recipes.mkdir(parents=True, exist_ok=True)
    for i in range(8):
        names = world.custom[i::8]
        (recipes / f"tools{i}.toml").write_text(
            f'description = "custom tools {i}"\npackages = {json.dumps(names)}\n')
    image = work / "project" / "images" / "desk.toml"
    image.parent.mkdir(exist_ok=True)
    image.write_text(
        f'base = "{base}"\nregistry = "{registry}"\nrepository = "scale/custom"\n'
        f'stream = "w"\nmax_layers = {world.scale.custom_layers}\ninstaller = "dnf"\n'
        f'model = "containerfile"\ntls_verify = false\ncatalog = "{catalog}"\n'
        f'base_packages = {json.dumps(world.base)}\n'
        f'[[repos]]\nid = "scale"\nbaseurl = "{repo_url}"\ngpgcheck = false\n')
    return image


def rechunk(src: str, dest: str, work: Path, *extra: str) -> dict:
    start = time.perf_counter()
    out = json.loads(m.cli("rechunk", src, f"docker://{dest}", "--no-tls-verify", "--json",
                           "--workdir", str(work), *extra))
    return {"seconds": round(time.perf_counter() - start, 1), "phases": out["seconds"],
            "bytes": out["custom_bytes"], "layers": out["base_layers"] + len(out["layers"])}


def replay(world: World, work: Path, tiers: bool = True, log=print,
           partial: Path | None = None, whole: tuple[str, ...] = WHOLE) -> dict:
    s = world.scale
    cache = ROOT / ".layerkit" / f"scale-{s.name}"
    weeks = Weeks(world, cache)
    catalog_path = work / "catalog.json"
    work.mkdir(parents=True, exist_ok=True)
    catalog_path.write_text(json.dumps(world.catalog()))
    catalog = load_catalog(catalog_path, Problems())
    base, custom = set(world.base), set(world.custom)
    log("planning")
    plans = write_plans(catalog, base, custom, s.base_layers - 3, s.custom_layers - 3,
                        s.whole_layers - 3, work / "plans")
    server = RepoServer(cache)
    shutil.rmtree(work / "registry", ignore_errors=True)  # a rerun starts afresh
    registry = Registry(work / "registry")
    reg = registry.host
    sizes = {n: p.size for n, p in world.packages.items()}
    rows, maps, throughput = [], {}, {}
    ways = ["plain", "rechunked"] + list(whole) + (list(TIERS) if tiers else [])
    try:
        for k in range(s.weeks):
            row: dict = {"week": k, "changes": sorted(weeks.changes[k])}
            t = time.perf_counter()
            plain_base = weeks.plain_base(k, server.url, log)
            row["base_build_s"] = round(time.perf_counter() - t, 1)
            if k == 0:
                row["rpmdb_bytes"] = weeks.rpmdb_bytes(plain_base)
            base_ref = f"{reg}/scale/base:w{k}"
            row["base_rechunk"] = rechunk(plain_base, base_ref, work / "rc", "--whole",
                                          "--plan", str(work / "plans/base.json"))
            log(f"week {k}: base {row['base_rechunk']}")
            # in local storage as a client's build machine has it (buildah would not pull
            # from a plain-HTTP registry for layerkit's version resolution)
            run(["buildah", "pull", "--tls-verify=false", "-q", f"docker://{base_ref}"])
            image = project(world, work, base_ref, f"{server.url}repos/w{k}/", reg,
                            catalog_path)
            t = time.perf_counter()
            m.cli("build", str(image), "--push", "--rechunk", "--tag", f"w{k}", "--quiet",
                  "--workdir", str(work / "build"))
            row["build_rechunk_s"] = round(time.perf_counter() - t, 1)
            local = f"{reg}/scale/custom:w{k}"
            run(["skopeo", "copy", "--dest-tls-verify=false", f"containers-storage:{local}",
                 f"docker://{reg}/scale/plain:w{k}"])
            for way in whole + (TIERS if tiers else ()):
                extra = ["--whole"] if way in WHOLE else ["--base", base_ref]
                row[way] = rechunk(local, f"{reg}/scale/{way}:w{k}", work / "rc", *extra,
                                   "--plan", str(work / f"plans/{way}.json"))
                log(f"week {k}: {way} {row[way]['seconds']} s")
            if k == s.weeks - 1 or k == 0:
                blobs = sorted((work / "rc/src/blobs/sha256").iterdir())
                throughput = {**row["whole-layerkit"], "gzip": m.gzip_ceiling(
                    [b for b in blobs if b.stat().st_size > 1 << 20])}
            maps[k] = m.tree_map(local)
            if k:
                row["floor"] = m.floor_bytes(maps[k - 1], maps[k], local)
                del maps[k - 1]
                changed = weeks.changes[k]
                repos = {"plain": "plain", "rechunked": "custom",
                         **{w: w for w in ways[2:]}}
                for way in ways:
                    r = repos[way]
                    row[f"diff-{way}"] = m.diff(f"{reg}/scale/{r}:w{k - 1}",
                                                f"{reg}/scale/{r}:w{k}", custom)
                d = row["diff-whole-layerkit"]["by_kind"]
                # the always-new layers' size as last measured (week 1: this week's)
                fixed = sum(rows[-1]["diff-whole-layerkit"]["by_kind"].get(x, 0)
                            for x in ("volatile", "rpmdb", "unowned")) if k > 1 else \
                    sum(d.get(x, 0) for x in ("volatile", "rpmdb", "unowned"))
                row["predicted"] = predicted(plans["plans"]["whole-layerkit"], sizes,
                                             changed) + fixed
                log(f"week {k}: floor {row['floor']['bytes']} " + " ".join(
                    f"{w} {row['diff-' + w]['bytes']}" for w in ways))
                run(["buildah", "rmi", f"{reg}/scale/custom:w{k - 1}"], check=False)
            rows.append(row)
            if partial is not None:  # what is measured so far survives an interruption
                partial.write_text(json.dumps({"weeks": rows, "throughput": throughput,
                                               "plan": plans["layerkit"], "ways": ways},
                                              indent=1) + "\n")
    finally:
        registry.stop()
        server.stop()
    return summarize(world, rows, plans["layerkit"], throughput, ways)


def summarize(world: World, rows: list[dict], facts: dict, throughput: dict,
              ways: list[str]) -> dict:
    upd = rows[1:]

    def med(key: str) -> int:
        return int(statistics.median(r[key]["bytes"] for r in upd))

    bo = world.base_only_week()
    layers = {w: max(r[f"diff-{w}"]["layers"] for r in upd) for w in ways}
    ratios = [r["predicted"] / r["diff-whole-layerkit"]["bytes"] for r in upd]
    tp = throughput
    summary = {
        "weeks": len(upd), "floor_median_bytes": med("floor"),
        "rechunked_median_bytes": med("diff-whole-layerkit"),
        "chunkah_median_bytes": med("diff-whole-chunkah"),
        "rpm_ostree_median_bytes": med("diff-whole-rpm-ostree") if "whole-rpm-ostree" in ways
        else None,
        "plain_median_bytes": med("diff-plain"),
        "build_rechunk_median_bytes": med("diff-rechunked"),
        "base_only_week": bo,
        **{f"base_only_custom_bytes{suffix}": upd[bo - 1][f"diff-{way}"]["custom_bytes"]
           if bo <= len(upd) else None  # an interrupted run may stop before it
           for suffix, way in (("", "whole-layerkit"), ("_build_rechunk", "rechunked"),
                               ("_plain", "plain"))},
        "max_total_layers": max(layers.values()), "layers": layers,
        "budgets": {"base": world.scale.base_layers, "custom": world.scale.custom_layers,
                    "whole": world.scale.whole_layers},
        "rechunk_mb_per_s": round(tp["bytes"] / 1e6 / tp["seconds"], 1),
        "gzip_ceiling_mb_per_s": tp["gzip"]["mb_per_s"],
        "predicted_over_measured_mean": round(statistics.fmean(ratios), 3),
        "rpmdb_bytes": rows[0]["rpmdb_bytes"],
        "rpmdb_compressed_median_bytes": int(statistics.median(
            r["diff-whole-layerkit"]["by_kind"].get("rpmdb", 0) for r in upd)),
        "plan": facts, "world": world.summary(), "throughput": tp}
    for w in ways:
        if w.startswith("tier-"):
            summary[f"{w}_median_bytes"] = med(f"diff-{w}")
    # every whole way sends the same rpmdb layer: what the layerings differ in is the rest
    summary["without_rpmdb_median_bytes"] = {
        w: int(statistics.median(r[f"diff-{w}"]["bytes"] - r[f"diff-{w}"]["by_kind"].get(
            "rpmdb", 0) for r in upd)) for w in ways if w in WHOLE}
    summary["floor_without_rpmdb_median_bytes"] = int(statistics.median(
        r["floor"]["bytes"] - r["floor"]["rpmdb_bytes"] for r in upd))
    summary["ratios_median"] = {
        f"rechunked_over_{k}": round(statistics.median(
            r["diff-whole-layerkit"]["bytes"] / r[key]["bytes"] for r in upd), 3)
        for k, key in (("floor", "floor"), ("chunkah", "diff-whole-chunkah"),
                       ("rpm_ostree", "diff-whole-rpm-ostree")) if key in upd[0]}
    return {"summary": summary, "weeks": rows}


def table(result: dict) -> str:
    """The per-week table of docs/scale.md (MB, 10^6 bytes)."""
    ways = [w for w in ("plain", "rechunked", *WHOLE, *TIERS)
            if f"diff-{w}" in result["weeks"][-1]]
    head = ["week", "changed", "floor", *ways, "predicted"]
    out = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in result["weeks"][1:]:
        cells = [str(r["week"]), str(len(r["changes"])), f"{r['floor']['bytes'] / 1e6:.1f}"]
        cells += [f"{r['diff-' + w]['bytes'] / 1e6:.1f}" for w in ways]
        out.append("| " + " | ".join(cells + [f"{r['predicted'] / 1e6:.1f}"]) + " |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="the CI-sized world")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--tiers", action="store_true",
                    help="also the packers' custom-only plans on the shipped base")
    ap.add_argument("--from-partial", action="store_true",
                    help="summarise the weeks an interrupted run measured")
    a = ap.parse_args()
    scale = SMALL if a.small else FULL
    work = (a.workdir or ROOT / ".layerkit" / f"bench-scale-{scale.name}").resolve()
    name = "kinoite_scale" + ("-small" if a.small else "")
    partial = ROOT / "benchmarks/results" / f"{name}.partial.json"
    if a.from_partial:
        p = json.loads(partial.read_text())
        result = summarize(World(scale), p["weeks"], p["plan"], p["throughput"], p["ways"])
        result["summary"]["interrupted"] = len(p["weeks"]) < scale.weeks
    else:
        result = replay(World(scale), work, a.tiers, partial=partial)
    (ROOT / "benchmarks/results" / f"{name}.json").write_text(
        json.dumps(result, indent=1) + "\n")
    print(table(result))
    print(json.dumps(result["summary"], indent=1))


if __name__ == "__main__":
    main()
