"""The steps that change the system beyond our own files: the user, ownership, systemd.

All of them honour the ``--root`` prefix: ``systemd-sysusers --root`` writes the user
into the prefix's /etc/passwd, ownership is looked up there, and the unit is enabled
by the symlink ``systemctl enable`` would make. Only on the real root (``/``) is the
running systemd told to reload.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from relay.atomic import write_atomic
from relay.errors import RelayError
from relay.provision.layout import USER, Layout
from relay.provision.unit import sysusers_text

log = logging.getLogger(__name__)


class SystemSetupError(RelayError):
    """A system tool (systemd-sysusers, systemctl) failed or is missing."""

    exit_code = 10


@dataclass(frozen=True, slots=True)
class Account:
    uid: int
    gid: int


def _run(args: list[str]) -> None:
    try:
        # Fixed tool names and our own paths, never user text through a shell.
        proc = subprocess.run(  # noqa: S603
            args, capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SystemSetupError(f"{args[0]} failed: {err}") from err
    if proc.returncode != 0:
        raise SystemSetupError(f"{' '.join(args)} failed: {proc.stderr.strip() or proc.stdout}")


def create_user(layout: Layout) -> Account:
    """Create (or find) the daemon's system user with ``systemd-sysusers``."""
    write_atomic(layout.on_disk(layout.sysusers), sysusers_text())
    tool = shutil.which("systemd-sysusers")
    if tool is None:
        raise SystemSetupError(
            "systemd-sysusers is missing; noodrelay runs on a systemd system "
            "(Raspberry Pi OS, Debian): apt install systemd"
        )
    # With --root, sysusers finds the file by name in the prefix's sysusers.d.
    _run([tool, f"--root={layout.root.resolve()}", layout.sysusers.name])
    account = lookup(layout)
    if account is None:
        raise SystemSetupError(f"systemd-sysusers did not create the user {USER}")
    return account


def lookup(layout: Layout, name: str = USER) -> Account | None:
    """The user's ids from the (prefixed) /etc/passwd."""
    passwd = layout.on_disk(Path("/etc/passwd"))
    try:
        lines = passwd.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 4 and fields[0] == name:
            return Account(int(fields[2]), int(fields[3]))
    return None


def chown_tree(path: Path, account: Account) -> bool:
    """Give ``path`` and everything below it to ``account``; False when not root."""
    if os.geteuid() != 0:
        return False
    for directory, _dirs, files in os.walk(path):
        os.chown(directory, account.uid, account.gid)
        for name in files:
            os.chown(os.path.join(directory, name), account.uid, account.gid)
    return True


def enable(layout: Layout) -> bool:
    """Enable the unit (the symlink ``systemctl enable`` makes); reload a running systemd.

    Returns True when the running systemd was told (only on the real root)."""
    link = layout.on_disk(layout.wants_link)
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(layout.unit)
    if layout.root != Path("/") or not Path("/run/systemd/system").is_dir():
        return False
    _run(["systemctl", "daemon-reload"])
    return True
