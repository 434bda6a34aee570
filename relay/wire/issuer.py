"""Signing messages as one identity: key, certificate, sequence counter and hub clock.

The CLI (``relay compose``) and the daemon both issue messages through an
:class:`Issuer`, so both refuse up front what receivers would refuse later: a point key
signing a bulletin, a key that does not match its certificate, a certificate that has
run out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from relay.errors import CertificateError, InputError, RoleError
from relay.wire import envelope
from relay.wire.keys import PrivateKey, format_key_id, key_id_of, load_private
from relay.wire.model import Body, Bulletin, Certificate, Kind, SignedMessage, kind_of
from relay.wire.sequence import SequenceCounter
from relay.wire.trust import ALLOWED

HubClock = Callable[[], int]


class Counter(Protocol):
    """A source of sequence numbers that never repeats (file-backed or in memory)."""

    def next(self) -> int: ...

    def current(self) -> int: ...


class MemoryCounter:
    """A counter in memory, for the simulator and tests (it does not survive a restart)."""

    def __init__(self, start: int = 0) -> None:
        self._value = start

    def next(self) -> int:
        self._value += 1
        return self._value

    def current(self) -> int:
        return self._value


class Issuer:
    def __init__(
        self,
        key: PrivateKey,
        certificate: SignedMessage | None,
        counter: Counter,
        clock: HubClock,
    ) -> None:
        self.key = key
        self.counter = counter
        self.clock = clock
        self.certificate = certificate
        self.role = key.role
        self.cert_body: Certificate | None = None
        if certificate is not None:
            body = certificate.envelope.body
            if not isinstance(body, Certificate):
                raise CertificateError("the certificate file holds no certificate")
            if body.public_key != key.public.raw:
                raise CertificateError(
                    f"certificate is for key {format_key_id(key_id_of(body.public_key))}, "
                    f"not for {format_key_id(key.key_id)}"
                )
            self.role = body.role
            self.cert_body = body

    @classmethod
    def from_files(cls, key_path: Path, cert_path: Path | None, clock: HubClock) -> Issuer:
        key = load_private(key_path)
        cert = None
        if cert_path is not None:
            try:
                cert = envelope.parse(cert_path.read_bytes())
            except OSError as err:
                raise CertificateError(f"cannot read certificate {cert_path}: {err}") from err
        return cls(key, cert, SequenceCounter.beside(key_path), clock)

    def issue(self, body: Body, at: int | None = None) -> SignedMessage:
        """Sign ``body`` with the next sequence number at hub time ``at`` (default: now)."""
        if isinstance(body, Bulletin):
            _one_text_per_language(body)
        return self.issue_built(kind_of(body), lambda seq: body, at)

    def issue_built(
        self, kind: Kind, build: Callable[[int], Body], at: int | None = None
    ) -> SignedMessage:
        """Sign a body built for its own sequence number (sealed parts bind that number)."""
        if self.role not in ALLOWED[kind]:
            raise RoleError(
                f"{self.key.name} is a {self.role.name.lower()} key and may not sign a {kind.value}"
            )
        now = self.clock() if at is None else at
        cert = self.cert_body
        # Time 0 means "hub time unknown" (a point that has not heard the hub yet).
        if cert is not None and now and not cert.valid_from <= now <= cert.valid_until:
            raise CertificateError(f"the certificate of {cert.name} is not valid at this time")
        seq = self.counter.next()
        body = build(seq)
        if kind_of(body) is not kind:
            raise ValueError(f"built a {kind_of(body).value}, not a {kind.value}")
        return envelope.sign(self.key, seq, now, body)


def _one_text_per_language(bulletin: Bulletin) -> None:
    """Refuse a bulletin with two texts in one language: a screen shows one per
    language, so the other would silently never be read (CLI, CAP and dashboard alike)."""
    seen: set[str] = set()
    for text in bulletin.texts:
        if text.lang in seen:
            raise InputError(
                f"two texts in language {text.lang!r}; give each language once", "texts"
            )
        seen.add(text.lang)
