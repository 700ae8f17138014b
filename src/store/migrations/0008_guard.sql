-- 通話ガード: calls the guard watched, each call's timeline of decisions and the block list.
-- Active call state lives in the engine's memory; these rows are its record. Times are Unix
-- milliseconds. caller_ref is the keyed hash of the caller's number, never the number.
CREATE TABLE guard_calls (
    id {{ID}},
    call_id TEXT NOT NULL UNIQUE,
    center TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT '',
    caller_ref TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    risk TEXT NOT NULL DEFAULT 'none',
    stage INTEGER NOT NULL DEFAULT 0,
    detections INTEGER NOT NULL DEFAULT 0,
    categories TEXT NOT NULL DEFAULT '',
    case_id BIGINT,
    policy_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX guard_calls_center ON guard_calls(center, started_at);
CREATE TABLE guard_events (
    id {{ID}},
    call_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX guard_events_call ON guard_events(call_id, id);
CREATE TABLE guard_blocklist (
    caller_ref TEXT PRIMARY KEY,
    reason TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL
);
