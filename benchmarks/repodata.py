"""Benchmark: a Fedora-sized repository (100,000 packages) read by the catalog's readers.

    python3 -m benchmarks.repodata [--packages 100000] [WORKDIR]

Writes a synthetic repository once (repodata/repomd.xml and a primary.xml.gz of the given
size plus 8% i686 multilib copies; reused after), then measures, each in a fresh
interpreter so the peak RSS is its own: `stream` (every <package> of primary streamed,
nothing kept), `load` (one package per name, provides indexed, requires resolved) and
`catalog` (`from_repo`: repomd.xml, checksum verified while streaming, every package as
catalog facts). Shape per package, after Fedora's: ~10 requires (sonames, packages, a
file path, now and then a rich dependency), ~5 provides, 3 files, summary and a ~400-byte
description. Writes benchmarks/results/repodata.json.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/'
        'metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{n}">\n')
WORDS = ("library tool daemon support for the and with data files plugin GNOME KDE "
         "Python bindings development headers documentation utilities fast small").split()


BASE = ("""<package type="rpm"><name>glibc</name><arch>x86_64</arch>
  <version epoch="0" ver="2.41" rel="1.fc42"/><time file="1" build="1"/>
  <size package="2000000" installed="6000000" archive="1"/><location href="glibc.rpm"/>
  <format><rpm:sourcerpm>glibc-2.41-1.fc42.src.rpm</rpm:sourcerpm><rpm:provides>
  <rpm:entry name="libc.so.6(GLIBC_2.34)()(64bit)"/><rpm:entry name="rtld(GNU_HASH)"/>
  </rpm:provides></format></package>
<package type="rpm"><name>bash</name><arch>x86_64</arch>
  <version epoch="0" ver="5.2" rel="1.fc42"/><time file="1" build="1"/>
  <size package="2000000" installed="8000000" archive="1"/><location href="bash.rpm"/>
  <format><rpm:sourcerpm>bash-5.2-1.fc42.src.rpm</rpm:sourcerpm>
  <rpm:requires><rpm:entry name="rtld(GNU_HASH)"/></rpm:requires>
  <file>/usr/bin/bash</file><file>/usr/bin/sh</file></format></package>
