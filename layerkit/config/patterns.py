"""Strict patterns for everything that ends up in a generated file.

A value that passes these can be placed in a Containerfile, a unit file or a shell
argument list without quoting surprises; everything is still quoted when rendered.
Always match with `fullmatch`: `re.match` with `$` accepts one trailing newline.
"""

from __future__ import annotations

import re

# RPM package names (optionally name-version-release or with an arch): letters, digits and
# the few punctuation marks Fedora uses (e.g. "gcc-c++", "python3.12", "perl(Foo::Bar)" is
# deliberately not accepted: name real packages).
PACKAGE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$")
RECIPE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
COPR = re.compile(r"^@?[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$")
URL = re.compile(r"^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!&'()*+,;=%$-]+$")
RPM_URL = re.compile(r"^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!&'()*+,;=%$-]+\.rpm$")
UNIT_NAME = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,200}\.(service|timer|path|socket|target|mount)$")
# Absolute paths: no "..", no empty components, a conservative character set.
PATH_CHARS = re.compile(r"^/[A-Za-z0-9._+@=:,/-]*$")
FLATPAK_APP = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+){2,}$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# a component id: recipe:NAME, pkg:NAME, shared:A+B, cycle:ID+ID, or a package name
COMPONENT = re.compile(r"^[A-Za-z0-9_:.+@-]{1,2000}$")
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # an image file's stem
REGISTRY_REPO = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
# host[:port]/path[:tag][@sha256:digest]
IMAGE_REF = re.compile(r"^[a-z0-9][a-z0-9.:-]*(/[A-Za-z0-9._-]+)+"
                       r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$")
REGISTRY = re.compile(r"^[a-z0-9][a-z0-9.-]*(:[0-9]{1,5})?$")
CRON = re.compile(r"^[^ ]+( +[^ ]+){4}$")  # five fields, separated by spaces only
CRON_FIELD = re.compile(r"^[0-9*/,-]+$")
SECRET = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
RUNNER = re.compile(r"^[A-Za-z0-9._-]+$")
FLATPAK_REMOTE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# control characters, and the Unicode line breaks some tools honour
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(value: str, multiline: bool = False) -> bool:
    """No control characters (a multi-line text may hold newlines and tabs)."""
    return not (CONTROL_BUT_LINES if multiline else CONTROL).search(value)


def valid_rel_path(path: str) -> bool:
    """A clean relative path (no "..", no empty parts), in the same characters."""
    return valid_abs_path("/" + path) and not path.startswith("/")


def unpin(package: str) -> str:
    """`name-version-release` (a pinned install argument) -> name; other names as given.
    A heuristic: the version must start with a digit ("golang-1.19-go" stays whole only
    when written without a version, which callers check first where it matters)."""
    parts = package.rsplit("-", 2)
    return parts[0] if len(parts) == 3 and parts[1][:1].isdigit() else package


def valid_abs_path(path: str) -> bool:
    if not PATH_CHARS.fullmatch(path):
        return False
    parts = path.split("/")[1:]
    return all(p not in ("", ".", "..") for p in parts) or path == "/"
