"""A stand-in world for the tests and the demo, made of real parts.

- a stand-in base: a minimal Debian root with dnf and rpm (mmdebstrap), imported with
  buildah, rebuilt only when its inputs change (tag = hash of the inputs);
- a local RPM repository: RPMs built with rpmbuild, payloads of a given size whose bytes
  follow from name and version, indexed with createrepo_c and served on 127.0.0.1;
- a real registry: Debian's docker-registry on 127.0.0.1 at a free port.
The Fedora Kinoite base cannot be pulled here; nothing in this module pretends to be it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import random
import shutil
import socket
import tempfile
import textwrap
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import LayerkitError
from .run import run, start

STANDIN_REPO = "localhost/layerkit-standin"
STANDIN_INPUTS = {
    "suite": "bookworm",
    "variant": "essential",
    "include": "dnf,rpm",
    # dnf wants its repo dir; rpmdb where Fedora keeps it, in /usr
    "hooks": ['mkdir -p "$1/etc/yum.repos.d" "$1/usr/lib/sysimage/rpm" "$1/etc/rpm"',
              'echo "%_dbpath /usr/lib/sysimage/rpm" > "$1/etc/rpm/macros.dbpath"',
              'rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*'],
    "version": 2,
}


def standin_tag() -> str:
    key = hashlib.sha256(repr(sorted(STANDIN_INPUTS.items())).encode()).hexdigest()[:12]
    return f"{STANDIN_REPO}:{key}"


def standin_base(workdir: Path | None = None) -> str:
    """The stand-in base's image reference, built on first use (~25 s)."""
    ref = standin_tag()
    if run(["buildah", "inspect", "--type", "image", ref], check=False).returncode == 0:
        return ref
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tar = Path(tmp) / "root.tar"
        argv = ["mmdebstrap", f"--variant={STANDIN_INPUTS['variant']}",
                f"--include={STANDIN_INPUTS['include']}"]
        argv += [f"--customize-hook={h}" for h in STANDIN_INPUTS["hooks"]]
        run(argv + [STANDIN_INPUTS["suite"], tar])
        ctr = run(["buildah", "from", "scratch"]).stdout.decode().strip()
        try:
            run(["buildah", "add", ctr, tar, "/"])
            run(["buildah", "config", "--cmd", "/bin/sh", ctr])
            run(["buildah", "commit", "--timestamp", "0", ctr, ref])
        finally:
            run(["buildah", "rm", ctr], check=False)
    return ref


@dataclass(frozen=True)
class RpmSpec:
    name: str
    version: str = "1.0"
    release: str = "1"
    size: int = 100_000  # payload bytes
    requires: tuple[str, ...] = ()