""")


def _entry(name: str, flags: str = "", ver: str = "") -> str:
    if not flags:
        return f'      <rpm:entry name="{escape(name, {chr(34): "&quot;"})}"/>\n'
    return f'      <rpm:entry name="{name}" flags="{flags}" epoch="0" ver="{ver}" rel="1.fc42"/>\n'


def pname(i: int) -> str:
    """The name of synthetic package i: every fifth source has -libs and -devel."""
    return f"pkg{i:06d}" + ("-libs" if i % 5 == 1 else "-devel" if i % 5 == 2 else "")


def package_xml(i: int, n: int, rng: random.Random, arch: str = "x86_64") -> str:
    """One <package> of a synthetic primary.xml."""
    name = pname(i)
    ver = f"{rng.randint(0, 40)}.{rng.randint(0, 99)}.{rng.randint(0, 9)}"
    src = f"pkg{i - i % 5:06d}-{ver}-1.fc42.src.rpm"
    b64 = "()(64bit)" if arch == "x86_64" else ""
    provides = [_entry(name, "EQ", ver), _entry(f"{name}({arch.replace('_', '-')})", "EQ", ver),
                _entry(f"libpkg{i:06d}.so.{i % 7}{b64}"), _entry(f"config({name})", "EQ", ver),
                _entry(f"{name}-compat")]
    deps = rng.sample(range(n), 7)
    requires = [_entry(f"libpkg{d:06d}.so.{d % 7}{b64}") for d in deps[:4]]
    requires += [_entry(pname(d), "GE", "1.0") for d in deps[4:6]]
    requires += [_entry("libc.so.6(GLIBC_2.34)" + b64), _entry("/usr/bin/sh"),
                 _entry("rtld(GNU_HASH)")]
    if i % 50 == 0:
        requires.append(_entry(f"(nothere{i} or {pname(deps[6])})"))
    files = [f"/usr/bin/{name}", f"/etc/{name}.conf", f"/usr/sbin/{name}d"]
    desc = " ".join(rng.choice(WORDS) for _ in range(60))
    digest = hashlib.sha256(f"{name}{arch}".encode()).hexdigest()
    return (f'<package type="rpm">\n  <name>{name}</name>\n  <arch>{arch}</arch>\n'
            f'  <version epoch="0" ver="{ver}" rel="1.fc42"/>\n'
            f'  <checksum type="sha256" pkgid="YES">{digest}</checksum>\n'
            f'  <summary>{" ".join(rng.choice(WORDS) for _ in range(6))}</summary>\n'
            f'  <description>{desc}</description>\n  <packager>Fedora Project</packager>\n'
            f'  <url>https://example.org/{name}</url>\n'
            f'  <time file="{1_700_000_000 + i}" build="{1_690_000_000 + i * 7}"/>\n'
            f'  <size package="{rng.randint(5_000, 5_000_000)}" '
            f'installed="{rng.randint(10_000, 20_000_000)}" archive="1"/>\n'
            f'  <location href="Packages/{name[3]}/{name}-{ver}-1.fc42.{arch}.rpm"/>\n'
            f'  <format>\n    <rpm:license>MIT AND GPL-2.0-or-later</rpm:license>\n'
            f'    <rpm:vendor>Fedora Project</rpm:vendor>\n    <rpm:group>Unspecified</rpm:group>\n'
            f'    <rpm:buildhost>buildhw-x86-01.iad2.fedoraproject.org</rpm:buildhost>\n'
            f'    <rpm:sourcerpm>{src}</rpm:sourcerpm>\n'
            f'    <rpm:header-range start="4504" end="{9000 + i % 5000}"/>\n'
            f'    <rpm:provides>\n{"".join(provides)}    </rpm:provides>\n'
            f'    <rpm:requires>\n{"".join(requires)}    </rpm:requires>\n'
            + "".join(f"    <file>{f}</file>\n" for f in files)
            + "  </format>\n</package>\n")


def generate(path: Path, n: int) -> None:
    """Write a synthetic primary.xml.gz of `n` packages (plus 8% i686 copies)."""
    rng = random.Random(42)
    tmp = path.with_suffix(".part")
    total = n + n * 8 // 100
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as f:
        f.write(HEAD.format(n=total + 2))
        f.write(BASE)
        for i in range(n):
            f.write(package_xml(i, n, rng))
            if i % 100 < 8:
                f.write(package_xml(i, n, rng, "i686"))
        f.write("</metadata>\n")
    tmp.rename(path)


def write_repo(repo: Path, n: int) -> Path:
    """A repository whose repomd.xml lists the synthetic primary with its checksum."""
    data = repo / "repodata"
    data.mkdir(parents=True, exist_ok=True)
    primary = data / "primary.xml.gz"
    if not primary.exists():
        generate(primary, n)
    digest = hashlib.sha256(primary.read_bytes()).hexdigest()
    (data / "repomd.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/'
        'metadata/repo"><revision>1</revision><data type="primary">'
        f'<checksum type="sha256">{digest}</checksum>'
        '<location href="repodata/primary.xml.gz"/>'
        f'<size>{primary.stat().st_size}</size></data></repomd>\n')
    return primary


def measure(repo: Path, mode: str) -> dict:
    """Read the repository once (in a fresh process) and report time and peak RSS."""
    from layerkit.catalog.mdstream import no_gc
    from layerkit.catalog.repo import from_repo
    from layerkit.catalog.repodata import iter_primary, load_primary
    primary = repo / "repodata" / "primary.xml.gz"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu0 = time.perf_counter(), time.process_time()
    if mode == "stream":  # the collector paused as load_primary does
        with open(primary, "rb") as f, no_gc():
            count = sum(1 for _ in iter_primary(f, str(primary)))
    elif mode == "load":
        with open(primary, "rb") as f:
            count = len(load_primary(f, str(primary)).packages)
    else:
        count = len(from_repo(str(repo), None, ()).packages)
    return {"mode": mode, "packages": count, "seconds": round(time.perf_counter() - start, 2),
            "cpu_seconds": round(time.process_time() - cpu0, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "interpreter_mb": round(before / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workdir", nargs="?", type=Path, default=Path(".layerkit/bench-repodata"))
    ap.add_argument("--packages", type=int, default=100_000)
    ap.add_argument("--measure", choices=["stream", "load", "catalog"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    repo = (args.workdir / f"repo-{args.packages}").resolve()
    if args.measure:
        print(json.dumps(measure(repo, args.measure)))
        return
    t = time.perf_counter()
    primary = write_repo(repo, args.packages)
    print(f"repository {repo}: primary {primary.stat().st_size / 1e6:.1f} MB gzip "
          f"(ready in {time.perf_counter() - t:.1f} s)")
    rows = []
    for mode in ("stream", "load", "catalog"):
        out = subprocess.run([sys.executable, "-m", "benchmarks.repodata", str(args.workdir),
                              "--packages", str(args.packages), "--measure", mode],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
        rows.append(json.loads(out))
        r = rows[-1]
        print(f"{mode:8s} {r['packages']:>7} packages  {r['seconds']:6.2f} s  "
              f"(cpu {r['cpu_seconds']:.2f} s)  peak RSS {r['peak_rss_mb']} MB "
              f"(interpreter {r['interpreter_mb']} MB)", flush=True)
    (ROOT / "benchmarks" / "results" / "repodata.json").write_text(
        json.dumps({"packages": args.packages, "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
