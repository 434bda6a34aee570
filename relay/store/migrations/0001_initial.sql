-- noodrelay store, schema version 1.

-- Small facts that survive restarts: last known hub time, the hub's node, ...
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every signed message we keep, byte for byte (bulletins, certificates, revocations).
CREATE TABLE messages (
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    time        INTEGER NOT NULL,   -- hub time in the envelope
    raw         BLOB    NOT NULL,
    received_at REAL    NOT NULL,   -- local clock, for display only
    PRIMARY KEY (key_id, seq)
);

-- What we know about each bulletin (the content is in messages.raw).
CREATE TABLE bulletins (
    key_id         INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    sender         TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'active',
    by_seq         INTEGER NOT NULL DEFAULT 0,
    targeted       INTEGER NOT NULL,
    broadcast_done INTEGER NOT NULL DEFAULT 0,   -- hub: transmitted at least once
    displayed_at   REAL,                          -- point: staff posted / read it out
    PRIMARY KEY (key_id, seq),
    FOREIGN KEY (key_id, seq) REFERENCES messages (key_id, seq)
);

-- Messages queued for sending that must survive a restart.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose     TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    destination INTEGER NOT NULL,
    created_at  REAL    NOT NULL
);

-- Hub: the support points and their latest status and receipt.
CREATE TABLE points (
    point_id          INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    key_id            INTEGER NOT NULL,
    node              INTEGER NOT NULL,
    last_heard        REAL    NOT NULL,
    status_seq        INTEGER NOT NULL DEFAULT 0,
    status_time       INTEGER NOT NULL DEFAULT 0,
    open              INTEGER NOT NULL DEFAULT 0,
    power             INTEGER NOT NULL DEFAULT 0,
    battery_pct       INTEGER,
    visitors          INTEGER,
    needs             INTEGER NOT NULL DEFAULT 0,
    text              TEXT    NOT NULL DEFAULT '',
    receipt_up_to     INTEGER,
    receipt_missing   TEXT,      -- JSON list of sequence numbers
    receipt_displayed TEXT,      -- JSON list of sequence numbers
    receipt_at        REAL
);

-- Hub: every status report, for the history view and exports.
CREATE TABLE status_history (
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    point_id    INTEGER NOT NULL,
    time        INTEGER NOT NULL,
    received_at REAL    NOT NULL,
    raw         BLOB    NOT NULL,
    PRIMARY KEY (key_id, seq)
);
CREATE INDEX status_history_point ON status_history (point_id, received_at);

-- Point: the status staff set, as the next report will carry it.
CREATE TABLE own_status (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    open        INTEGER NOT NULL DEFAULT 0,
    power       INTEGER NOT NULL DEFAULT 0,
    battery_pct INTEGER,
    visitors    INTEGER,
    needs       INTEGER NOT NULL DEFAULT 0,
    text        TEXT    NOT NULL DEFAULT '',
    updated_at  REAL    NOT NULL
);
