"""Opening the SQLite file: WAL, full sync, versioned schema, errors we can explain.

* ``journal_mode=WAL`` so the screens read while the daemon writes; ``synchronous=FULL``
  because a point's power can fail at any moment and the outbox must survive it.
* The schema version is ``PRAGMA user_version``; migrations are numbered SQL files in
  :mod:`relay.store.migrations`, each applied in one transaction together with the new
  version number, so a crash mid-migration leaves the old schema intact.
* SQLite's errors become :class:`DiskFullError`, :class:`CorruptStoreError` or
  :class:`SchemaVersionError` with a sentence an operator can act on.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from relay.errors import CorruptStoreError, DiskFullError, SchemaVersionError, StoreError

log = logging.getLogger(__name__)

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("relay.store.migrations").iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise StoreError("store migrations are not numbered 0001, 0002, ... without gaps")
    return found


def latest_version() -> int:
    return len(migrations())


def translate(err: sqlite3.Error, path: Path | str) -> StoreError:
    """The noodrelay error for an SQLite error."""
    text = str(err).lower()
    if "full" in text or getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return DiskFullError(
            f"the disk holding {path} is full; nothing was written. Free space (old logs?) "
            "and the daemon carries on; what it already holds is still shown"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return CorruptStoreError(
            f"{path} is damaged or not a noodrelay store ({err}); move it aside and restart: "
            "the hub's heartbeats will bring the active bulletins back"
        )
    return StoreError(f"store {path}: {err}")


@contextlib.contextmanager
def translated(path: Path | str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as err:
        raise translate(err, path) from err


def query(
    conn: sqlite3.Connection, path: Path | str, sql: str, args: tuple[object, ...] = ()
) -> list[sqlite3.Row]:
    """Rows of a read, with SQLite's errors translated."""
    with translated(path):
        cur = conn.execute(sql, args)
        cur.row_factory = sqlite3.Row
        return cur.fetchall()


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the store at ``path``."""
    with translated(path):
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            _configure(conn)
            _check(conn, path)
            migrate(conn, path)
        except BaseException:
            conn.close()
            raise
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        log.warning("store is in %s mode, not WAL (a file system without shared memory?)", mode)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def _check(conn: sqlite3.Connection, path: Path | str) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise CorruptStoreError(f"{path} failed its integrity check: {result}")


def migrate(conn: sqlite3.Connection, path: Path | str) -> int:
    """Bring the schema to the latest version; returns the version it was at."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    steps = migrations()
    if current > len(steps):
        raise SchemaVersionError(
            f"{path} has schema version {current}; this noodrelay knows up to {len(steps)}. "
            "Install the newer noodrelay again (downgrading would lose data)"
        )
    for version, name, sql in steps[current:]:
        log.info("migrating %s to schema %d (%s)", path, version, name)
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return int(current)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: Path | str) -> Iterator[sqlite3.Connection]:
    """One atomic write: everything in the block commits together or not at all."""
    with translated(path):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite has rolled back itself after SQLITE_FULL
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
