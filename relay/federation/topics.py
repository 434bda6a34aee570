"""Topic names, and which kind of signed message may travel on which (pure).

``<prefix>/<region>/bulletin``: a hub's bulletins, exact signed bytes (QoS 1).
``<prefix>/<region>/status``: the hub's countersigned status summaries (QoS 1).
``<prefix>/<region>/cert``: the hub's certificate, retained, so a third party can verify.
``<prefix>/national/...``: the same for the national key (bulletins, its certificate).
"""

from __future__ import annotations

from dataclasses import dataclass

from relay.errors import WrongTopicError
from relay.wire.model import Kind

BULLETIN = "bulletin"
STATUS = "status"
CERT = "cert"
#: Which kind each channel carries; anything else on it is refused.
KIND_ON: dict[str, Kind] = {
    BULLETIN: Kind.BULLETIN,
    STATUS: Kind.STATUS_SUMMARY,
    CERT: Kind.CERTIFICATE,
}


@dataclass(frozen=True, slots=True)
class Topic:
    region: str
    channel: str


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str

    def of(self, region: str, channel: str) -> str:
        return f"{self.prefix}/{region}/{channel}"

    def every_region(self) -> str:
        """The national node's subscription: every region's channels."""
        return f"{self.prefix}/+/#"

    def parse(self, topic: str) -> Topic:
        """The region and channel of ``topic``; :class:`WrongTopicError` for any other."""
        head = f"{self.prefix}/"
        rest = topic.removeprefix(head) if topic.startswith(head) else None
        parts = rest.split("/") if rest else []
        if len(parts) != 2 or not parts[0] or parts[1] not in KIND_ON:
            raise WrongTopicError(f"{topic!r} is not a noodrelay federation topic")
        return Topic(parts[0], parts[1])

    def check_kind(self, topic: Topic, kind: Kind) -> None:
        """A message must be of the kind its channel carries."""
        if KIND_ON[topic.channel] is not kind:
            raise WrongTopicError(
                f"a {kind.value} on {self.of(topic.region, topic.channel)}, which carries "
                f"only {KIND_ON[topic.channel].value} messages"
            )
