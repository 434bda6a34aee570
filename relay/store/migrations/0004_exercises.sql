-- noodrelay store, schema version 4: exercises (issue 12).

-- The hub's operators start and stop an exercise by name; the dashboard marks what
-- happens in between, and `relay report --exercise NAME` reports on that window.
CREATE TABLE exercises (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    started_at REAL    NOT NULL,          -- wall-clock seconds
    ended_at   REAL,                      -- NULL while it runs
    started_by TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX exercises_name ON exercises (name);
-- At most one exercise runs at a time.
CREATE UNIQUE INDEX exercises_running ON exercises ((ended_at IS NULL)) WHERE ended_at IS NULL;
