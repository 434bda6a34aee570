"""The systemd unit that runs the daemon, and the system user it runs as.

The daemon holds a key that signs status reports (or, on the hub, bulletins), so it
gets as little of the system as it can work with: its own user, a read-only view of
the whole file system except its state directory (``ProtectSystem=strict`` with
``StateDirectory=``), no privilege gain, a private /tmp, only the serial devices a
Meshtastic radio shows up as, no kernel or clock tampering, the system-call set of an
ordinary service. It logs to journald (``relay run`` writes plain lines to stdout)
and restarts after a crash; a clean stop (SIGTERM) stays stopped.
"""

from __future__ import annotations

from pathlib import Path

from relay.provision.layout import USER

#: Device nodes a USB Meshtastic radio appears as (CDC-ACM on nRF52/ESP32-S3, USB-UART
#: bridges on older ESP32 boards) and the Pi's own UART for HAT radios.
SERIAL_DEVICES = ("char-ttyACM", "char-ttyUSB", "char-ttyAMA", "char-ttyS")


def sysusers_text() -> str:
    """A ``sysusers.d`` entry: a system user and group with the state directory as home."""
    return (
        "# noodrelay daemon user (written by relay provision)\n"
        f'u {USER} - "noodrelay daemon" /var/lib/{USER} /usr/sbin/nologin\n'
    )


def unit_text(
    *,
    exec_path: Path,
    config: Path,
    role: str,
    name: str,
    serial_radio: bool,
    loopback_only: bool,
) -> str:
    """The unit file. ``loopback_only``: the radio is serial and the screen on 127.0.0.1,
    so the daemon needs no network beyond the loopback interface."""
    devices = ""
    if serial_radio:
        devices = "".join(f"DeviceAllow={d} rw\n" for d in SERIAL_DEVICES)
    network = "IPAddressDeny=any\nIPAddressAllow=localhost\n" if loopback_only else ""
    return f"""\
# noodrelay {role} {name} (written by relay provision; provision again to change it)
[Unit]
Description=noodrelay {role} daemon ({name})
Documentation=man:systemd.exec(5)
After=network.target

[Service]
Type=exec
ExecStart={exec_path} run --config {config}
User={USER}
Group={USER}
SupplementaryGroups=dialout
Restart=on-failure
RestartSec=5s
# SIGTERM stops cleanly without losing queued messages; give it time to flush.
TimeoutStopSec=30s
Environment=PYTHONDONTWRITEBYTECODE=1
StandardOutput=journal
StandardError=journal
SyslogIdentifier=noodrelay

# The only writable place: /var/lib/{USER} (store, private key and sequence counter).
StateDirectory={USER}
StateDirectoryMode=0700
UMask=0077
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictNamespaces=yes
ProtectClock=yes
ProtectHostname=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectProc=invisible
ProcSubset=pid
RemoveIPC=yes
PrivateMounts=yes
KeyringMode=private
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
{network}# The radio: only serial devices (a tcp:// radio needs none).
DevicePolicy=closed
{devices}
[Install]
WantedBy=multi-user.target
"""
