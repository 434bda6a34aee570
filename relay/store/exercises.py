"""Exercises in the hub's store (schema version 4): a name and a time window.

The window is what marks things as "during the exercise" on the dashboard (help requests,
statuses) and what ``relay report --exercise NAME`` reports on. One runs at a time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from relay.errors import StoreError
from relay.store.db import query, transaction

MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Exercise:
    id: int
    name: str
    started_at: float
    ended_at: float | None
    started_by: str

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def covers(self, at: float) -> bool:
        """Did ``at`` (wall-clock seconds) fall within this exercise?"""
        return self.started_at <= at and (self.ended_at is None or at <= self.ended_at)


class ExerciseTable:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def start(self, name: str, at: float, by: str = "") -> Exercise:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise StoreError(f"an exercise needs a name of 1 to {MAX_NAME} characters")
        if self.current() is not None:
            raise StoreError("an exercise is running already; stop it first")
        with transaction(self._conn, self.path) as c:
            cur = c.execute(
                "INSERT INTO exercises (name, started_at, started_by) VALUES (?, ?, ?)",
                (name, at, by),
            )
            row_id = int(cur.lastrowid or 0)
        return Exercise(row_id, name, at, None, by)

    def stop(self, at: float) -> Exercise:
        running = self.current()
        if running is None:
            raise StoreError("no exercise is running")
        with transaction(self._conn, self.path) as c:
            c.execute("UPDATE exercises SET ended_at = ? WHERE id = ?", (at, running.id))
        return Exercise(running.id, running.name, running.started_at, at, running.started_by)

    def current(self) -> Exercise | None:
        rows = self._all("WHERE ended_at IS NULL")
        return rows[0] if rows else None

    def named(self, name: str) -> list[Exercise]:
        return self._all("WHERE name = ?", (name,))

    def all(self) -> list[Exercise]:
        return self._all("")

    def _all(self, where: str, args: tuple[object, ...] = ()) -> list[Exercise]:
        rows = query(self._conn, self.path, f"SELECT * FROM exercises {where} ORDER BY id", args)  # noqa: S608 - fixed clauses
        return [
            Exercise(r["id"], r["name"], r["started_at"], r["ended_at"], r["started_by"])
            for r in rows
        ]
