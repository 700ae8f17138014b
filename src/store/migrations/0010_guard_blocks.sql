-- 通話ガード block list, per center: each entry gets an id (to remove it over the API) and a
-- center ('' = every center), so a center manager keeps their own center's list. The rows of
-- guard_blocklist (0008) move over as entries for every center.
CREATE TABLE guard_blocks (
    id {{ID}},
    caller_ref TEXT NOT NULL,
    center TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL,
    UNIQUE (caller_ref, center)
);
INSERT INTO guard_blocks (caller_ref, center, reason, added_by, added_at)
    SELECT caller_ref, '', reason, added_by, added_at FROM guard_blocklist;
DROP TABLE guard_blocklist;
