"""Domain types of noodrelay messages: frozen dataclasses, no protobuf.

Everything above the wire layer works with these; :mod:`relay.wire.schema` is the only
place that converts them to and from the protobuf classes. Enum numbers equal the
schema's so the conversion is a lookup, and an enum value from a newer sender that we
do not know becomes the ``UNKNOWN`` member instead of a crash.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# --- CAP-aligned bulletin vocabulary --------------------------------------------------


class MsgType(enum.IntEnum):
    ALERT = 0
    UPDATE = 1
    CANCEL = 2


class Urgency(enum.IntEnum):
    UNKNOWN = 0
    IMMEDIATE = 1
    EXPECTED = 2
    FUTURE = 3
    PAST = 4


class Severity(enum.IntEnum):
    UNKNOWN = 0
    EXTREME = 1
    SEVERE = 2
    MODERATE = 3
    MINOR = 4


class Certainty(enum.IntEnum):
    UNKNOWN = 0
    OBSERVED = 1
    LIKELY = 2
    POSSIBLE = 3
    UNLIKELY = 4


class Category(enum.IntFlag):
    """CAP 1.2 ``category`` values as a bit set."""

    GEO = 1 << 0
    MET = 1 << 1
    SAFETY = 1 << 2
    SECURITY = 1 << 3
    RESCUE = 1 << 4
    FIRE = 1 << 5
    HEALTH = 1 << 6
    ENV = 1 << 7
    TRANSPORT = 1 << 8
    INFRA = 1 << 9
    CBRNE = 1 << 10
    OTHER = 1 << 11


NO_CATEGORY = Category(0)


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """Headline and body of a bulletin in one language (BCP 47 tag, ``nl`` by default)."""

    lang: str
    headline: str
    body: str


@dataclass(frozen=True, slots=True)
class Target:
    """Who a bulletin is for. Both empty: every point."""

    points: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return not self.points and not self.groups

    def includes(self, point_id: int, groups: frozenset[str] | set[str] = frozenset()) -> bool:
        return self.everyone or point_id in self.points or bool(set(self.groups) & set(groups))


@dataclass(frozen=True, slots=True)
class TemplateValues:
    """Parameter values of a template call as they travel: numbers and texts in order."""

    code: int
    numbers: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()


class AlertStatus(enum.IntEnum):
    """CAP ``status``: real, an exercise, or a technical test (0 = real: the default)."""

    ACTUAL = 0
    EXERCISE = 1
    TEST = 2


@dataclass(frozen=True, slots=True)
class Bulletin:
    """A crisis bulletin. Exactly one of ``texts`` and ``template`` is set."""

    texts: tuple[LocalizedText, ...] = ()
    template: TemplateValues | None = None
    type: MsgType = MsgType.ALERT
    references: tuple[int, ...] = ()
    urgency: Urgency = Urgency.UNKNOWN
    severity: Severity = Severity.UNKNOWN
    certainty: Certainty = Certainty.UNKNOWN
    categories: Category = NO_CATEGORY
    #: Minutes after the envelope's hub time; 0 = until cancelled.
    expires_in_min: int = 0
    target: Target = field(default_factory=Target)
    #: An exercise or test bulletin is shown with an unmistakable OEFENING/TEST mark.
    status: AlertStatus = AlertStatus.ACTUAL

    @property
    def is_real(self) -> bool:
        return self.status is AlertStatus.ACTUAL

    def __post_init__(self) -> None:
        if bool(self.texts) == (self.template is not None):
            raise ValueError("a bulletin has either texts or a template, not both or neither")

    def expires_at(self, issued: int) -> int | None:
        """Hub time of expiry, or None when it lasts until cancelled."""
        return issued + 60 * self.expires_in_min if self.expires_in_min else None

    def text_for(self, lang: str) -> LocalizedText | None:
        """The text in ``lang``, else Dutch, else the first one."""
        by_lang = {t.lang: t for t in self.texts}
        return by_lang.get(lang) or by_lang.get("nl") or (self.texts[0] if self.texts else None)


# --- status reports -------------------------------------------------------------------


class OpenState(enum.IntEnum):
    UNKNOWN = 0
    OPEN = 1
    LIMITED = 2
    CLOSED = 3


class PowerSource(enum.IntEnum):
    UNKNOWN = 0
    GRID = 1
    GENERATOR = 2
    BATTERY = 3
    NONE = 4


class Need(enum.IntFlag):
    DRINKING_WATER = 1 << 0
    FOOD = 1 << 1
    FIRST_AID = 1 << 2
    MEDICATION = 1 << 3
    HEATING = 1 << 4
    FUEL = 1 << 5
    VOLUNTEERS = 1 << 6
    TRANSPORT = 1 << 7
    COMMUNICATIONS = 1 << 8
    SANITATION = 1 << 9


NO_NEEDS = Need(0)


@dataclass(frozen=True, slots=True, order=True)
class BulletinRef:
    """A bulletin named by its signer's key id and sequence number."""

    key_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a point has stored of one hub's bulletins, as it travels: bits over the
    ``active`` list of the hub heartbeat number ``heartbeat``, plus the stored bulletins
    newer than that heartbeat. Only the hub that sent the heartbeat can read the bits
    (:meth:`resolve`); the encoding cannot name a bulletin the point has not stored."""

    #: Hub sequence number of the heartbeat whose active list the bits index (0: none).
    heartbeat: int = 0
    #: Bit i: the point has stored active[i] of that heartbeat.
    held: int = 0
    #: Bit i: staff marked active[i] as displayed.
    shown: int = 0
    #: Stored bulletins newer than the heartbeat (absolute hub sequence numbers).
    newer: tuple[int, ...] = ()
    #: Key id of the hub; 0 = the region hub the point follows.
    issuer: int = 0
    #: Active bulletins of other keys (national ones the hub relayed) the point stored.
    others: tuple[BulletinRef, ...] = ()

    @classmethod
    def of(
        cls,
        heartbeat: int,
        active: tuple[int, ...],
        stored: set[int] | frozenset[int],
        displayed: set[int] | frozenset[int],
    ) -> Receipt:
        """The receipt for ``stored`` (and ``displayed``) against a heartbeat's list."""
        held = sum(1 << i for i, s in enumerate(active) if s in stored)
        shown = sum(1 << i for i, s in enumerate(active) if s in stored and s in displayed)
        newer = tuple(sorted(s for s in stored if s > heartbeat))
        return cls(heartbeat, held, shown, newer)

    def resolve(self, active: tuple[int, ...]) -> Holdings:
        """What the point proved it holds, given the heartbeat's ``active`` list."""
        held = {s for i, s in enumerate(active) if self.held >> i & 1}
        shown = {s for i, s in enumerate(active) if self.shown >> i & 1 and s in held}
        return Holdings(
            held=frozenset(held | set(self.newer)),
            displayed=frozenset(shown),
            others=frozenset(self.others),
        )


