-- コンピテンシー: imported versions of the skill model, assessments and skill-role overrides.
-- The newest model version is the active model; with none stored, data/skills/model.json is.
CREATE TABLE skills_models (
    id {{ID}},
    model TEXT NOT NULL,
    imported_by TEXT NOT NULL DEFAULT '',
    imported_at BIGINT NOT NULL
);
-- Skill codes are kept as text: a later model may drop a skill without losing its history.
CREATE TABLE skills_assessments (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    skill TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    kind TEXT NOT NULL CHECK (kind IN ('self', 'supervisor')),
    assessor TEXT NOT NULL,
    assessed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX skills_assessments_user ON skills_assessments(user_id, skill);
CREATE TABLE skills_user_roles (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL
);
