-- noodrelay store, schema version 2: help requests (issue 7).

-- One row per help request. A point keeps its own requests; the hub the ones it received.
-- A request's id is the requesting point's (key id, sequence number).
CREATE TABLE help_requests (
    key_id        INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    point_id      INTEGER NOT NULL,
    point_name    TEXT    NOT NULL DEFAULT '',
    node          INTEGER NOT NULL DEFAULT 0,     -- hub: where the request came from last
    type_code     INTEGER NOT NULL,               -- as sent: a newer type is kept, shown as other
    urgency       INTEGER NOT NULL,
    people        INTEGER NOT NULL,
    raw           BLOB,                           -- the signed request; NULL once erased
    location      TEXT    NOT NULL DEFAULT '',    -- personal: erased after retention (point)
    text          TEXT    NOT NULL DEFAULT '',
    handler       TEXT    NOT NULL DEFAULT '',
    details_error TEXT    NOT NULL DEFAULT '',    -- hub: why the sealed part did not open
    sent          INTEGER NOT NULL DEFAULT 0,     -- point: the hub's radio acknowledged it
    state         INTEGER NOT NULL DEFAULT 0,     -- HelpState of the newest update (0: none)
    update_seq    INTEGER NOT NULL DEFAULT 0,     -- hub sequence number of the newest update
    update_raw    BLOB,                           -- the newest signed update; NULL once erased
    update_acked  INTEGER NOT NULL DEFAULT 0,     -- hub: newest update the point acknowledged
    reply         TEXT    NOT NULL DEFAULT '',    -- personal: the operator's reply and name
    operator      TEXT    NOT NULL DEFAULT '',
    created_at    REAL    NOT NULL,
    updated_at    REAL    NOT NULL,
    closed_at     REAL,
    erased_at     REAL,
    PRIMARY KEY (key_id, seq)
);
CREATE INDEX help_requests_by_state ON help_requests (state, created_at);
