"""The Meshtastic adapter against emulated radios: each defended library behaviour."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import serial
from pubsub import pub

from relay.emulator.mesh import EmulatedMesh
from relay.errors import (
    ConfigTimeoutError,
    PortBusyError,
    PortNotFoundError,
    RadioError,
    SlotTakenError,
)
from relay.radio.meshtastic_adapter import AdapterOptions, MeshtasticTransport
from relay.radio.meshtastic_link import (
    TOPIC_DATA,
    MeshtasticLink,
    RadioUnreachableError,
    SerialEndpoint,
    TcpEndpoint,
)
from relay.radio.transport import BROADCAST, Frame, LinkState, SendStatus
from tests.emulator.raw_client import raw_handshake
from tests.emulator.scenarios import CHARLIE, DELTA, trio
from tests.helpers import eventually
from tests.radio.conftest import FAST, SPEED


class Recorder:
    def __init__(self, transport: MeshtasticTransport) -> None:
        self.frames: list[Frame] = []
        self.states: list[LinkState] = []
        transport.on_frame(self.frames.append)
        transport.on_state(self.states.append)

    def payloads(self) -> list[bytes]:
        return [f.payload for f in self.frames]


@asynccontextmanager
async def started(
    endpoint: TcpEndpoint | SerialEndpoint, options: AdapterOptions = FAST
) -> AsyncIterator[tuple[MeshtasticTransport, Recorder]]:
    transport = MeshtasticTransport(endpoint, options=options)
    recorder = Recorder(transport)
    await transport.start()
    try:
        yield transport, recorder
    finally:
        await transport.close()


def tcp(mesh: EmulatedMesh, name: str) -> TcpEndpoint:
    return TcpEndpoint("127.0.0.1", mesh[name].tcp_port)


# --- link losses ---------------------------------------------------------------------------


async def test_tcp_drop_mid_run_keeps_the_frame_and_reconnects(mesh: EmulatedMesh) -> None:
    async with (
        started(tcp(mesh, "alpha")) as (alpha, seen),
        started(tcp(mesh, "charlie")) as (
            _,
            charlie,
        ),
    ):
        mesh["alpha"].tcp.drop_client()  # type: ignore[union-attr]
        # The library would reconnect silently and drop this send in its gap.
        result = await alpha.send(b"during the gap")
        assert result.status is SendStatus.QUEUED
        assert seen.states[-3:] == [
            LinkState.CONNECTED,
            LinkState.DISCONNECTED,
            LinkState.CONNECTED,
        ]
        await eventually(lambda: b"during the gap" in charlie.payloads(), what="frame relayed")


async def test_dropped_by_the_device_reads_as_slot_taken(mesh: EmulatedMesh) -> None:
    async with started(tcp(mesh, "alpha")) as (alpha, seen):
        reader_writer = await raw_handshake(mesh["alpha"].tcp_port, 99)  # a second client
        try:
            await eventually(lambda: LinkState.DISCONNECTED in seen.states, what="kicked")
            assert isinstance(alpha.last_error, SlotTakenError)
            assert "another client" in str(alpha.last_error)
        finally:
            reader_writer[1].close()
            await reader_writer[1].wait_closed()
        await eventually(lambda: alpha.state is LinkState.CONNECTED, what="slot back")
        assert (await alpha.send(b"back")).status is SendStatus.QUEUED


async def test_device_gone_then_back(mesh: EmulatedMesh) -> None:
    server = mesh["alpha"].tcp
    assert server is not None
    async with (
        started(tcp(mesh, "alpha")) as (alpha, seen),
        started(tcp(mesh, "charlie")) as (
            _,
            charlie,
        ),
    ):
        await server.power_off()
        await eventually(lambda: alpha.state is LinkState.DISCONNECTED, what="link down")
        sending = asyncio.create_task(alpha.send(b"kept while gone"))
        await eventually(
            lambda: isinstance(alpha.last_error, RadioUnreachableError), what="reconnects refused"
        )
        assert not sending.done()  # never reported sent while the device is gone
        await server.start()
        result = await sending
        assert result.status is SendStatus.QUEUED
        await eventually(lambda: b"kept while gone" in charlie.payloads(), what="delivered")
        assert seen.states[-1] is LinkState.CONNECTED


async def test_serial_device_unplugged_and_replugged(mesh: EmulatedMesh, tmp_path: Path) -> None:
    pty = mesh["alpha"].pty
    assert pty is not None
    by_id = tmp_path / "usb-Heltec_Meshtastic-if00"  # like /dev/serial/by-id/...
    by_id.symlink_to(pty.path)
    async with started(SerialEndpoint(str(by_id))) as (alpha, seen):
        await pty.stop()
        await eventually(lambda: alpha.state is LinkState.DISCONNECTED, what="unplugged")
        sending = asyncio.create_task(alpha.send(b"after replug"))
        await pty.start()  # plugged in again: a new tty, the same by-id name
        by_id.unlink()
        by_id.symlink_to(pty.path)
        assert (await sending).status is SendStatus.QUEUED
        assert seen.states[-1] is LinkState.CONNECTED


async def test_send_timeout_hands_the_frame_back(mesh: EmulatedMesh) -> None:
    server = mesh["alpha"].tcp
    assert server is not None
    options = AdapterOptions(
        timeouts=FAST.timeouts,
        backoff=FAST.backoff,
        slot_backoff=FAST.slot_backoff,
        send_timeout_s=0.5,
    )
    async with started(tcp(mesh, "alpha"), options) as (alpha, _):
        await server.power_off()
        await eventually(lambda: alpha.state is LinkState.DISCONNECTED, what="link down")
        result = await alpha.send(b"caller keeps this")
        assert result.status is SendStatus.NOT_SENT
        assert "link down" in result.detail


async def test_full_send_queue_refuses_at_once(mesh: EmulatedMesh) -> None:
    server = mesh["alpha"].tcp
    assert server is not None
    options = AdapterOptions(timeouts=FAST.timeouts, backoff=FAST.backoff, max_pending=2)
    async with started(tcp(mesh, "alpha"), options) as (alpha, _):
        await server.power_off()
        await eventually(lambda: alpha.state is LinkState.DISCONNECTED, what="link down")
        waiting = [asyncio.create_task(alpha.send(bytes([n]))) for n in range(2)]
        await asyncio.sleep(0)
        refused = await alpha.send(b"one too many")
        assert refused.status is SendStatus.NOT_SENT and refused.detail == "send queue full"
    # closing hands the queued frames back: the caller still owns them
    assert [(await w).status for w in waiting] == [SendStatus.NOT_SENT] * 2


async def test_unconfirmed_frame_is_sent_again(
    mesh: EmulatedMesh, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No QueueStatus for a packet = not known to be sent: resend after reconnecting."""
    node = mesh["alpha"].node
    settle = node._settle_send
    lost: list[int] = []

    def lose_first(packet_id: int) -> None:
        if not lost:
            lost.append(packet_id)  # the confirmation is lost (with the link, say)
            node._capturing.pop(packet_id, None)
            return
        settle(packet_id)

    monkeypatch.setattr(node, "_settle_send", lose_first)
    async with (
        started(tcp(mesh, "alpha")) as (alpha, seen),
        started(tcp(mesh, "charlie")) as (
            _,
            charlie,
        ),
    ):
        result = await alpha.send(b"twice rather than never")
        assert result.status is SendStatus.QUEUED
        assert result.packet_id != lost[0]  # a new packet, after a reconnect
        assert LinkState.DISCONNECTED in seen.states
        await eventually(
            lambda: charlie.payloads().count(b"twice rather than never") == 2,
            what="both copies on the air (at least once)",
        )


