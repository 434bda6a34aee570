"""The unmodified meshtastic library against emulated nodes over the simulated air."""

from __future__ import annotations

from relay.emulator.mesh import EmulatedMesh
from tests.emulator.library_client import LibraryClient
from tests.emulator.scenarios import ALPHA, BRAVO, CHARLIE
from tests.helpers import eventually, in_thread


async def test_tcp_handshake_gives_node_db_and_config(mesh: EmulatedMesh) -> None:
    client = await LibraryClient.tcp(mesh["alpha"].tcp_port)
    try:
        iface = client.iface
        assert iface.myInfo.my_node_num == ALPHA
        assert set(iface.nodes) == {"!0a000001", "!0a000002", "!0a000003"}
        assert iface.getLongName() == "alpha"
        assert iface.localNode.localConfig.lora.hop_limit == 3
        assert iface.metadata.firmware_version.startswith("2.7.")
        assert len(iface.localNode.channels) == 8
        position = iface.nodes["!0a000001"]["position"]
        assert round(position["latitude"], 2) == 52.09
    finally:
        await client.close()


async def test_dm_over_two_hops_gets_a_real_ack(mesh: EmulatedMesh) -> None:
    alpha = await LibraryClient.tcp(mesh["alpha"].tcp_port)
    charlie = await LibraryClient.tcp(mesh["charlie"].tcp_port)
    try:
        sent = await in_thread(
            lambda: alpha.iface.sendData(
                b"status ok", destinationId=CHARLIE, portNum=256, wantAck=True
            )
        )
        await eventually(lambda: charlie.packets("PRIVATE_APP"), what="DM delivered")
        got = charlie.packets("PRIVATE_APP")[0]
        assert got["decoded"]["payload"] == b"status ok"
        assert got["from"] == ALPHA and got["to"] == CHARLIE
        assert got["fromId"] == "!0a000001"
        assert got["hopStart"] - got.get("hopLimit", 0) == 1  # relayed once, by bravo

        def real_ack() -> bool:
            return any(p["from"] == CHARLIE for p in alpha.routing_for(sent.id))

        await eventually(real_ack, what="ack from charlie")
        ack = next(p for p in alpha.routing_for(sent.id) if p["from"] == CHARLIE)
        assert ack["decoded"]["routing"].get("errorReason", "NONE") == "NONE"
    finally:
        await alpha.close()
        await charlie.close()


async def test_broadcast_reaches_a_serial_client(mesh: EmulatedMesh) -> None:
    alpha = await LibraryClient.tcp(mesh["alpha"].tcp_port)
    bravo = await LibraryClient.serial(mesh["bravo"].serial_path)
    try:
        assert bravo.iface.myInfo.my_node_num == BRAVO
        await in_thread(lambda: alpha.iface.sendText("stroom uitgevallen"))
        await eventually(lambda: bravo.packets("TEXT_MESSAGE_APP"), what="text at bravo")
        text = bravo.packets("TEXT_MESSAGE_APP")[0]
        assert text["decoded"]["text"] == "stroom uitgevallen"
        assert text["toId"] == "^all"
        assert "rxSnr" in text
    finally:
        await alpha.close()
        await bravo.close()


async def test_broadcast_want_ack_gets_implicit_ack_from_own_node(mesh: EmulatedMesh) -> None:
    alpha = await LibraryClient.tcp(mesh["alpha"].tcp_port)
    try:
        sent = await in_thread(lambda: alpha.iface.sendData(b"bulletin", portNum=256, wantAck=True))
        await eventually(lambda: alpha.routing_for(sent.id), what="implicit ack")
        ack = alpha.routing_for(sent.id)[0]
        # The firmware reports an implicit ack (bravo relayed it) as coming from us.
        assert ack["from"] == ALPHA
    finally:
        await alpha.close()
