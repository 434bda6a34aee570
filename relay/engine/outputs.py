"""What an engine returns: frames to transmit and notifications for the application."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from relay.wire.help import HelpDetails, HelpReply
from relay.wire.model import HelpUpdate, Holdings, SignedMessage, StatusReport
from relay.wire.trust import Principal


class Priority(enum.IntEnum):
    """Lower goes first. Help requests first, routine status last."""

    HELP = 0
    URGENT = 1  # Immediate urgency or Extreme severity
    HIGH = 2  # Expected urgency or Severe severity
    CONTROL = 3  # heartbeats, certificates, repair requests
    NORMAL = 4
    STATUS = 5
    ROUTINE = 6


@dataclass(frozen=True, slots=True)
class Transmit:
    """Hand one frame to the radio. Report the outcome with ``on_send_result(token, ...)``."""

    token: int
    payload: bytes
    destination: int
    want_ack: bool
    priority: Priority
    airtime_s: float
    purpose: str
    #: Meshtastic hop limit for this frame (None: the radio's configured default).
    hop_limit: int | None = None


# --- notifications ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulletinAccepted:
    """A verified bulletin, new to us. Persist it before acting on the next input."""

    message: SignedMessage
    sender: Principal
    #: Whether this point is among the bulletin's targets (always True at the hub).
    targeted: bool


class BulletinState(enum.Enum):
    ACTIVE = "active"
    UPDATED = "updated"  # replaced by a later Update
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class BulletinChanged:
    key_id: int
    seq: int
    state: BulletinState
    by_seq: int = 0


@dataclass(frozen=True, slots=True)
class StatusAccepted:
    """Hub: a verified status report from a point (with its receipt, if any).

    ``raw`` is the frame as received: a compact status frame (MAC) or, from an older
    point, a signed message. ``hub_time`` is when it was made (signed) or heard (MAC)."""

    raw: bytes
    key_id: int
    seq: int
    hub_time: int
    sender: Principal
    report: StatusReport
    node: int


@dataclass(frozen=True, slots=True)
class ReceiptAccepted:
    """Hub: what a point proved it holds of our bulletins (from a status report)."""

    point_id: int
    receipt: Holdings


@dataclass(frozen=True, slots=True)
class TrustLearned:
    """A certificate or revocation that arrived over the air; persist it in the keyring."""

    message: SignedMessage


@dataclass(frozen=True, slots=True)
class HubHeard:
    """Point: a verified message from the hub; its hub time and node number."""

    key_id: int
    seq: int
    hub_time: int
    node: int
    heartbeat: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    """A frame we refused, and why (reason codes as ``relay check --json`` gives them)."""

    reason: str
    detail: str
    sender_node: int


@dataclass(frozen=True, slots=True)
class Delivered:
    """A queued message has been fully handed to the radio (and acked, for DMs)."""

    purpose: str
    key_id: int
    seq: int
    outbox_id: int


@dataclass(frozen=True, slots=True)
class HelpRequestAccepted:
    """Hub: a help request, new to us. Persist it and raise the alarm."""

    message: SignedMessage
    sender: Principal
    node: int
    #: None when the sealed part did not open (``details_error`` says why): the public
    #: fields still reach the operator, who can act on them.
    details: HelpDetails | None
    details_error: str = ""


@dataclass(frozen=True, slots=True)
class HelpUpdateIssued:
    """Hub: a help update signed (it is now the request's state). Persist it."""

    message: SignedMessage
    update: HelpUpdate
    reply: HelpReply


@dataclass(frozen=True, slots=True)
class HelpUpdateAcked:
    """Hub: the point acknowledged update ``update_seq`` of its request ``request``."""

    point_key: int
    request: int
    update_seq: int


@dataclass(frozen=True, slots=True)
class HelpUpdateAccepted:
    """Point: the hub's newest word on one of our requests. Persist it."""

    message: SignedMessage
    update: HelpUpdate
    #: None when the sealed reply did not open.
    reply: HelpReply | None


Notification = (
    BulletinAccepted
    | BulletinChanged
    | StatusAccepted
    | ReceiptAccepted
    | TrustLearned
    | HubHeard
    | Rejected
    | Delivered
    | HelpRequestAccepted
    | HelpUpdateIssued
    | HelpUpdateAcked
    | HelpUpdateAccepted
)
Output = Transmit | Notification