# --- refusals ------------------------------------------------------------------------------


async def test_too_large_is_refused_by_the_radio(mesh: EmulatedMesh) -> None:
    async with started(tcp(mesh, "alpha")) as (alpha, _):
        assert alpha.max_payload == 231
        assert (await alpha.send(b"x" * 231)).status is SendStatus.QUEUED
        refused = await alpha.send(b"x" * 232)  # the library allows it; the firmware not
        assert refused.status is SendStatus.TOO_LARGE
        local = await alpha.send(b"x" * 300)  # the library would raise: refused here
        assert local.status is SendStatus.TOO_LARGE


async def test_duty_cycle_limit(no_leaks: None) -> None:
    scenario = trio(duty_cycle_percent=0.01)
    async with EmulatedMesh(scenario, seed=3, speed=SPEED) as small:
        alpha_sim = small.air.node("alpha").sim_node
        async with started(tcp(small, "alpha")) as (alpha, _):
            assert (await alpha.send(b"first")).status is SendStatus.QUEUED
            await eventually(lambda: alpha_sim.radio.counters.tx_packets >= 1, what="on air")
            refused = await alpha.send(b"second", want_ack=True)
            assert refused.status is SendStatus.DUTY_CYCLE_LIMIT


async def test_full_radio_queue_delays_instead_of_failing(no_leaks: None) -> None:
    """A one-slot transmit queue: frames wait for room; none is lost or reported failed."""
    async with (
        EmulatedMesh(trio(tx_queue_size=1), seed=3, speed=SPEED) as small,
        started(tcp(small, "alpha")) as (alpha, seen),
        started(tcp(small, "bravo")) as (_, bravo),
    ):
        payloads = [f"frame {n}".encode() for n in range(4)]
        results = await asyncio.gather(*(alpha.send(p) for p in payloads))
        assert {r.status for r in results} == {SendStatus.QUEUED}
        assert LinkState.DISCONNECTED not in seen.states
        # All four went on the air (none dropped by the full queue). Whether bravo hears
        # each is the air's business: a frame that arrives while bravo relays the one
        # before is lost there (half duplex), which a slow host made happen now and then.
        radio = small.air.node("alpha").sim_node.radio
        await eventually(lambda: radio.counters.tx_packets == 4, what="all four sent")
        await eventually(bravo.payloads, what="bravo hears them")
        assert set(bravo.payloads()) <= set(payloads)


