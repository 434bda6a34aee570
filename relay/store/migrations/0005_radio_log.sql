-- noodrelay store, schema version 5: the radio over time (issue 12, the evaluation report).

-- One sample a minute: the share of the channel the radio heard busy (as it last said)
-- and the share of the hour our own transmissions used (the engine's airtime budget).
CREATE TABLE radio_log (
    at               REAL NOT NULL,      -- wall-clock seconds
    channel_util_pct REAL,               -- NULL: the radio has not said
    airtime_pct      REAL NOT NULL
);
CREATE INDEX radio_log_at ON radio_log (at);
