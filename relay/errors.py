"""The one exception tree of noodrelay.

Library code raises only these (wrapping foreign exceptions with ``raise ... from err``);
the CLI turns them into one-line messages and exit codes, the daemon into log lines.
Each class says *what went wrong* precisely enough that a caller can react to it
(a ``ReplayError`` is dropped quietly, a ``DiskFullError`` is shown to the operator).
"""

from __future__ import annotations


class RelayError(Exception):
    """Root of every error noodrelay raises on purpose."""

    #: Process exit status the CLI uses for this error family.
    exit_code: int = 1


class FileAccessError(RelayError):
    """A file named on the command line or in a config cannot be read or written."""

    exit_code = 2


class InputError(RelayError):
    """An operator's value the wire cannot carry (out of range, too long); nothing changed.

    ``field`` names the input it is about, so a form can point at it.
    """

    exit_code = 2

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class CapError(RelayError):
    """A CAP 1.2 document that cannot become a bulletin."""

    exit_code = 2


# --- wire: bytes that are not a valid message -------------------------------------------


class WireError(RelayError):
    """Bytes that cannot be decoded into a noodrelay message."""

    exit_code = 3


class NotNoodrelayError(WireError):
    """The bytes do not start with a noodrelay frame marker."""


class UnsupportedVersionError(WireError):
    """A noodrelay frame of a format version this reader does not know."""


class TruncatedError(WireError):
    """The message ends before its signature or a field is complete."""


class OversizeError(WireError):
    """The message or a frame is larger than the format or the radio allows."""


class CorruptError(WireError):
    """Structurally invalid content (bad protobuf, impossible field values, bad compression)."""


class UnknownKindError(WireError):
    """A well-formed envelope whose message kind this reader does not know (a newer sender)."""


class FragmentError(WireError):
    """A fragment that cannot belong to any message (bad index/count, inconsistent data)."""


# --- trust: well-formed messages we must not believe ------------------------------------


class TrustError(RelayError):
    """A decodable message that fails the trust rules."""

    exit_code = 4


class BadSignatureError(TrustError):
    """The signature does not match the bytes and the claimed key."""


class BadMacError(TrustError):
    """A compact status frame whose MAC does not match: forged, damaged, or made for
    another hub (only the point and its hub share the key)."""


class WronglyAddressedError(TrustError):
    """A message meant for another hub's key (sealed or MAC'd for it): not ours to read."""


class UnknownKeyError(TrustError):
    """The sender's key id is not in the keyring (no certificate seen yet)."""

    def __init__(self, message: str, key_id: int | None = None) -> None:
        super().__init__(message)
        self.key_id = key_id


class RevokedKeyError(TrustError):
    """The sender's key has been revoked by the region root."""


class ExpiredError(TrustError):
    """A certificate or bulletin outside its validity window (by hub time)."""


class NotYetValidError(ExpiredError):
    """A certificate used before its validity window starts."""


class ReplayError(TrustError):
    """A sequence number already seen, or too old to accept."""


class DuplicateError(ReplayError):
    """Exactly this message was accepted before (harmless: a retransmission or a repair)."""


class RoleError(TrustError):
    """The certified role of the key may not send this kind (a point key signing a bulletin)."""


class CertificateError(TrustError):
    """A certificate that is malformed, not signed by a pinned root, or does not match its key."""


# --- keys and files ---------------------------------------------------------------------


class KeyFileError(RelayError):
    """A key, certificate or keyring file that cannot be used."""

    exit_code = 5


class InsecureKeyFileError(KeyFileError):
    """A private key file that other users can read."""


# --- configuration ----------------------------------------------------------------------


class ConfigError(RelayError):
    """A configuration file, profile or scenario with a bad or missing key."""

    exit_code = 6

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


# --- radio ------------------------------------------------------------------------------


class RadioError(RelayError):
    """Anything between us and the air."""

    exit_code = 7


class TransportURLError(RadioError):
    """A radio URL with an unknown scheme or missing parts."""


class RadioConnectError(RadioError):
    """The radio could not be reached or did not finish its handshake."""


class PortNotFoundError(RadioConnectError):
    """The serial device does not exist."""


class PortBusyError(RadioConnectError):
    """The serial device is held by another process."""


class ConfigTimeoutError(RadioConnectError, TimeoutError):
    """The device never completed its configuration handshake."""


class SlotTakenError(RadioConnectError):
    """Another client took the radio's single TCP API slot."""


class RadioDisconnectedError(RadioError):
    """The link to the radio is down; the frame was not handed to the radio."""


class SendRefusedError(RadioError):
    """The firmware refused a frame (TOO_LARGE, DUTY_CYCLE_LIMIT, NO_ROUTE, MAX_RETRANSMIT...)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- store ------------------------------------------------------------------------------


class StoreError(RelayError):
    """The local SQLite store cannot do what was asked."""

    exit_code = 8


class DiskFullError(StoreError):
    """The disk holding the store is full; nothing was written."""


class CorruptStoreError(StoreError):
    """The store file is damaged or not a noodrelay store."""


class SchemaVersionError(StoreError):
    """The store was written by a newer noodrelay (unknown schema version)."""


# --- federation (MQTT) ------------------------------------------------------------------


class FederationError(RelayError):
    """Anything between a hub or the national node and the MQTT broker."""

    exit_code = 10


class BrokerError(FederationError):
    """The broker cannot be reached, refused us, or dropped the connection."""


class WrongTopicError(TrustError):
    """A message on a topic it does not belong on (wrong region, wrong kind, unknown)."""


class WrongRegionError(TrustError):
    """A message signed by one region's hub, published as another region's."""


class NotNationalError(TrustError):
    """A message on the national topic that a national key did not sign."""


# --- daemon control API -----------------------------------------------------------------


class ControlError(RelayError):
    """The CLI could not get the running daemon to do something."""

    exit_code = 9


class DaemonUnreachableError(ControlError):
    """No daemon answers at the configured control address."""


class AuthError(ControlError):
    """The control API refused the credentials."""
