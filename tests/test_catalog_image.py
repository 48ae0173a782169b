"""`layerkit catalog --from-image` on the rig: 50 RPMs whose %changelog dates follow known
rates (0.2 to 50 a year, three years of entries), installed by dnf into an image built
FROM the stand-in base. The catalog must recover each rate within what a Poisson count
allows, and sizes and dependencies exactly."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from conftest import run_cli
from layerkit.config.load import read_catalog
from layerkit.tools import skopeo
from layerkit.tools.run import run
from standin.images import build, install_image
from standin.rpms import RpmSpec, build_rpm, poisson_days
from standin.servers import RepoServer

pytestmark = pytest.mark.integration

END = date(2026, 6, 1)
YEARS = 3
START = END - timedelta(days=round(YEARS * 365.25))
N = 50


def rate(i: int) -> float:
    """Changes per year, spread evenly on a log scale from 0.2 to 50."""
    return 0.2 * (50 / 0.2) ** (i / (N - 1))


def specs() -> list[RpmSpec]:
    out = []
    for i in range(N):
        name = f"clg-{i:02d}"
        requires = tuple(sorted({f"clg-{(i * 13) % i:02d}", f"clg-{(i * 7) % i:02d}"})) \
            if i % 3 == 0 and i > 0 else ()
        out.append(RpmSpec(name, size=1_000 + (i * 7919) % 20_000, requires=requires,
                           changelog=poisson_days(name, rate(i), START, END), built=END))
    return out


def poisson_interval(k: int, confidence: float = 0.999) -> tuple[float, float]:
    """The exact two-sided interval (Garwood) for the mean of a Poisson count k."""
    tail = (1 - confidence) / 2

    def cdf(mean: float, upto: int) -> float:  # P(X <= upto)
        term = total = math.exp(-mean)
        for j in range(1, upto + 1):
            term *= mean / j
            total += term
        return total

    def solve(f, lo: float, hi: float) -> float:  # f increasing, root by bisection
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
        return (lo + hi) / 2

    top = 10.0 * (k + 10)
    low = 0.0 if k == 0 else solve(lambda m: (1 - cdf(m, k - 1)) - tail, 0.0, top)
    high = solve(lambda m: tail - cdf(m, k), 0.0, top)
    return low, high


def test_the_interval_is_the_textbook_one():
    assert poisson_interval(0)[0] == 0 and poisson_interval(0)[1] == pytest.approx(7.601, 1e-3)
    assert poisson_interval(10) == pytest.approx((2.699, 25.26), rel=1e-3)  # chi2 quantiles


@pytest.fixture(scope="module")
def catalog(tmp_path_factory, standin, registry_fixture):
    work = tmp_path_factory.mktemp("catalog-image")
    repo = work / "repo"
    repo.mkdir()
    rig = specs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda s: build_rpm(s, repo), rig))
    run(["createrepo_c", "-q", repo])
    server = RepoServer(repo)
    try:
        ref = install_image(standin, server.url, [s.name for s in rig],
                            "localhost/layerkit-test/changelogs:1", work / "build")
        # a second release without a plan label: one package upgraded by dnf
        build_rpm(RpmSpec("clg-07", "1.1", size=500, built=END), repo)
        run(["createrepo_c", "-q", "--update", repo])
        upgraded = build(f"FROM {ref}\nRUN printf '%s\\n' '[rig]' name=rig "
                         f"baseurl={server.url} gpgcheck=0 > /etc/yum.repos.d/rig.repo && "
                         "dnf -y upgrade clg-07 && rm -rf /etc/yum.repos.d/rig.repo "
                         "/var/cache/dnf\n", "localhost/layerkit-test/changelogs:2",
                         work / "build2")
    finally:
        server.stop()
    history = f"{registry_fixture.host}/test/unlabelled"
    for i, local in enumerate((ref, upgraded)):
        skopeo.copy(f"containers-storage:{local}",
                    f"docker://{history}:s-2026-06-0{i + 1}T0000-x", tls_verify=False,
                    preserve=False)
    out = work / "catalog.json"
    result = run_cli("catalog", "--from-image", ref, "--changelog-years", str(YEARS), "-o", out)
    yield {"result": result, "path": out, "specs": {s.name: s for s in rig},
           "history": history, "work": work}
    run(["buildah", "rmi", ref, upgraded], check=False)


def test_rates_are_recovered_within_poisson_error(catalog):
    assert catalog["result"].code == 0, catalog["result"].err
    cat = read_catalog(catalog["path"])
    assert cat.start == START and cat.years == pytest.approx(YEARS, abs=1e-3)
    assert set(cat.packages) == set(catalog["specs"])
    for i, (name, spec) in enumerate(sorted(catalog["specs"].items())):
        p = cat.packages[name]
        assert p.evidence.value == "changelog"
        assert p.updates == len(spec.changelog)  # every entry read, each on its own day
        low, high = poisson_interval(p.updates)
        assert low <= rate(i) * cat.years <= high, (name, rate(i), p.updates)


def test_sizes_and_dependencies_are_exact(catalog):
    cat = read_catalog(catalog["path"])
    for name, spec in catalog["specs"].items():
        p = cat.packages[name]
        assert (p.size, set(p.depends), p.source) == (spec.size, set(spec.requires), name)
        assert p.version == "1.0-1"


def test_the_file_states_its_sources_and_plan_shows_the_mix(catalog):
    data = json.loads(catalog["path"].read_text())
    assert data["period"] == [START.isoformat(), END.isoformat()]
    assert data["sources"] == [{"kind": "image", "ref": "localhost/layerkit-test/changelogs:1",
                                "packages": N, "period": data["period"]}]
    plan = run_cli("plan", "--catalog", catalog["path"], "--all", "--max-layers", "8")
    assert plan.code == 0, plan.err
    assert f"rates: {N} from changelogs" in plan.out


def test_releases_without_a_label_are_read_with_rpm(catalog):
    """No plan label, no annotations: each release's own rpmdb says what changed."""
    out = catalog["work"] / "history.json"
    result = run_cli("catalog", "--from-history", catalog["history"], "--no-tls-verify",
                     "-o", out, "--fresh")
    assert result.code == 0, result.err
    data = json.loads(out.read_text())
    assert data["history"] == [{"date": "2026-06-02", "changed": ["clg-07"]}]
    versions = {p["name"]: p["version"] for p in data["packages"]}
    assert versions["clg-07"] == "1.1-1" and versions["clg-08"] == "1.0-1" and len(versions) == N
