-- 通話ガード: voiceprints of known callers, registered from their recorded speech with a reason
-- and the manager who approved it (also written to the audit log), deletable. The embedding is
-- JSON text (an array of numbers) so both backends store it alike; model names the embedder that
-- made it, and only embeddings of the same model are compared.
CREATE TABLE voiceprints (
    id {{ID}},
    caller_ref TEXT NOT NULL,
    model TEXT NOT NULL,
    embedding TEXT NOT NULL,
    speech_ms BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX voiceprints_caller ON voiceprints(caller_ref);