async def test_unheard_dm_ends_in_max_retransmit(no_leaks: None) -> None:
    # bravo, alpha's only neighbour, never relays: no implicit ack, three tries, a NAK.
    async with (
        EmulatedMesh(trio(bravo_role="CLIENT_MUTE"), seed=3, speed=SPEED) as muted,
        started(tcp(muted, "alpha")) as (alpha, _),
    ):
        result = await alpha.send(b"anyone?", CHARLIE, want_ack=True)
        assert result.status is SendStatus.MAX_RETRANSMIT
        assert result.detail == "MAX_RETRANSMIT"


async def test_dm_relayed_but_never_acked_is_not_delivered(no_leaks: None) -> None:
    # To a known node out of everyone's range: bravo relays it (alpha overhears that: an
    # implicit ack, the firmware stops retrying), but no ack ever comes from delta.
    # (A node missing from the node database would be refused at once: firmware 2.7
    # sends DMs only PKI-encrypted, PKI_SEND_FAIL_PUBLIC_KEY without the key.)
    options = AdapterOptions(timeouts=FAST.timeouts, ack_s=5.0)
    async with (
        EmulatedMesh(trio(far_delta=True), seed=3, speed=SPEED) as relayed,
        started(tcp(relayed, "alpha"), options) as (alpha, _),
    ):
        result = await alpha.send(b"anyone?", DELTA, want_ack=True)
        # Only delta's ack proves delivery: the engine may send it again (DM_ACK_WAIT_S).
        assert result.status is SendStatus.MAX_RETRANSMIT
        assert result.detail.startswith("implicit ack only"), result


async def test_dm_ack_comes_from_the_destination(mesh: EmulatedMesh) -> None:
    async with started(tcp(mesh, "alpha")) as (alpha, _):
        result = await alpha.send(b"ack me", CHARLIE, want_ack=True)
        assert result.status is SendStatus.ACKED
        assert result.detail == f"acked by !{CHARLIE:08x}"


# --- clear errors at start -----------------------------------------------------------------


async def test_missing_serial_port(no_leaks: None, tmp_path: Path) -> None:
    transport = MeshtasticTransport(SerialEndpoint(str(tmp_path / "ttyACM9")), options=FAST)
    with pytest.raises(PortNotFoundError, match="no such serial device"):
        await transport.start()
    assert transport.state is LinkState.DISCONNECTED
    await transport.close()


async def test_busy_serial_port(mesh: EmulatedMesh) -> None:
    path = mesh["alpha"].serial_path
    holder = serial.Serial(path, 115200, exclusive=True)
    try:
        transport = MeshtasticTransport(SerialEndpoint(path), options=FAST)
        with pytest.raises(PortBusyError, match="in use by another program"):
            await transport.start()
        await transport.close()
    finally:
        holder.close()


