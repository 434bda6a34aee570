-- noodrelay store, schema version 7: federation over MQTT (issue 13).

-- Hub: signed messages waiting for the broker. A row is deleted only after the broker's
-- PUBACK, so a broker outage, a restart or a kill -9 loses nothing; receivers drop the
-- copies a resend makes by (key_id, seq).
CREATE TABLE federation_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    topic       TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    retain      INTEGER NOT NULL DEFAULT 0,
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    created_at  REAL    NOT NULL,
    UNIQUE (key_id, seq)
);

-- Hub: the national bulletins a point's receipt listed as stored ([[key_id, seq], ...]).
ALTER TABLE points ADD COLUMN receipt_others TEXT;

-- National node: the regions heard, and each region's points as their hub countersigned
-- them (the newest report per point wins, by the point's sequence number).
CREATE TABLE national_regions (
    region      TEXT    PRIMARY KEY,
    hub_key_id  INTEGER NOT NULL,
    hub_name    TEXT    NOT NULL,
    last_heard  REAL    NOT NULL,
    summaries   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE national_points (
    region      TEXT    NOT NULL,
    point_id    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    time        INTEGER NOT NULL,
    open        INTEGER NOT NULL,
    power       INTEGER NOT NULL,
    battery_pct INTEGER,
    visitors    INTEGER,
    needs       INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    held        TEXT    NOT NULL,
    shown       TEXT    NOT NULL,
    others      TEXT    NOT NULL DEFAULT '[]',  -- national bulletins held: [[key_id, seq]]
    received_at REAL    NOT NULL,
    PRIMARY KEY (region, point_id)
);

-- Bulletins seen on the federation, by whose region they came from ('national' for the
-- national key's own); the signed bytes are in messages.
CREATE TABLE national_bulletins (
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    region      TEXT    NOT NULL,
    received_at REAL    NOT NULL,
    PRIMARY KEY (key_id, seq)
);

-- Which region's hub says it broadcast which national bulletin over its radio.
CREATE TABLE national_relayed (
    region      TEXT    NOT NULL,
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (region, key_id, seq)
);