@dataclass(frozen=True, slots=True)
class Holdings:
    """The hub's record of a point's receipt: bulletins it proved it holds and shows."""

    held: frozenset[int] = frozenset()
    displayed: frozenset[int] = frozenset()
    #: Other keys' bulletins (national) the receipt listed as stored.
    others: frozenset[BulletinRef] = frozenset()

    def holds(self, seq: int) -> bool:
        return seq in self.held


@dataclass(frozen=True, slots=True)
class StatusReport:
    point_id: int
    open: OpenState = OpenState.UNKNOWN
    power: PowerSource = PowerSource.UNKNOWN
    battery_pct: int | None = None
    visitors: int | None = None
    needs: Need = NO_NEEDS
    text: str = ""
    receipt: Receipt | None = None


# --- hub heartbeat --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heartbeat:
    #: Sequence numbers of the hub's active bulletins, ascending.
    active: tuple[int, ...] = ()
    interval_s: int = 0
    #: The region's status interval (seconds of hub time) and slots per interval.
    status_interval_s: int = 0
    slots: int = 0
    #: Point ids whose status the hub heard in the current status interval.
    heard: frozenset[int] = frozenset()


# --- trust ----------------------------------------------------------------------------


class Role(enum.IntEnum):
    UNKNOWN = 0
    ROOT = 1
    HUB = 2
    POINT = 3
    #: The national root (offline, like a region root): certifies only national keys.
    NATIONAL_ROOT = 4
    #: A national authority's key (e.g. the NCC): signs national bulletins.
    NATIONAL = 5


#: Roles a keyring pins rather than learns from certificates.
ROOT_ROLES = frozenset({Role.ROOT, Role.NATIONAL_ROOT})


@dataclass(frozen=True, slots=True)
class Certificate:
    """The region root's statement: this key belongs to this hub or point, for this window."""

    public_key: bytes
    role: Role
    name: str
    valid_from: int
    valid_until: int
    point_id: int = 0
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RevokedKey:
    key_id: int
    #: Messages with a higher sequence number are refused; 0 refuses all.
    last_good_seq: int = 0


@dataclass(frozen=True, slots=True)
class Revocation:
    keys: tuple[RevokedKey, ...]
    reason: str = ""


# --- repair ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FragmentNeed:
    message_id: bytes
    #: Bit i set: fragment i is missing.
    missing: int


@dataclass(frozen=True, slots=True)
class RepairRequest:
    seqs: tuple[int, ...] = ()
    fragments: tuple[FragmentNeed, ...] = ()
    certificates: tuple[int, ...] = ()
    issuer: int = 0
    #: Answer with a direct message (the broadcast answers did not arrive).
    direct: bool = False


# --- help requests --------------------------------------------------------------------


