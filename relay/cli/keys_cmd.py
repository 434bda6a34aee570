"""``relay keys``: make keys, certify them with the region root, revoke them, list a keyring."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from relay.errors import CertificateError
from relay.wire import envelope, hubtime
from relay.wire.keys import PrivateKey as SigningKey
from relay.wire.keys import format_key_id, load_private, load_public, save_keypair
from relay.wire.model import ROOT_ROLES, Certificate, Revocation, RevokedKey, Role
from relay.wire.sequence import SequenceCounter
from relay.wire.trust import Keyring

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$")
_ROLES = {
    "root": Role.ROOT,
    "hub": Role.HUB,
    "point": Role.POINT,
    "national-root": Role.NATIONAL_ROOT,
    "national": Role.NATIONAL,
}
DAY = 86_400


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise click.BadParameter(
            "letters, digits, '.', '_' and '-' only (it becomes a file name), at most 48",
            param_hint="--name",
        )
    return name


@click.group()
def keys() -> None:
    """Region root, hub and support-point keys; the national root and national keys."""


@keys.command("new")
@click.option("--role", type=click.Choice(sorted(_ROLES)), required=True)
@click.option("--name", required=True, help="Key name, e.g. hub-utrecht or np-017.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
def new(role: str, name: str, directory: Path) -> None:
    """Generate a key pair: NAME.key (private, mode 0600) and NAME.pub."""
    key = SigningKey.generate(_check_name(name), _ROLES[role])
    key_path, pub_path = save_keypair(key, directory)
    click.echo(f"{role} key {name}: id {format_key_id(key.key_id)}")
    click.echo(f"  private  {key_path}  (keep it secret; mode 0600)")
    click.echo(f"  public   {pub_path}")
    if key.role is Role.ROOT:
        click.echo("  Keep the root key offline; points pin the root .pub at provisioning.")
    if key.role is Role.NATIONAL_ROOT:
        click.echo("  Keep it offline; every region's hubs and points pin this .pub too.")


def _check_certifier(root: SigningKey, root_path: Path, cert_role: Role) -> None:
    """Only the national root certifies national keys, and it certifies nothing else."""
    wanted = Role.NATIONAL_ROOT if cert_role is Role.NATIONAL else Role.ROOT
    if root.role is not wanted:
        which = "the national root" if wanted is Role.NATIONAL_ROOT else "the region root"
        raise CertificateError(
            f"{root_path} is a {root.role.name.lower().replace('_', ' ')} key; a "
            f"{cert_role.name.lower()} certificate is signed by {which}"
        )


@keys.command("certify")
@click.option("--root", "root_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--subject", type=click.Path(dir_okay=False, path_type=Path), required=True, help="NAME.pub"
)
@click.option("--role", type=click.Choice(["hub", "point", "national"]), required=True)
@click.option("--name", help="Name in the certificate (default: the subject's name).")
@click.option("--point-id", type=click.IntRange(1, 65535), help="Support point number.")
@click.option("--group", "groups", multiple=True, help="Target group of a point (repeatable).")
@click.option("--valid-days", type=click.IntRange(1, 3650), default=730, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def certify(
    root_path: Path,
    subject: Path,
    role: str,
    name: str | None,
    point_id: int | None,
    groups: tuple[str, ...],
    valid_days: int,
    out: Path,
) -> None:
    """Sign a certificate for a hub or point key with the region root, or for a national
    key with the national root (offline step)."""
    root = load_private(root_path)
    cert_role = _ROLES[role]
    _check_certifier(root, root_path, cert_role)
    pub = load_public(subject)
    if pub.role not in (cert_role, Role.UNKNOWN):
        raise CertificateError(
            f"{subject} was made as a {pub.role.name.lower()} key; certify it as that role"
        )
    if cert_role is Role.POINT and point_id is None:
        raise click.BadParameter(
            "a point certificate needs its point number", param_hint="--point-id"
        )
    # Start a day early: the hub's clock and the root laptop's clock may disagree.
    start = hubtime.from_unix(time.time()) - DAY
    cert = Certificate(
        public_key=pub.raw,
        role=cert_role,
        name=name or pub.name,
        valid_from=start,
        valid_until=start + (valid_days + 1) * DAY,
        point_id=point_id or 0,
        groups=groups,
    )
    seq = SequenceCounter.beside(root_path).next()
    msg = envelope.sign(root, seq, hubtime.from_unix(time.time()), cert)
    out.write_bytes(msg.raw)
    until = hubtime.to_datetime(cert.valid_until).date().isoformat()
    click.echo(
        f"certified {cert.name} ({role}, key {format_key_id(pub.key_id)}) until {until}: {out}"
    )


@keys.command("revoke")
@click.option("--root", "root_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--key-id", "key_ids", multiple=True, help="Key id (8 hex digits); repeatable.")
@click.option("--subject", "subjects", multiple=True, type=click.Path(path_type=Path))
@click.option(
    "--last-good-seq",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Keep accepting messages up to this sequence number (0: refuse all).",
)
@click.option("--reason", default="", help="Short reason, travels with the revocation.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def revoke(
    root_path: Path,
    key_ids: tuple[str, ...],
    subjects: tuple[Path, ...],
    last_good_seq: int,
    reason: str,
    out: Path,
) -> None:
    """Sign a revocation (put the .rev file in keyrings, or send it over the air)."""
    root = load_private(root_path)
    if root.role not in ROOT_ROLES:
        raise CertificateError(f"{root_path} is not a root key")
    ids = [load_public(p).key_id for p in subjects]
    for text in key_ids:
        try:
            ids.append(int(text, 16))
        except ValueError:
            raise click.BadParameter(
                f"{text!r} is not a hex key id", param_hint="--key-id"
            ) from None
    if not ids:
        raise click.UsageError("name at least one key (--key-id or --subject)")
    body = Revocation(tuple(RevokedKey(k, last_good_seq) for k in ids), reason)
    seq = SequenceCounter.beside(root_path).next()
    out.write_bytes(envelope.sign(root, seq, hubtime.from_unix(time.time()), body).raw)
    click.echo(f"revoked {', '.join(format_key_id(k) for k in ids)}: {out}")


@keys.command("list")
@click.argument("keyring", type=click.Path(file_okay=False, path_type=Path))
def list_keys(keyring: Path) -> None:
    """Show the pinned roots, certified keys and revocations of a keyring directory."""
    ring = Keyring.load_dir(keyring)
    for p in ring.principals():
        window = ""
        if p.valid_until:
            start = hubtime.to_datetime(p.valid_from).date()
            end = hubtime.to_datetime(p.valid_until).date()
            window = f"  valid {start} .. {end}"
        revoked = "  REVOKED" if ring.revocation_of(p.key_id) else ""
        point = f" point {p.point_id}" if p.point_id else ""
        click.echo(
            f"{format_key_id(p.key_id)}  {p.role.name.lower():5}  {p.name}{point}{window}{revoked}"
        )
