"""``relay radio apply`` and ``check``: a profile onto a radio, in as many steps as needed.

Before anything is written the profile must be complete and follow every rule (see
:mod:`relay.radio.policy`); a radio that does not answer is found before the first
write too. Then only what differs is written, the role change first and alone when
the firmware would otherwise undo part of the profile (ROUTER), and the radio is read
back in a fresh session to show what it really holds now.
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.errors import ConfigError
from relay.radio import meshtastic_admin as admin
from relay.radio.compare import Difference, RadioSnapshot, WritePlan, differences, plan
from relay.radio.meshtastic_admin import Progress
from relay.radio.policy import REGION
from relay.radio.profile import Profile

#: How long a radio may take to come back after a commit (a reboot takes ~10-30 s).
REBOOT_WAIT_S = 120.0


@dataclass(frozen=True, slots=True)
class ApplyReport:
    before: list[Difference]
    after: list[Difference]
    steps: list[str]
    radio: RadioSnapshot


def check_radio(url: str, profile: Profile, *, timeout: float = 30.0) -> ApplyReport:
    with admin.session(url, timeout=timeout) as radio:
        snap = radio.snapshot()
    diffs = differences(profile, snap)
    return ApplyReport(diffs, diffs, [], snap)


def writable(profile: Profile) -> None:
    """Refuse groups the library cannot write, before connecting."""
    for group in profile.groups("module_config"):
        if group not in admin.WRITABLE_MODULES:
            raise ConfigError(
                "the meshtastic library cannot write this group; remove it from the profile",
                f"module_config.{group}",
            )


def apply_profile(
    url: str,
    profile: Profile,
    *,
    progress: Progress,
    timeout: float = 30.0,
    reboot_wait_s: float = REBOOT_WAIT_S,
) -> ApplyReport:
    """Write what differs, then read the radio back in a new session."""
    writable(profile)
    steps: list[str] = []
    radio = admin.reconnect(url, deadline_s=timeout, timeout=timeout, progress=progress)
    try:
        snap = radio.snapshot()
        before = differences(profile, snap)
        todo = plan(profile, snap)
        if todo.empty:
            return ApplyReport(before, before, ["nothing to write: the radio matches"], snap)
        region = snap.get("config.lora.region")
        if region != REGION:
            steps.append(
                f"the radio was set to region {region!s}: make sure it is an 868 MHz model "
                "(a board for 915 MHz cannot work here)"
            )
        if todo.role_first:
            progress(f"step 1: role {todo.role_first} alone (the firmware resets some settings)")
            radio.write(profile, todo, role_only=True)
            steps.append(f"step 1: wrote the role {todo.role_first}")
            radio.close()
            radio = admin.reconnect(
                url, deadline_s=reboot_wait_s, timeout=timeout, progress=progress
            )
            todo = plan(profile, radio.snapshot())
        if not todo.empty:
            label = "step 2" if steps and steps[-1].startswith("step 1") else "step 1"
            names = _names(todo)
            progress(f"{label}: {names}")
            radio.write(profile, todo)
            steps.append(f"{label}: wrote {names}")
    finally:
        radio.close()
    radio = admin.reconnect(url, deadline_s=reboot_wait_s, timeout=timeout, progress=progress)
    try:
        after = radio.snapshot()
    finally:
        radio.close()
    return ApplyReport(before, differences(profile, after), steps, after)


def _names(todo: WritePlan) -> str:
    names = [f"{section}.{group}" for section, group in todo.groups]
    names += [name for name, on in (("owner", todo.owner), ("position", todo.position)) if on]
    if todo.channels:
        names.append("channels")
    return ", ".join(names)
