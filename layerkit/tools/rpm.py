"""rpm inside an image: where its database lives and which package owns each file."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ExitCode, LayerkitError
from .buildah import Isolation, Mounted


@dataclass(frozen=True)
class RpmView:
    dbpath: str  # relative to the root, no leading or trailing slash
    owners: dict[str, str]  # path (relative, no leading slash) -> package name


def rpm_view(ref: str, isolation: Isolation) -> RpmView:
    """Ask the image's own rpm: `%_dbpath` differs between distributions (Fedora
    /usr/lib/sysimage/rpm, older ones /var/lib/rpm) and the file list says which
    package owns what."""
    mounted = Mounted(ref)
    with mounted:
        where = mounted.run(["rpm", "--eval", "%_dbpath"], isolation)
        files = mounted.run(["rpm", "-qa", "--qf", "[%{=NAME}\t%{FILENAMES}\n]"], isolation)
    for proc in (where, files):
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            raise LayerkitError(f"{ref}: cannot read the image's rpm database "
                                f"({err[-1] if err else 'rpm failed'}): files cannot be "
                                "attributed to packages", ExitCode.FAILED)
    owners = {}
    for line in files.stdout.decode(errors="replace").splitlines():
        name, _, path = line.partition("\t")
        if path.startswith("/"):
            owners[path.lstrip("/")] = name
    return RpmView(where.stdout.decode().strip().strip("/"), owners)