async def test_nothing_listening(no_leaks: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = MeshtasticTransport(TcpEndpoint("127.0.0.1", port), options=FAST)
    with pytest.raises(RadioUnreachableError, match="connection refused"):
        await transport.start()
    await transport.close()


@asynccontextmanager
async def fake_device(behaviour: str) -> AsyncIterator[int]:
    """A TCP peer that accepts and then says nothing ('mute') or hangs up ('hangup')."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        if behaviour == "hangup":
            writer.close()
            return
        while await reader.read(4096):
            pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_device_that_never_finishes_its_handshake(no_leaks: None) -> None:
    options = AdapterOptions(timeouts=type(FAST.timeouts)(config_s=1.0, call_s=2.0))
    async with fake_device("mute") as port:
        transport = MeshtasticTransport(TcpEndpoint("127.0.0.1", port), options=options)
        with pytest.raises(ConfigTimeoutError, match="did not finish its configuration"):
            await transport.start()  # in 1 s, not the library's fixed 30 s
        await transport.close()


async def test_device_that_hangs_up_at_once(no_leaks: None) -> None:
    async with fake_device("hangup") as port:
        transport = MeshtasticTransport(TcpEndpoint("127.0.0.1", port), options=FAST)
        with pytest.raises(SlotTakenError):
            await transport.start()
        await transport.close()


# --- library confinement -------------------------------------------------------------------


async def test_our_callback_errors_are_logged_not_lost(
    mesh: EmulatedMesh, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        started(tcp(mesh, "alpha")) as (alpha, _),
        started(tcp(mesh, "bravo")) as (
            bravo,
            _,
        ),
    ):

        def broken(frame: Frame) -> None:
            raise ValueError("bug in a handler")

        bravo.on_frame(broken)
        after: list[Frame] = []
        bravo.on_frame(after.append)
        with caplog.at_level(logging.ERROR):
            await alpha.send(b"hello")
            await eventually(lambda: after, what="later handler still called")
        assert "a frame handler failed" in caplog.text
        assert "bug in a handler" in caplog.text
        frame = after[0]
        assert frame.sender == alpha.node_num and frame.destination == BROADCAST
        assert frame.hops == 0 and frame.snr is not None


async def test_close_right_after_start_is_clean(
    mesh: EmulatedMesh, capfd: pytest.CaptureFixture[str]
) -> None:
    for endpoint in (tcp(mesh, "alpha"), SerialEndpoint(mesh["charlie"].serial_path)):
        transport = MeshtasticTransport(endpoint, options=FAST)
        await transport.start()
        await transport.close()
        await transport.close()  # twice is fine
        assert transport.state is LinkState.CLOSED
    err = capfd.readouterr().err
    assert "Broken pipe" not in err and "Traceback" not in err


def _listeners(topic_name: str) -> int:
    topic: Any = pub.getDefaultTopicMgr().getTopic(topic_name, okIfNone=True)
    return 0 if topic is None else len(topic.getListeners())


async def test_listeners_are_unsubscribed_on_close(mesh: EmulatedMesh) -> None:
    before = _listeners(TOPIC_DATA)
    async with started(tcp(mesh, "alpha")):
        assert _listeners(TOPIC_DATA) == before + 1
    assert _listeners(TOPIC_DATA) == before


async def test_library_exit_never_escapes(no_leaks: None) -> None:
    link = MeshtasticLink(TcpEndpoint("127.0.0.1", 9), _NoEvents(), asyncio.get_running_loop())
    try:
        with pytest.raises(RadioError, match="library gave up"):
            await link._call(lambda: sys.exit("Warning: A non-zero port number"), 2.0)
    finally:
        await link.close()


async def test_a_send_stuck_in_the_library_is_released(mesh: EmulatedMesh) -> None:
    """sendData blocks 30 s once the library thinks the link is down; we do not."""
    options = type(FAST.timeouts)(call_s=0.5)
    link = MeshtasticLink(tcp(mesh, "alpha"), _NoEvents(), asyncio.get_running_loop(), options)
    await link.open()
    try:
        link._iface.isConnected.clear()  # the library's state after a loss we did not see
        with pytest.raises(RadioError, match="send did not return"):
            await link.send(b"stuck", BROADCAST, False, None)
    finally:
        await link.close()
    assert not link.worker_alive


class _NoEvents:
    def link_frame(self, frame: object) -> None:
        pass

    def link_queue_status(self, event: object) -> None:
        pass

    def link_routing(self, event: object) -> None:
        pass
