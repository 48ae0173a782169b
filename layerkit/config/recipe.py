"""A recipe and its parts, as validated frozen objects (read by `recipe_file`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class RunWhen(StrEnum):
    ONCE = "once"  # first boot of the machine (stamp in /var)
    EACH_DEPLOYMENT = "each-deployment"  # once per deployed image version
    EVERY_BOOT = "every-boot"


class Scope(StrEnum):
    SYSTEM = "system"  # the system manager, as root
    USER = "user"  # every user's manager, at login (not for system accounts)


@dataclass(frozen=True)
class Repo:
    id: str
    baseurl: str | None = None
    metalink: str | None = None
    copr: str | None = None
    gpgkey: str | None = None
    gpgcheck: bool = True
    name: str | None = None

    def urls(self) -> tuple[str | None, str | None, str | None]:
        """(baseurl, metalink, gpgkey) with copr shorthand expanded."""
        if self.copr:
            owner, project = self.copr.split("/", 1)
            owner = owner.replace("@", "group_")
            root = f"https://download.copr.fedorainfracloud.org/results/{owner}/{project}"
            gpgkey = self.gpgkey or f"{root}/pubkey.gpg"
            return f"{root}/fedora-$releasever-$basearch/", None, gpgkey
        return self.baseurl, self.metalink, self.gpgkey


@dataclass(frozen=True)
class FileSpec:
    src: Path  # absolute, resolved, inside the recipe folder
    dest: str  # where it lands in the image (after placement)
    mode: int
    requested_dest: str  # as written, before any relocation
    note: str | None = None  # what placement did and why
    tmpfiles: tuple[str, ...] = ()  # tmpfiles.d lines placement asked for


@dataclass(frozen=True)
class ServiceSpec:
    """A systemd service: work that needs a booted system (docs/glossary.md: service)."""

    name: str
    description: str
    exec: tuple[str, ...]
    run: RunWhen
    after: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()
    network: bool = False
    scope: Scope = Scope.SYSTEM
    more: tuple[tuple[str, ...], ...] = ()  # further commands, run in order after exec
    options: tuple[tuple[str, str, str], ...] = ()  # (section, key, value) passed through
    timer: tuple[tuple[str, str], ...] = ()  # [Timer] settings: started by a timer

    @property
    def unit(self) -> str:
        """What is enabled: the timer when there is one."""
        return self.name.removesuffix(".service") + ".timer" if self.timer else self.name


@dataclass(frozen=True)
class SystemdSpec:
    """Units the base ships, enabled or disabled by a preset, or masked."""

    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replace:
    """Base packages replaced by the versions one repository offers."""

    repo: str
    packages: tuple[str, ...]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    gid: int | None = None


@dataclass(frozen=True)
class UserSpec:
    name: str
    uid: int | None = None
    description: str = ""
    home: str = "/"
    shell: str = "/usr/sbin/nologin"
    groups: tuple[str, ...] = ()  # supplementary groups


@dataclass(frozen=True)
class FlatpakSpec:
    remote: str
    url: str
    apps: tuple[str, ...]
    scope: Scope = Scope.SYSTEM
    run: RunWhen = RunWhen.EACH_DEPLOYMENT

    def service(self, recipe: str) -> ServiceSpec:
        """Flatpak apps live outside the image: a service adds the remote and installs."""
        where = "--user" if self.scope is Scope.USER else "--system"
        add = ("/usr/bin/flatpak", "remote-add", where, "--if-not-exists", self.remote,
               self.url)
        install = ("/usr/bin/flatpak", "install", where, "--noninteractive", "--or-update",
                   self.remote, *self.apps)
        return ServiceSpec(name=f"layerkit-apps-{recipe}.service",
                           description=f"Install the Flatpak apps of recipe {recipe}",
                           exec=add, more=(install,), run=self.run, network=True,
                           scope=self.scope)


@dataclass(frozen=True)
class Recipe:
    name: str
    path: Path
    description: str
    packages: tuple[str, ...] = ()
    rpms: tuple[str, ...] = ()  # packages by URL; $releasever is the base's release
    requires: tuple[str, ...] = ()
    size: int | None = None  # estimate, used when no catalog knows the packages
    rate: float | None = None  # changes per year; an estimate, likewise
    repos: tuple[Repo, ...] = ()
    files: tuple[FileSpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()  # the recipe's [[units]]
    remove: tuple[str, ...] = ()
    script: str | None = None
    users: tuple[UserSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    flatpaks: FlatpakSpec | None = None
    replace: tuple[Replace, ...] = ()
    systemd: SystemdSpec = SystemdSpec()

    @property
    def all_services(self) -> tuple[ServiceSpec, ...]:
        """Services written in the recipe plus the one its [flatpaks] section becomes."""
        extra = (self.flatpaks.service(self.name),) if self.flatpaks else ()
        return self.services + extra

    @property
    def ships_config(self) -> bool:
        """Files, services or accounts: shipped in a COPY layer of the recipe's own."""
        return bool(self.files or self.all_services or self.users or self.groups
                    or self.systemd != SystemdSpec())

    @property
    def installs(self) -> bool:
        """Whether the recipe changes packages: it needs a RUN layer."""
        return bool(self.packages or self.rpms or self.remove or self.replace or self.script
                    or self.repos)
