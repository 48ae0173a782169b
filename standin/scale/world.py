"""The Kinoite-scale stand-in world: which packages it has, how big, how many files, what
they depend on, and which of them change each week (docs/scale.md).

Rules (all deterministic, from the shared catalogs in ../shared/datasets):
- base: every kde-standard package, plus synthetic `syn-NNNN` packages up to `base`
  packages, each drawing its installed size from a kde-standard package chosen by a hash
  of its name and depending on 1-3 earlier base packages; plus `scale-release`, one small
  file the base rebuilds every week (as a compose stamps its version into os-release);
- custom: the devtools packages kde-standard lacks, plus synthetic `csyn-NN` packages
  (sizes drawn from devtools) up to `custom` packages;
- the small (CI) world keeps every package whose name hashes into 1/10 (the same shape);
- files per package: ceil(installed_size / 36 kB), 1 to 2,500; bytes on disk: installed
  size x `factor` (a Kinoite of ~6 GB scaled to ~1 GB), half random, half repeated;
- FCOS -> world: FCOS names in the order of their SHA-256, each to the not yet taken world
  package closest in compressed size (the FCOS catalog's size), so big and often-changing
  FCOS packages (kernel-modules, linux-firmware) stay big and often-changing here; the
  small world maps only FCOS names that hash into 1/10.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

# beside the checkout (CI, the main clone) or beside a worktree's parent
DATASETS = next((d for d in (Path(__file__).resolve().parents[i] / "shared" / "datasets"
                             for i in (3, 4)) if d.is_dir()),
                Path(__file__).resolve().parents[3] / "shared" / "datasets")
FILE_BYTES_INSTALLED = 36_000  # installed bytes per file: ~170k files for the full world
MAX_FILES = 2_500
RELEASE = "scale-release"
GENERATOR = 2  # bump when payloads or specs change: every cache key includes it


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Scale:
    name: str
    base: int  # base packages (before the 1/10 sample of the small world)
    custom: int
    factor: float  # bytes on disk per installed byte of the real package
    sample: int = 1  # keep names whose hash is 0 mod sample
    first_week: int = 88  # FCOS history index of week 0 (after the 2021-04-30 mass rebuild)
    weeks: int = 13  # releases: week 0 then weeks-1 updates
    # layer budgets: the base as Fedora ships it, layerkit's layers on top (its default
    # 40), a whole image re-chunked at once; every image stays within 125
    base_layers: int = 65
    custom_layers: int = 40
    whole_layers: int = 120


FULL = Scale("full", base=2000, custom=150, factor=0.19)
SMALL = Scale("small", base=2000, custom=150, factor=0.19, sample=10, weeks=3,
              base_layers=20, custom_layers=12, whole_layers=30)


@dataclass(frozen=True)
class Pkg:
    name: str
    custom: bool
    installed_size: int  # the real package's
    files: int
    payload: int  # bytes on disk here
    depends: tuple[str, ...]

    @property
    def size(self) -> int:
        """Compressed bytes in a layer: the random half, ~1% of the repeated half, and
        ~100 bytes of tar header per file."""
        return self.payload // 2 + self.payload // 200 + 100 * self.files


def _pkg(name: str, custom: bool, installed: int, depends, factor: float) -> Pkg:
    files = max(1, min(MAX_FILES, math.ceil(installed / FILE_BYTES_INSTALLED)))
    payload = max(files * 64, int(installed * factor))
    return Pkg(name, custom, installed, files, payload, tuple(sorted(set(depends))))


def _load(name: str) -> dict:
    return json.loads((DATASETS / name).read_text())


class World:
    def __init__(self, scale: Scale):
        self.scale = scale
        kde = sorted(_load("kde-standard.json")["packages"], key=lambda p: p["name"])
        dev = sorted(_load("devtools.json")["packages"], key=lambda p: p["name"])
        kde_names = {p["name"] for p in kde}
        f = scale.factor
        pkgs: list[Pkg] = [_pkg(p["name"], False, p["installed_size"], p["depends"], f)
                           for p in kde]
        for i in range(len(pkgs), scale.base):
            name = f"syn-{i:04d}"
            src = kde[_h(name) % len(kde)]
            deps = [pkgs[_h(f"{name}/{j}") % len(pkgs)].name for j in range(1 + _h(name) % 3)]
            pkgs.append(_pkg(name, False, src["installed_size"], deps, f))
        pkgs.append(_pkg(RELEASE, False, 4096, (), 1.0))
        custom = [_pkg(p["name"], True, p["installed_size"], p["depends"], f)
                  for p in dev if p["name"] not in kde_names][: scale.custom]
        for i in range(len(custom), scale.custom):
            name = f"csyn-{i:02d}"
            src = dev[_h(name) % len(dev)]
            pool = custom + pkgs
            deps = [pool[_h(f"{name}/{j}") % len(pool)].name for j in range(1 + _h(name) % 3)]
            custom.append(_pkg(name, True, src["installed_size"], deps, f))
        every = pkgs + custom
        if scale.sample > 1:
            every = [p for p in every if _h(p.name) % scale.sample == 0 or p.name == RELEASE]
        names = {p.name for p in every}
        self.packages = {p.name: Pkg(p.name, p.custom, p.installed_size, p.files, p.payload,
                                     tuple(d for d in p.depends if d in names and d != p.name))
                         for p in every}
        self.base = sorted(n for n, p in self.packages.items() if not p.custom)
        self.custom = sorted(n for n, p in self.packages.items() if p.custom)
        self.fcos = _load("fcos-weekly.json")
        self.mapping = self._map()

    def _map(self) -> dict[str, str]:
        sizes = {p["name"]: p["size"] for p in self.fcos["packages"]}
        names = sorted((n for n in sizes if _h("fcos/" + n) % self.scale.sample == 0),
                       key=lambda n: (_h(n), n))
        free = sorted(self.packages.values(), key=lambda p: (p.size, p.name))
        free = [p for p in free if p.name != RELEASE]
        out = {}
        for n in names:
            if not free:
                break
            j = min(range(len(free)), key=lambda j: (abs(math.log(free[j].size + 1)
                                                         - math.log(sizes[n] + 1)), j))
            out[n] = free.pop(j).name
        return out

    def changes(self, history_index: int) -> set[str]:
        """World packages an FCOS week changes."""
        return {self.mapping[n] for n in self.fcos["history"][history_index]["changed"]
                if n in self.mapping}

    def weeks(self) -> list[set[str]]:
        """Change sets of weeks 1..weeks-1 of the replay (week 0 is the first build). Every
        week changes the base (`scale-release`); the week with the fewest changes is made
        base-only by dropping its custom packages."""
        s = self.scale
        out = [self.changes(s.first_week + k) | {RELEASE} for k in range(1, s.weeks)]
        quiet = min(range(len(out)), key=lambda k: (len(out[k]), k))
        out[quiet] = {n for n in out[quiet] if not self.packages[n].custom}
        return out

    def base_only_week(self) -> int:
        """The replay week (1-based) made base-only."""
        return next(k + 1 for k, w in enumerate(self.weeks())
                    if not any(self.packages[n].custom for n in w))

    def catalog(self) -> dict:
        """A catalog of the world for planners: sizes as compressed in a layer, the FCOS
        history before week 0 mapped onto world names (what a planner may learn from)."""
        hist = self.fcos["history"][: self.scale.first_week + 1]
        # the base's release stamp changes with every compose
        history = [{"date": h["date"], "changed": sorted(
            {self.mapping[n] for n in h["changed"] if n in self.mapping} | {RELEASE})}
            for h in hist]
        counts: dict[str, int] = {}
        for h in history:
            for n in h["changed"]:
                counts[n] = counts.get(n, 0) + 1
        period = [self.fcos["period"][0], hist[-1]["date"]]
        return {"suite": f"layerkit stand-in world ({self.scale.name})", "period": period,
                "packages": [{"name": p.name, "size": p.size, "updates": counts.get(p.name, 0),
                              "depends": list(p.depends), "version": "1"}
                             for p in self.packages.values()],
                "history": history}

    def key(self) -> str:
        """Content hash of everything the world's RPMs and images follow from."""
        shape = {k: v for k, v in self.scale.__dict__.items() if not k.endswith("_layers")}
        data = json.dumps([GENERATOR, shape, sorted(
            (p.name, p.files, p.payload, p.depends) for p in self.packages.values())])
        return hashlib.sha256(data.encode()).hexdigest()[:12]

    def summary(self) -> dict:
        ps = self.packages.values()
        return {"packages": len(self.packages), "base": len(self.base),
                "custom": len(self.custom), "files": sum(p.files for p in ps),
                "payload_bytes": sum(p.payload for p in ps),
                "compressed_estimate": sum(p.size for p in ps)}
