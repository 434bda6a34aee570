"""The check on load: nothing read back from the store is trusted more than the air.

A bulletin edited in ``relay.db`` while the daemon was stopped used to be shown as
verified, and a row whose first byte was wrong stopped start-up without naming the
store. At start-up every kept signed message (bulletins, certificates, revocations, help
requests and updates) is parsed again, before the keyring is built from the store, and
its signature verified again, after. A message that fails is moved to the store's
quarantine table with a log line naming the store file and the row, and the daemon
serves the rest. A quarantined bulletin is then simply missing, so the point asks for it
again like any other gap; a help request keeps its other fields, as after erasure.
"""

from __future__ import annotations

import logging
import time

from relay.errors import CorruptError, TrustError, WireError
from relay.store.help import SignedColumn
from relay.store.store import Store, StoredRow
from relay.wire import envelope
from relay.wire.model import SignedMessage
from relay.wire.trust import Keyring

log = logging.getLogger(__name__)

Kept = StoredRow | SignedColumn


def _parse(row: Kept) -> SignedMessage:
    """The message a row holds, or WireError if it is not the one the row is filed as."""
    msg = envelope.parse(row.raw)
    env = msg.envelope
    same_id = (env.key_id, env.seq) == (row.key_id, row.seq)
    if isinstance(row, SignedColumn) and row.column == "update_raw":
        same_id = True  # an update is the hub's message, numbered by the hub
    if env.kind.value != row.kind or not same_id:
        raise CorruptError(
            f"the row is filed as key {row.key_id:08x} seq {row.seq} ({row.kind}) but holds "
            f"key {env.key_id:08x} seq {env.seq} ({env.kind.value})"
        )
    return msg


def _verify(keyring: Keyring, msg: SignedMessage) -> None:
    signer = keyring.principal(msg.envelope.key_id)
    if signer is None:
        raise TrustError(f"signed by key {msg.envelope.key_id:08x}, which the keyring lacks")
    signer.key.verify(msg.signature, msg.signed)


def _kept(store: Store) -> list[Kept]:
    return [*store.message_rows(), *store.help.signed_columns()]


def _set_aside(store: Store, row: Kept, reason: str) -> None:
    log.error(
        "store %s: %s is damaged (%s); quarantined, serving the rest", store.path, row, reason
    )
    if isinstance(row, StoredRow):
        store.quarantine(row, reason, time.time())
    else:
        store.help.set_aside(row, reason, time.time())


def drop_unreadable(store: Store) -> int:
    """Quarantine every kept message that no longer parses; how many."""
    bad = 0
    for row in _kept(store):
        try:
            _parse(row)
        except WireError as err:
            _set_aside(store, row, str(err))
            bad += 1
    return bad


def drop_unverified(store: Store, keyring: Keyring) -> int:
    """Quarantine every kept message whose signature fails against ``keyring``; how many."""
    bad = 0
    for row in _kept(store):
        try:
            _verify(keyring, _parse(row))
        except (WireError, TrustError) as err:
            _set_aside(store, row, str(err))
            bad += 1
    return bad