class HelpType(enum.IntEnum):
    OTHER = 0
    MEDICAL = 1
    FIRE = 2
    #: Someone who depends on power for medical equipment (oxygen, dialysis...) or care.
    VULNERABLE_PERSON = 3
    MISSING_PERSON = 4
    PUBLIC_ORDER = 5


class HelpUrgency(enum.IntEnum):
    UNKNOWN = 0
    LIFE_THREATENING = 1
    URGENT = 2
    NOT_URGENT = 3


class HelpState(enum.IntEnum):
    """A request's life; only ever moves forward (a higher number is a later state)."""

    UNKNOWN = 0
    RECEIVED = 1
    ACKNOWLEDGED = 2
    #: Help assigned, or the request answered with the operator's reply.
    ANSWERED = 3
    CLOSED = 4


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """Point -> hub. Its id is the envelope's (key id, sequence number).

    ``type_code`` is the number as sent: a type from a newer version is shown as
    :attr:`HelpType.OTHER` (:attr:`type`) but its code is kept, never lost.
    """

    type_code: int
    urgency: HelpUrgency
    people: int
    #: Key id of the hub the sealed part is for.
    to: int
    #: Location, free text and handler, sealed to the hub (relay.wire.help).
    sealed: bytes

    @property
    def type(self) -> HelpType:
        try:
            return HelpType(self.type_code)
        except ValueError:
            return HelpType.OTHER


@dataclass(frozen=True, slots=True)
class HelpUpdate:
    """Hub -> point: the whole current state of request ``(point, request)``."""

    point: int
    request: int
    state: HelpState
    #: The operator's reply and name, sealed to the point; empty when there is none.
    sealed: bytes = b""


@dataclass(frozen=True, slots=True)
class HelpAck:
    """Point -> hub: hub sequence numbers of the help updates that arrived."""

    updates: tuple[int, ...]


# --- federation -----------------------------------------------------------------------


class Attestation(enum.IntEnum):
    UNKNOWN = 0
    #: The hub verified each point's MAC (or signature) and countersigns what it read.
    HUB_CHECKED_POINTS = 1


@dataclass(frozen=True, slots=True)
class PointSummary:
    """One point's newest report as its hub verified it (``status.receipt`` is None:
    ``held`` and ``shown`` are the hub bulletins its receipt proved)."""

    point_id: int
    key_id: int
    seq: int
    time: int
    name: str
    status: StatusReport
    held: tuple[int, ...] = ()
    shown: tuple[int, ...] = ()
    #: National bulletins the point's receipt listed as stored.
    others: tuple[BulletinRef, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """Hub -> federation (MQTT only): the hub's countersignature over its points' status
    reports and receipts, which a third party cannot verify itself (they carry a MAC)."""

    region: str
    points: tuple[PointSummary, ...] = ()
    #: National bulletins the hub has broadcast over its radio.
    relayed: tuple[BulletinRef, ...] = ()
    attests: Attestation = Attestation.HUB_CHECKED_POINTS


Body = (
    Bulletin
    | StatusReport
    | Heartbeat
    | Certificate
    | Revocation
    | RepairRequest
    | Receipt
    | HelpRequest
    | HelpUpdate
    | HelpAck
    | StatusSummary
)


class Kind(enum.Enum):
    """Message kinds, named as the schema's ``body`` oneof fields."""

    BULLETIN = "bulletin"
    STATUS = "status"
    HEARTBEAT = "heartbeat"
    CERTIFICATE = "certificate"
    REVOCATION = "revocation"
    REPAIR = "repair"
    RECEIPT = "receipt"
    HELP_REQUEST = "help_request"
    HELP_UPDATE = "help_update"
    HELP_ACK = "help_ack"
    STATUS_SUMMARY = "status_summary"


KIND_OF: dict[type, Kind] = {
    Bulletin: Kind.BULLETIN,
    StatusReport: Kind.STATUS,
    Heartbeat: Kind.HEARTBEAT,
    Certificate: Kind.CERTIFICATE,
    Revocation: Kind.REVOCATION,
    RepairRequest: Kind.REPAIR,
    Receipt: Kind.RECEIPT,
    HelpRequest: Kind.HELP_REQUEST,
    HelpUpdate: Kind.HELP_UPDATE,
    HelpAck: Kind.HELP_ACK,
    StatusSummary: Kind.STATUS_SUMMARY,
}


def kind_of(body: Body) -> Kind:
    return KIND_OF[type(body)]


@dataclass(frozen=True, slots=True)
class Envelope:
    """The signed content of a message (everything but the signature)."""

    key_id: int
    seq: int
    time: int
    body: Body

    @property
    def kind(self) -> Kind:
        return kind_of(self.body)


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """A decoded message with its exact bytes: ``raw = signed + signature``."""

    envelope: Envelope
    raw: bytes

    @property
    def signed(self) -> bytes:
        return self.raw[:-64]

    @property
    def signature(self) -> bytes:
        return self.raw[-64:]

    @property
    def kind(self) -> Kind:
        return self.envelope.kind
