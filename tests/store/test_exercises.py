"""Exercises in the hub's store: one runs at a time, by name, with a time window."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.errors import StoreError
from relay.store.store import Store


def test_start_stop_and_the_window(tmp_path: Path) -> None:
    store = Store(tmp_path / "hub.db")
    assert store.exercises.current() is None
    started = store.exercises.start("  Oefening Lekdijk  ", 1000.0, by="anna")
    assert started.name == "Oefening Lekdijk" and started.running
    with pytest.raises(StoreError, match="running already"):
        store.exercises.start("Tweede", 1001.0)
    store.close()
    again = Store(tmp_path / "hub.db")  # survives a restart
    current = again.exercises.current()
    assert current is not None and current.covers(5000.0) and not current.covers(999.0)
    done = again.exercises.stop(7000.0)
    assert not done.running and done.covers(7000.0) and not done.covers(7000.5)
    assert again.exercises.current() is None
    assert [e.name for e in again.exercises.named("Oefening Lekdijk")] == ["Oefening Lekdijk"]
    again.exercises.start("Oefening Lekdijk", 8000.0)  # the same name again: a second window
    assert len(again.exercises.named("Oefening Lekdijk")) == 2
    again.close()


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_bad_names_are_refused(tmp_path: Path, name: str) -> None:
    store = Store(tmp_path / "hub.db")
    with pytest.raises(StoreError, match="needs a name"):
        store.exercises.start(name, 1.0)
    assert store.exercises.all() == []
    store.close()


def test_stop_without_a_running_exercise(tmp_path: Path) -> None:
    store = Store(tmp_path / "hub.db")
    with pytest.raises(StoreError, match="no exercise is running"):
        store.exercises.stop(1.0)
    store.close()
