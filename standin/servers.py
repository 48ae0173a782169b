"""Servers on 127.0.0.1 for the stand-in world: the RPM repository over HTTP (dnf reaches
it from chroot builds) and Debian's docker-registry."""

from __future__ import annotations

import functools
import http.server
import socket
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

from layerkit.errors import LayerkitError
from layerkit.tools.run import start


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
