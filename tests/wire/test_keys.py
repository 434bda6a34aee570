"""Key files: modes, formats, refusal to overwrite, the sequence counter."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from relay.errors import InsecureKeyFileError, KeyFileError
from relay.wire.keys import (
    PrivateKey,
    format_key_id,
    key_id_of,
    load_private,
    load_public,
    parse_public,
    save_keypair,
)
from relay.wire.model import Role
from relay.wire.sequence import SequenceCounter


def test_private_key_is_written_0600_and_loads(tmp_path: Path) -> None:
    key = PrivateKey.generate("np-017", Role.POINT)
    key_path, pub_path = save_keypair(key, tmp_path)
    assert (key_path.stat().st_mode & 0o777) == 0o600
    loaded = load_private(key_path)
    assert loaded.public == key.public
    assert loaded.role is Role.POINT and loaded.name == "np-017"
    assert load_public(pub_path).key_id == key.key_id


def test_readable_private_key_is_refused(tmp_path: Path) -> None:
    key_path, _ = save_keypair(PrivateKey.generate("hub", Role.HUB), tmp_path)
    key_path.chmod(0o644)
    with pytest.raises(InsecureKeyFileError, match="chmod 600"):
        load_private(key_path)


def test_never_overwrites_a_key(tmp_path: Path) -> None:
    save_keypair(PrivateKey.generate("hub", Role.HUB), tmp_path)
    with pytest.raises(KeyFileError, match="exists already"):
        save_keypair(PrivateKey.generate("hub", Role.HUB), tmp_path)


def test_key_id_is_a_hash_prefix() -> None:
    assert key_id_of(bytes(32)) == 0x66687AAD
    assert format_key_id(0x0000ABCD) == "0000abcd"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("hello", "not a noodrelay public key"),
        ("noodrelay-public-key v1\nname: x\n", "missing or malformed"),
        ("noodrelay-public-key v1\nkey: !!!\n", "missing or malformed"),
        ("noodrelay-public-key v1\nkey: AAAA\n", "32 bytes"),
    ],
)
def test_bad_public_key_files(text: str, match: str) -> None:
    with pytest.raises(KeyFileError, match=match):
        parse_public(text)


def test_pub_file_must_belong_to_key(tmp_path: Path) -> None:
    a_key, _ = save_keypair(PrivateKey.generate("a", Role.HUB), tmp_path / "a")
    _, b_pub = save_keypair(PrivateKey.generate("a", Role.HUB), tmp_path / "b")
    (tmp_path / "a" / "a.pub").write_text(b_pub.read_text())
    with pytest.raises(KeyFileError, match="does not belong"):
        load_private(a_key)


def test_garbage_private_key(tmp_path: Path) -> None:
    path = tmp_path / "x.key"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="PKCS#8"):
        load_private(path)


def test_sequence_counter_persists(tmp_path: Path) -> None:
    c = SequenceCounter(tmp_path / "hub.seq")
    assert [c.next(), c.next(), c.next()] == [1, 2, 3]
    assert SequenceCounter(tmp_path / "hub.seq").next() == 4
    c.advance_to(100)
    assert c.next() == 101
    c.advance_to(50)
    assert c.current() == 101


def _draw(path: str, n: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    c = SequenceCounter(Path(path))
    out.put([c.next() for _ in range(n)])


def test_sequence_counter_never_repeats_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.seq")
    q: multiprocessing.Queue[list[int]] = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_draw, args=(path, 40, q)) for _ in range(4)]
    for p in procs:
        p.start()
    numbers = [n for _ in procs for n in q.get(timeout=60)]
    for p in procs:
        p.join()
    assert sorted(numbers) == list(range(1, 161))


def test_damaged_counter_is_an_error_not_a_reset(tmp_path: Path) -> None:
    path = tmp_path / "hub.seq"
    path.write_text("12x\n")
    with pytest.raises(KeyFileError, match="damaged"):
        SequenceCounter(path).next()


def test_unwritable_counter_is_a_clear_error(tmp_path: Path) -> None:
    # A directory where the counter file should be: even root cannot replace it.
    (tmp_path / "hub.seq").mkdir()
    with pytest.raises(KeyFileError, match=r"hub\.seq"):
        SequenceCounter(tmp_path / "hub.seq").next()
