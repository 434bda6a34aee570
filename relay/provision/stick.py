"""The region's USB stick: how keys and certificates travel between a site and the region.

The region root key never leaves the region's offline laptop. What travels is::

    STICK/root.pub              the region root's public key (pinned by every node)
    STICK/channel.url           the region's private channel (0600; see relay.radio.channel)
    STICK/requests/NAME.pub     a node's public key, waiting for a certificate
    STICK/requests/NAME.request what the certificate must say, and the command for it
    STICK/certs/NAME.cert       certificates signed on the laptop (hubs' and points')

A stick is carried by hand and may be FAT-formatted, so file modes on it mean
nothing; what is read from it is checked by signature instead.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

from relay.atomic import write_atomic
from relay.errors import CertificateError, ConfigError, KeyFileError, WireError
from relay.wire import envelope
from relay.wire.keys import PublicKey, format_key_id, format_public, load_public
from relay.wire.model import Role, SignedMessage


@dataclass(frozen=True, slots=True)
class Request:
    """What a node asks the region to certify."""

    name: str
    role: Role
    key_id: int
    point_id: int = 0
    groups: tuple[str, ...] = ()

    def certify_command(self, stick: Path, root_key: str = "region/root.key") -> str:
        """The exact ``relay keys certify`` line for the region laptop."""
        words = ["relay", "keys", "certify", "--root", root_key]
        words += ["--subject", str(stick / "requests" / f"{self.name}.pub")]
        words += ["--role", self.role.name.lower()]
        if self.point_id:
            words += ["--point-id", str(self.point_id)]
        for group in self.groups:
            words += ["--group", group]
        words += ["--out", str(stick / "certs" / f"{self.name}.cert")]
        return shlex.join(words)


@dataclass(frozen=True, slots=True)
class Stick:
    path: Path

    @property
    def root_pub(self) -> Path:
        return self.path / "root.pub"

    @property
    def channel(self) -> Path:
        return self.path / "channel.url"

    def request_paths(self, name: str) -> tuple[Path, Path]:
        base = self.path / "requests"
        return base / f"{name}.pub", base / f"{name}.request"

    def cert_path(self, name: str) -> Path:
        return self.path / "certs" / f"{name}.cert"

    def check(self) -> None:
        if not self.path.is_dir():
            raise ConfigError(f"{self.path} is not a directory; is the region's USB stick mounted?")

    def root(self) -> PublicKey:
        """The region root's public key from the stick (refused unless it is a root key)."""
        if not self.root_pub.exists():
            raise KeyFileError(
                f"no region root key at {self.root_pub}; copy root.pub from the region laptop "
                "onto the stick"
            )
        pub = load_public(self.root_pub)
        if pub.role is not Role.ROOT:
            raise KeyFileError(f"{self.root_pub} is a {pub.role.name.lower()} key, not the root")
        return pub

    def write_request(self, pub: PublicKey, request: Request) -> Path:
        pub_path, req_path = self.request_paths(request.name)
        write_atomic(pub_path, format_public(pub))
        groups = ", ".join(f'"{g}"' for g in request.groups)
        write_atomic(
            req_path,
            f'name = "{request.name}"\nrole = "{request.role.name.lower()}"\n'
            f'key_id = "{format_key_id(request.key_id)}"\npoint_id = {request.point_id}\n'
            f"groups = [{groups}]\n"
            f"# on the region laptop:\n# {request.certify_command(self.path)}\n",
        )
        return req_path

    def pending_requests(self) -> list[Request]:
        out = []
        for path in sorted((self.path / "requests").glob("*.request")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
                request = Request(
                    name=str(data["name"]),
                    role=Role[str(data["role"]).upper()],
                    key_id=int(str(data["key_id"]), 16),
                    point_id=int(data.get("point_id", 0)),
                    groups=tuple(str(g) for g in data.get("groups", [])),
                )
            except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"cannot read request {path}: {err}") from err
            if not self.cert_path(request.name).exists():
                out.append(request)
        return out

    def certificates(self) -> list[tuple[Path, SignedMessage]]:
        paths = sorted((self.path / "certs").glob("*.cert"))
        return [(path, self.certificate_at(path)) for path in paths]

    @staticmethod
    def certificate_at(path: Path) -> SignedMessage:
        try:
            return envelope.parse(path.read_bytes())
        except (OSError, WireError) as err:
            raise CertificateError(f"cannot read certificate {path}: {err}") from err
