from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MsgType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT: _ClassVar[MsgType]
    UPDATE: _ClassVar[MsgType]
    CANCEL: _ClassVar[MsgType]

class Urgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    URGENCY_UNKNOWN: _ClassVar[Urgency]
    IMMEDIATE: _ClassVar[Urgency]
    EXPECTED: _ClassVar[Urgency]
    FUTURE: _ClassVar[Urgency]
    PAST: _ClassVar[Urgency]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNKNOWN: _ClassVar[Severity]
    EXTREME: _ClassVar[Severity]
    SEVERE: _ClassVar[Severity]
    MODERATE: _ClassVar[Severity]
    MINOR: _ClassVar[Severity]

class Certainty(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CERTAINTY_UNKNOWN: _ClassVar[Certainty]
    OBSERVED: _ClassVar[Certainty]
    LIKELY: _ClassVar[Certainty]
    POSSIBLE: _ClassVar[Certainty]
    UNLIKELY: _ClassVar[Certainty]

class AlertStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTUAL: _ClassVar[AlertStatus]
    EXERCISE: _ClassVar[AlertStatus]
    TEST: _ClassVar[AlertStatus]

class OpenState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPEN_UNKNOWN: _ClassVar[OpenState]
    OPEN: _ClassVar[OpenState]
    LIMITED: _ClassVar[OpenState]
    CLOSED: _ClassVar[OpenState]

class PowerSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POWER_UNKNOWN: _ClassVar[PowerSource]
    GRID: _ClassVar[PowerSource]
    GENERATOR: _ClassVar[PowerSource]
    BATTERY: _ClassVar[PowerSource]
    NO_POWER: _ClassVar[PowerSource]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNKNOWN: _ClassVar[Role]
    ROOT: _ClassVar[Role]
    HUB: _ClassVar[Role]
    POINT: _ClassVar[Role]
    NATIONAL_ROOT: _ClassVar[Role]
    NATIONAL: _ClassVar[Role]

class HelpType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HELP_OTHER: _ClassVar[HelpType]
    MEDICAL: _ClassVar[HelpType]
    FIRE: _ClassVar[HelpType]
    VULNERABLE_PERSON: _ClassVar[HelpType]
    MISSING_PERSON: _ClassVar[HelpType]
    PUBLIC_ORDER: _ClassVar[HelpType]

class HelpUrgency(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HELP_URGENCY_UNKNOWN: _ClassVar[HelpUrgency]
    LIFE_THREATENING: _ClassVar[HelpUrgency]
    URGENT: _ClassVar[HelpUrgency]
    NOT_URGENT: _ClassVar[HelpUrgency]

class HelpState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HELP_STATE_UNKNOWN: _ClassVar[HelpState]
    HELP_RECEIVED: _ClassVar[HelpState]
    HELP_ACKNOWLEDGED: _ClassVar[HelpState]
    HELP_ANSWERED: _ClassVar[HelpState]
    HELP_CLOSED: _ClassVar[HelpState]

class Attestation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ATTESTATION_UNKNOWN: _ClassVar[Attestation]
    HUB_CHECKED_POINTS: _ClassVar[Attestation]
ALERT: MsgType
UPDATE: MsgType
CANCEL: MsgType
URGENCY_UNKNOWN: Urgency
IMMEDIATE: Urgency
EXPECTED: Urgency
FUTURE: Urgency
PAST: Urgency
SEVERITY_UNKNOWN: Severity
EXTREME: Severity
SEVERE: Severity
MODERATE: Severity
MINOR: Severity
CERTAINTY_UNKNOWN: Certainty
OBSERVED: Certainty
LIKELY: Certainty
POSSIBLE: Certainty
UNLIKELY: Certainty
ACTUAL: AlertStatus
EXERCISE: AlertStatus
TEST: AlertStatus
OPEN_UNKNOWN: OpenState
OPEN: OpenState
LIMITED: OpenState
CLOSED: OpenState
POWER_UNKNOWN: PowerSource
GRID: PowerSource
GENERATOR: PowerSource
BATTERY: PowerSource
NO_POWER: PowerSource
ROLE_UNKNOWN: Role
ROOT: Role
HUB: Role
POINT: Role
NATIONAL_ROOT: Role
NATIONAL: Role
HELP_OTHER: HelpType
MEDICAL: HelpType
FIRE: HelpType
VULNERABLE_PERSON: HelpType
MISSING_PERSON: HelpType
PUBLIC_ORDER: HelpType
HELP_URGENCY_UNKNOWN: HelpUrgency
LIFE_THREATENING: HelpUrgency
URGENT: HelpUrgency
NOT_URGENT: HelpUrgency
HELP_STATE_UNKNOWN: HelpState
HELP_RECEIVED: HelpState
HELP_ACKNOWLEDGED: HelpState
HELP_ANSWERED: HelpState
HELP_CLOSED: HelpState
ATTESTATION_UNKNOWN: Attestation
HUB_CHECKED_POINTS: Attestation

class Envelope(_message.Message):
    __slots__ = ("key_id", "seq", "time", "bulletin", "status", "heartbeat", "certificate", "revocation", "repair", "receipt", "help_request", "help_update", "help_ack", "status_summary")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    BULLETIN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    REVOCATION_FIELD_NUMBER: _ClassVar[int]
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    HELP_REQUEST_FIELD_NUMBER: _ClassVar[int]
    HELP_UPDATE_FIELD_NUMBER: _ClassVar[int]
    HELP_ACK_FIELD_NUMBER: _ClassVar[int]
    STATUS_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    key_id: int
    seq: int
    time: int
    bulletin: Bulletin
    status: StatusReport
    heartbeat: Heartbeat
    certificate: Certificate
    revocation: Revocation
    repair: RepairRequest
    receipt: Receipt
    help_request: HelpRequest
    help_update: HelpUpdate
    help_ack: HelpAck
    status_summary: StatusSummary
    def __init__(self, key_id: _Optional[int] = ..., seq: _Optional[int] = ..., time: _Optional[int] = ..., bulletin: _Optional[_Union[Bulletin, _Mapping]] = ..., status: _Optional[_Union[StatusReport, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ..., revocation: _Optional[_Union[Revocation, _Mapping]] = ..., repair: _Optional[_Union[RepairRequest, _Mapping]] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., help_request: _Optional[_Union[HelpRequest, _Mapping]] = ..., help_update: _Optional[_Union[HelpUpdate, _Mapping]] = ..., help_ack: _Optional[_Union[HelpAck, _Mapping]] = ..., status_summary: _Optional[_Union[StatusSummary, _Mapping]] = ...) -> None: ...

class Bulletin(_message.Message):
    __slots__ = ("type", "references", "urgency", "severity", "certainty", "categories", "expires_in", "target", "text", "template", "template_numbers", "template_texts", "status")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CERTAINTY_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_TEXTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    type: MsgType
    references: _containers.RepeatedScalarFieldContainer[int]
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    categories: int
    expires_in: int
    target: Target
    text: bytes
    template: int
    template_numbers: _containers.RepeatedScalarFieldContainer[int]
    template_texts: bytes
    status: AlertStatus
    def __init__(self, type: _Optional[_Union[MsgType, str]] = ..., references: _Optional[_Iterable[int]] = ..., urgency: _Optional[_Union[Urgency, str]] = ..., severity: _Optional[_Union[Severity, str]] = ..., certainty: _Optional[_Union[Certainty, str]] = ..., categories: _Optional[int] = ..., expires_in: _Optional[int] = ..., target: _Optional[_Union[Target, _Mapping]] = ..., text: _Optional[bytes] = ..., template: _Optional[int] = ..., template_numbers: _Optional[_Iterable[int]] = ..., template_texts: _Optional[bytes] = ..., status: _Optional[_Union[AlertStatus, str]] = ...) -> None: ...

class Target(_message.Message):
    __slots__ = ("points", "groups")
    POINTS_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    points: _containers.RepeatedScalarFieldContainer[int]
    groups: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, points: _Optional[_Iterable[int]] = ..., groups: _Optional[_Iterable[str]] = ...) -> None: ...

class StatusReport(_message.Message):
    __slots__ = ("point_id", "open", "power", "battery_pct", "visitors", "needs", "text", "receipt")
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    BATTERY_PCT_FIELD_NUMBER: _ClassVar[int]
    VISITORS_FIELD_NUMBER: _ClassVar[int]
    NEEDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    point_id: int
    open: OpenState
    power: PowerSource
    battery_pct: int
    visitors: int
    needs: int
    text: bytes
    receipt: Receipt
    def __init__(self, point_id: _Optional[int] = ..., open: _Optional[_Union[OpenState, str]] = ..., power: _Optional[_Union[PowerSource, str]] = ..., battery_pct: _Optional[int] = ..., visitors: _Optional[int] = ..., needs: _Optional[int] = ..., text: _Optional[bytes] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("issuer", "heartbeat", "held", "shown", "newer", "others")
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    SHOWN_FIELD_NUMBER: _ClassVar[int]
    NEWER_FIELD_NUMBER: _ClassVar[int]
    OTHERS_FIELD_NUMBER: _ClassVar[int]
    issuer: int
    heartbeat: int
    held: bytes
    shown: bytes
    newer: _containers.RepeatedScalarFieldContainer[int]
    others: _containers.RepeatedCompositeFieldContainer[BulletinRef]
    def __init__(self, issuer: _Optional[int] = ..., heartbeat: _Optional[int] = ..., held: _Optional[bytes] = ..., shown: _Optional[bytes] = ..., newer: _Optional[_Iterable[int]] = ..., others: _Optional[_Iterable[_Union[BulletinRef, _Mapping]]] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("active", "interval", "status_interval", "slots", "heard")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    HEARD_FIELD_NUMBER: _ClassVar[int]
    active: _containers.RepeatedScalarFieldContainer[int]
    interval: int
    status_interval: int
    slots: int
    heard: bytes
    def __init__(self, active: _Optional[_Iterable[int]] = ..., interval: _Optional[int] = ..., status_interval: _Optional[int] = ..., slots: _Optional[int] = ..., heard: _Optional[bytes] = ...) -> None: ...

class Certificate(_message.Message):
    __slots__ = ("public_key", "role", "name", "point_id", "valid_from", "valid_until", "groups")
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    public_key: bytes
    role: Role
    name: str
    point_id: int
    valid_from: int
    valid_until: int
    groups: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, public_key: _Optional[bytes] = ..., role: _Optional[_Union[Role, str]] = ..., name: _Optional[str] = ..., point_id: _Optional[int] = ..., valid_from: _Optional[int] = ..., valid_until: _Optional[int] = ..., groups: _Optional[_Iterable[str]] = ...) -> None: ...

class RevokedKey(_message.Message):
    __slots__ = ("key_id", "last_good_seq")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_GOOD_SEQ_FIELD_NUMBER: _ClassVar[int]
    key_id: int
    last_good_seq: int
    def __init__(self, key_id: _Optional[int] = ..., last_good_seq: _Optional[int] = ...) -> None: ...

class Revocation(_message.Message):
    __slots__ = ("keys", "reason")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[RevokedKey]
    reason: str
    def __init__(self, keys: _Optional[_Iterable[_Union[RevokedKey, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class FragmentNeed(_message.Message):
    __slots__ = ("message_id", "missing")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    message_id: bytes
    missing: int
    def __init__(self, message_id: _Optional[bytes] = ..., missing: _Optional[int] = ...) -> None: ...

class RepairRequest(_message.Message):
    __slots__ = ("issuer", "seqs", "fragments", "certificates", "direct")
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    SEQS_FIELD_NUMBER: _ClassVar[int]
    FRAGMENTS_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    DIRECT_FIELD_NUMBER: _ClassVar[int]
    issuer: int
    seqs: _containers.RepeatedScalarFieldContainer[int]
    fragments: _containers.RepeatedCompositeFieldContainer[FragmentNeed]
    certificates: _containers.RepeatedScalarFieldContainer[int]
    direct: bool
    def __init__(self, issuer: _Optional[int] = ..., seqs: _Optional[_Iterable[int]] = ..., fragments: _Optional[_Iterable[_Union[FragmentNeed, _Mapping]]] = ..., certificates: _Optional[_Iterable[int]] = ..., direct: _Optional[bool] = ...) -> None: ...

class HelpRequest(_message.Message):
    __slots__ = ("type", "urgency", "people", "to", "sealed")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    PEOPLE_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    SEALED_FIELD_NUMBER: _ClassVar[int]
    type: HelpType
    urgency: HelpUrgency
    people: int
    to: int
    sealed: bytes
    def __init__(self, type: _Optional[_Union[HelpType, str]] = ..., urgency: _Optional[_Union[HelpUrgency, str]] = ..., people: _Optional[int] = ..., to: _Optional[int] = ..., sealed: _Optional[bytes] = ...) -> None: ...

class HelpUpdate(_message.Message):
    __slots__ = ("point", "request", "state", "sealed")
    POINT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SEALED_FIELD_NUMBER: _ClassVar[int]
    point: int
    request: int
    state: HelpState
    sealed: bytes
    def __init__(self, point: _Optional[int] = ..., request: _Optional[int] = ..., state: _Optional[_Union[HelpState, str]] = ..., sealed: _Optional[bytes] = ...) -> None: ...

class HelpAck(_message.Message):
    __slots__ = ("updates",)
    UPDATES_FIELD_NUMBER: _ClassVar[int]
    updates: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, updates: _Optional[_Iterable[int]] = ...) -> None: ...

class CompactStatus(_message.Message):
    __slots__ = ("key_id", "seq", "hub", "status", "carry")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    HUB_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CARRY_FIELD_NUMBER: _ClassVar[int]
    key_id: int
    seq: int
    hub: int
    status: StatusReport
    carry: bool
    def __init__(self, key_id: _Optional[int] = ..., seq: _Optional[int] = ..., hub: _Optional[int] = ..., status: _Optional[_Union[StatusReport, _Mapping]] = ..., carry: _Optional[bool] = ...) -> None: ...

class PointSummary(_message.Message):
    __slots__ = ("point_id", "key_id", "seq", "time", "name", "status", "held", "shown", "others")
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    SHOWN_FIELD_NUMBER: _ClassVar[int]
    OTHERS_FIELD_NUMBER: _ClassVar[int]
    point_id: int
    key_id: int
    seq: int
    time: int
    name: str
    status: StatusReport
    held: _containers.RepeatedScalarFieldContainer[int]
    shown: _containers.RepeatedScalarFieldContainer[int]
    others: _containers.RepeatedCompositeFieldContainer[BulletinRef]
    def __init__(self, point_id: _Optional[int] = ..., key_id: _Optional[int] = ..., seq: _Optional[int] = ..., time: _Optional[int] = ..., name: _Optional[str] = ..., status: _Optional[_Union[StatusReport, _Mapping]] = ..., held: _Optional[_Iterable[int]] = ..., shown: _Optional[_Iterable[int]] = ..., others: _Optional[_Iterable[_Union[BulletinRef, _Mapping]]] = ...) -> None: ...

class BulletinRef(_message.Message):
    __slots__ = ("key_id", "seq")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    key_id: int
    seq: int
    def __init__(self, key_id: _Optional[int] = ..., seq: _Optional[int] = ...) -> None: ...

class StatusSummary(_message.Message):
    __slots__ = ("region", "attests", "points", "relayed")
    REGION_FIELD_NUMBER: _ClassVar[int]
    ATTESTS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    RELAYED_FIELD_NUMBER: _ClassVar[int]
    region: str
    attests: Attestation
    points: _containers.RepeatedCompositeFieldContainer[PointSummary]
    relayed: _containers.RepeatedCompositeFieldContainer[BulletinRef]
    def __init__(self, region: _Optional[str] = ..., attests: _Optional[_Union[Attestation, str]] = ..., points: _Optional[_Iterable[_Union[PointSummary, _Mapping]]] = ..., relayed: _Optional[_Iterable[_Union[BulletinRef, _Mapping]]] = ...) -> None: ...
