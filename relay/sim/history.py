"""The firmware's ``PacketHistory``: which packets a node has seen, and who relayed them.

A record per (original sender, packet id) holds the highest hop limit seen, the hop
limit we relayed with, the next hop the packet asked for, and up to six relayers (by
the last byte of their node number, as the header carries them). Duplicate suppression,
hop-limit upgrades, flooding fallback and next-hop learning all read it. When full, the
oldest record is replaced.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from relay.sim.frames import NO_NEXT_HOP, AirFrame

NUM_RELAYERS = 6


@dataclass(slots=True)
class PacketRecord:
    sender: int
    id: int
    next_hop: int
    highest_hop_limit: int
    our_tx_hop_limit: int = 0
    relayed_by: list[int] = field(default_factory=list)

    def was_relayer(self, relayer: int) -> tuple[bool, bool]:
        """(relayer is listed, relayer is the only one listed)."""
        found = relayer in self.relayed_by
        return found, found and all(r == relayer for r in self.relayed_by)


@dataclass(frozen=True, slots=True)
class SeenResult:
    seen: bool
    upgraded: bool = False
    fallback: bool = False
    we_were_next_hop: bool = False


NOT_SEEN = SeenResult(seen=False)


class PacketHistory:
    def __init__(self, own_num: int, capacity: int = 300) -> None:
        self._own = own_num
        self._own_relay_id = own_num & 0xFF
        self._capacity = capacity
        self._records: OrderedDict[tuple[int, int], PacketRecord] = OrderedDict()

    def find(self, sender: int, packet_id: int) -> PacketRecord | None:
        return self._records.get((sender, packet_id))

    def was_seen_recently(self, frame: AirFrame, update: bool = True) -> SeenResult:
        """wasSeenRecently(): look the frame up and (by default) record this sighting."""
        if frame.id == 0:
            return NOT_SEEN
        key = (frame.src, frame.id)
        found = self._records.get(key)
        if found is None:
            if update:
                self._insert(self._new_record(frame))
            return NOT_SEEN
        ours = self._own_relay_id
        result = SeenResult(
            seen=True,
            upgraded=found.highest_hop_limit < frame.hop_limit,
            fallback=self._is_fallback(found, frame),
            we_were_next_hop=found.next_hop == ours,
        )
        if update:
            self._merge(found, frame)
            self._records.move_to_end(key)
        return result

    def _new_record(self, frame: AirFrame) -> PacketRecord:
        record = PacketRecord(frame.src, frame.id, frame.next_hop, frame.hop_limit)
        if frame.relay_node == self._own_relay_id:
            record.our_tx_hop_limit = frame.hop_limit
            record.relayed_by.append(self._own_relay_id)
        return record

    def _is_fallback(self, found: PacketRecord, frame: AirFrame) -> bool:
        """Seen first with a next hop that was not us, now flooded by a node that relayed it."""
        ours = self._own_relay_id
        return (
            found.sender != self._own
            and found.next_hop not in (NO_NEXT_HOP, ours)
            and frame.next_hop == NO_NEXT_HOP
            and frame.relay_node in found.relayed_by
            and ours not in found.relayed_by
            and found.next_hop not in found.relayed_by
        )

    def _merge(self, found: PacketRecord, frame: AirFrame) -> None:
        """Update a record in place: the original next hop stays, relayers accumulate."""
        ours = self._own_relay_id
        newest: int | None = None
        if frame.relay_node == ours:
            found.our_tx_hop_limit = frame.hop_limit
            newest = ours
        elif ours in found.relayed_by and frame.hop_limit in (
            found.our_tx_hop_limit,
            found.our_tx_hop_limit - 1,
        ):
            # A relayer is only recorded when it heard us directly (one hop less than we sent).
            newest = frame.relay_node
        if newest:
            rest = [r for r in found.relayed_by if r != newest]
            found.relayed_by = [newest, *rest][:NUM_RELAYERS]
        found.highest_hop_limit = max(found.highest_hop_limit, frame.hop_limit)

    def _insert(self, record: PacketRecord) -> None:
        self._records[(record.sender, record.id)] = record
        while len(self._records) > self._capacity:
            self._records.popitem(last=False)

    def was_relayer(self, relayer: int, packet_id: int, sender: int) -> tuple[bool, bool]:
        if relayer == 0:
            return False, False
        record = self.find(sender, packet_id)
        return record.was_relayer(relayer) if record else (False, False)

    def remove_relayer(self, relayer: int, packet_id: int, sender: int) -> None:
        record = self.find(sender, packet_id)
        if record is not None:
            record.relayed_by = [r for r in record.relayed_by if r != relayer]
