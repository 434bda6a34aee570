-- noodrelay store, schema version 6: rows that failed the check on load (issue 14).

-- A stored message whose bytes no longer parse or whose signature no longer verifies
-- (edited on disk, a bad sector) is moved here at start-up, byte for byte, so that it is
-- neither shown nor lost: an operator can look at it, and repair fetches a good copy.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    from_table  TEXT    NOT NULL,
    key_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    raw         BLOB,
    reason      TEXT    NOT NULL,
    at          REAL    NOT NULL
);
