"""Where config may live on an ostree system.

/usr is the image; /etc is three-way merged on every upgrade (so a vendor file copied
there stops updating once a user touches it); /var is written once, at the first
deployment, and never updated by an upgrade; /opt and /usr/local point into /var.
So: config goes to the software's vendor directory under /usr when it has one, /etc
only where the software reads nothing else, and /var content is created at boot by
systemd-tmpfiles from a copy under /usr/share/factory.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import patterns

# /etc prefix -> vendor directory read by the same software (all checked against the
# software's documentation: systemd's *.d search paths, udev, polkit, NetworkManager,
# dracut, flatpak, firewalld, quadlet, ca-trust, Xorg, rpm).
USR_EQUIVALENTS: dict[str, str] = {
    "/etc/systemd/system/": "/usr/lib/systemd/system/",
    "/etc/systemd/user/": "/usr/lib/systemd/user/",
    "/etc/systemd/system-preset/": "/usr/lib/systemd/system-preset/",
    "/etc/systemd/user-preset/": "/usr/lib/systemd/user-preset/",
    "/etc/systemd/network/": "/usr/lib/systemd/network/",
    "/etc/systemd/system.conf.d/": "/usr/lib/systemd/system.conf.d/",
    "/etc/systemd/user.conf.d/": "/usr/lib/systemd/user.conf.d/",
    "/etc/systemd/logind.conf.d/": "/usr/lib/systemd/logind.conf.d/",
    "/etc/systemd/journald.conf.d/": "/usr/lib/systemd/journald.conf.d/",
    "/etc/systemd/resolved.conf.d/": "/usr/lib/systemd/resolved.conf.d/",
    "/etc/systemd/timesyncd.conf.d/": "/usr/lib/systemd/timesyncd.conf.d/",
    "/etc/systemd/sleep.conf.d/": "/usr/lib/systemd/sleep.conf.d/",
    "/etc/systemd/coredump.conf.d/": "/usr/lib/systemd/coredump.conf.d/",
    "/etc/systemd/oomd.conf.d/": "/usr/lib/systemd/oomd.conf.d/",
    "/etc/systemd/zram-generator.conf": "/usr/lib/systemd/zram-generator.conf",
    "/etc/sysctl.d/": "/usr/lib/sysctl.d/",
    "/etc/modprobe.d/": "/usr/lib/modprobe.d/",
    "/etc/modules-load.d/": "/usr/lib/modules-load.d/",
    "/etc/udev/rules.d/": "/usr/lib/udev/rules.d/",
    "/etc/udev/hwdb.d/": "/usr/lib/udev/hwdb.d/",
    "/etc/tmpfiles.d/": "/usr/lib/tmpfiles.d/",
    "/etc/sysusers.d/": "/usr/lib/sysusers.d/",
    "/etc/environment.d/": "/usr/lib/environment.d/",
    "/etc/binfmt.d/": "/usr/lib/binfmt.d/",
    "/etc/repart.d/": "/usr/lib/repart.d/",
    "/etc/kernel/install.d/": "/usr/lib/kernel/install.d/",
    "/etc/polkit-1/rules.d/": "/usr/share/polkit-1/rules.d/",
    "/etc/NetworkManager/conf.d/": "/usr/lib/NetworkManager/conf.d/",
    "/etc/NetworkManager/dispatcher.d/": "/usr/lib/NetworkManager/dispatcher.d/",
    "/etc/dracut.conf.d/": "/usr/lib/dracut/dracut.conf.d/",
    "/etc/flatpak/remotes.d/": "/usr/share/flatpak/remotes.d/",
    "/etc/firewalld/": "/usr/lib/firewalld/",
    "/etc/containers/systemd/": "/usr/share/containers/systemd/",
    "/etc/pki/ca-trust/source/anchors/": "/usr/share/pki/ca-trust-source/anchors/",
    "/etc/X11/xorg.conf.d/": "/usr/share/X11/xorg.conf.d/",
    "/etc/rpm/": "/usr/lib/rpm/macros.d/",
    "/etc/ostree/prepare-root.conf": "/usr/lib/ostree/prepare-root.conf",
    "/etc/sysctl.conf": "/usr/lib/sysctl.d/90-layerkit.conf",
}

# Where nothing from an image may be placed, and what to do instead.
REFUSED: dict[str, str] = {
    "/usr/etc/": "/usr/etc is ostree's private copy of /etc; place the file in /etc or "
                 "its /usr vendor directory",
    "/usr/local/": "/usr/local points into /var on ostree systems and is never updated; "
                   "install into /usr/bin, /usr/lib or /usr/libexec",
    "/home/": "home directories belong to users; ship defaults in /etc/skel or a user unit",
    "/root/": "root's home lives in /var/roothome and is never updated; use a unit or /etc",
    "/run/": "/run is a tmpfs; create it at boot with a tmpfiles.d entry",
    "/tmp/": "/tmp is emptied at boot; create it at boot with a tmpfiles.d entry",
    "/boot/": "/boot is managed by ostree/bootc; use /usr/lib/bootc/kargs.d for kernel args",
    "/sysroot/": "/sysroot is the physical root; never write it from an image",
    "/proc/": "a kernel filesystem", "/sys/": "a kernel filesystem", "/dev/": "a kernel filesystem",
}

FACTORY = "/usr/share/factory"


@dataclass(frozen=True)
class Placed:
    dest: str
    note: str | None = None
    error: str | None = None
    tmpfiles: tuple[str, ...] = ()  # tmpfiles.d lines that make the file appear at boot


def place(dest: str, etc_reason: str | None = None) -> Placed:
    """Decide where a file meant for `dest` really goes. Pure; never touches disk."""
    if not dest.startswith("/"):
        return Placed(dest, error=f"{dest!r} must be an absolute path")
    if not patterns.valid_abs_path(dest) or dest.endswith("/"):
        return Placed(dest, error=f"{dest!r} is not a clean absolute file path "
                                  f"(allowed characters: {patterns.PATH_CHARS.pattern})")
    for prefix, why in REFUSED.items():
        if dest.startswith(prefix) or dest == prefix.rstrip("/"):
            return Placed(dest, error=f"{dest} is refused: {why}")
    if dest.startswith("/etc/"):
        if etc_reason is not None:
            if not etc_reason.strip():
                return Placed(dest, error="etc = \"...\" needs a reason")
            return Placed(dest, note=f"kept in /etc: {etc_reason.strip()}")
        for prefix, usr in USR_EQUIVALENTS.items():
            if dest == prefix or (prefix.endswith("/") and dest.startswith(prefix)):
                new = usr + dest[len(prefix):] if prefix.endswith("/") else usr
                return Placed(new, note=f"relocated from {dest} to its /usr vendor directory "
                                        "(set etc = \"<reason>\" to keep it in /etc)")
        return Placed(dest, note="in /etc: no /usr vendor directory is known for it; "
                                 "an upgrade merges it with local changes")
    if etc_reason is not None:
        return Placed(dest, error="etc = \"...\" only applies to a dest under /etc")
    if dest.startswith("/var/"):
        src = FACTORY + dest
        return Placed(src, note=f"/var is not updated by upgrades: shipped as {src} and "
                                "copied at boot by tmpfiles.d when missing",
                      tmpfiles=(f"C {dest} - - - - {src}",))
    if dest.startswith("/opt/"):
        top = dest.split("/")[2]
        new = "/usr/lib/opt" + dest[len("/opt"):]
        return Placed(new, note=f"/opt points into /var: shipped in /usr/lib/opt/{top} and "
                                f"linked from /var/opt/{top} by tmpfiles.d",
                      tmpfiles=(f"L /var/opt/{top} - - - - /usr/lib/opt/{top}",))
    if dest.startswith("/usr/"):
        return Placed(dest)
    return Placed(dest, error=f"{dest} is outside /usr, /etc, /var and /opt; "
                              "place it under /usr")