def payload(name: str, version: str, size: int) -> bytes:
    """Incompressible bytes that depend only on name and version."""
    seed = int.from_bytes(hashlib.sha256(f"{name}-{version}".encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(size)


def build_rpm(spec: RpmSpec, outdir: Path) -> Path:
    top = outdir / ".rpmbuild" / f"{spec.name}-{spec.version}-{spec.release}"
    (top / "SOURCES").mkdir(parents=True, exist_ok=True)
    (top / "SOURCES" / "payload").write_bytes(payload(spec.name, spec.version, spec.size))
    requires = "".join(f"Requires: {r}\n" for r in spec.requires)
    text = textwrap.dedent(f"""\
        Name: {spec.name}
        Version: {spec.version}
        Release: {spec.release}
        Summary: layerkit test package {spec.name}
        License: MIT
        BuildArch: noarch
        AutoReqProv: no
        Source0: payload
        {requires}
        %description
        Test payload for layerkit.
        %install
        mkdir -p %{{buildroot}}/usr/share/{spec.name}
        cp %{{SOURCE0}} %{{buildroot}}/usr/share/{spec.name}/payload
        %files
        /usr/share/{spec.name}/payload
        """)
    spec_path = top / f"{spec.name}.spec"
    spec_path.write_text(text)
    # payloads are random bytes: compressing them would only cost time
    run(["rpmbuild", "-bb", "--define", f"_topdir {top}", "--define", "_source_payload w0.ufdio",
         "--define", "_binary_payload w0.ufdio", "--define", "source_date_epoch_from_changelog 0",
         "--define", "use_source_date_epoch_as_buildtime 1", "--define", "_buildhost layerkit",
         spec_path], env={"SOURCE_DATE_EPOCH": "0", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
    rpm = next((top / "RPMS" / "noarch").glob(f"{spec.name}-{spec.version}-*.rpm"))
    dest = outdir / rpm.name
    rpm.replace(dest)
    return dest


def make_repo(specs: list[RpmSpec], repo: Path) -> None:
    """Build RPMs into `repo` (keeping ones already there) and index it."""
    repo.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        if not (repo / f"{spec.name}-{spec.version}-{spec.release}.noarch.rpm").exists():
            build_rpm(spec, repo)
    run(["createrepo_c", "-q", "--update", repo])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RepoServer:
    """Serves a directory on 127.0.0.1 over HTTP (dnf reaches it from chroot builds)."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class Registry:
    """Debian's docker-registry on 127.0.0.1:<free port>, storage in a directory."""

    def __init__(self, storage: Path):
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        storage.mkdir(parents=True, exist_ok=True)
        config = storage / "config.yml"
        config.write_text(textwrap.dedent(f"""\
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {storage / 'data'}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{self.port}
            """))
        self.proc = start(["docker-registry", "serve", config], storage / "registry.log")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise LayerkitError(f"docker-registry did not start on {self.host}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


@contextlib.contextmanager
def world(workdir: Path):
    """Stand-in base, the demo RPM repository served on loopback, and a registry:
    yields (base ref, repo dir, repo URL, registry), stops the servers afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    base = standin_base(workdir)
    repo = workdir / "repo"
    shutil.rmtree(repo, ignore_errors=True)  # a rerun starts from the first versions
    make_repo(PACKAGES, repo)
    server = RepoServer(repo)
    try:
        registry = Registry(workdir / "registry")
    except BaseException:
        server.stop()
        raise
    try:
        yield base, repo, server.url, registry
    finally:
        registry.stop()
        server.stop()


# A small recipe set: a big stable library, tools, an app at the top, one config file.
PACKAGES = [
    RpmSpec("libbig", size=3_000_000),
    RpmSpec("tool-a", size=400_000, requires=("libbig",)),
    RpmSpec("tool-b", size=300_000),
    RpmSpec("app", size=200_000, requires=("tool-a",)),
]

RECIPES = {
    "libs": 'description = "big and stable"\npackages = ["libbig"]\nsize = "3 MB"\n'
            'update = "yearly"\n',
    "tools": 'description = "tools"\npackages = ["tool-a", "tool-b"]\nsize = "700 kB"\n'
             'update = "monthly"\nrequires = ["libs"]\n',
    "app": 'description = "the app"\npackages = ["app"]\nsize = "200 kB"\nupdate = "daily"\n'
           'requires = ["tools"]\n',
    "motd": 'description = "config"\n[[files]]\nsrc = "motd/motd.conf"\n'
            'dest = "/etc/sysctl.d/99-test.conf"\n',
}


def write_project(root: Path, base: str, repo_url: str, registry_host: str,
                  stream: str, extra_recipes: dict[str, str] | None = None,
                  model: str = "containerfile", recipes: dict[str, str] | None = None,
                  repository: str = "test/desk", max_layers: int = 8) -> Path:
    (root / "recipes" / "motd").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    (root / "recipes" / "motd" / "motd.conf").write_text("kernel.printk = 4 4 1 7\n")
    for name, text in {**(RECIPES if recipes is None else recipes),
                       **(extra_recipes or {})}.items():
        (root / "recipes" / f"{name}.toml").write_text(text)
    image = root / "images" / "desk.toml"
    image.write_text(textwrap.dedent(f"""\
        base = "{base}"
        registry = "{registry_host}"
        repository = "{repository}"
        stream = "{stream}"
        max_layers = {max_layers}
        installer = "dnf"
        model = "{model}"
        layer_overhead = "300 kB"
        tls_verify = false

        [[repos]]
        id = "local"
        baseurl = "{repo_url}"
        gpgcheck = false
        """))
    return image
