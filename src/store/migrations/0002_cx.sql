-- 顧客接点力診断: answers to the self-diagnosis sheet and the effect checkpoints a company records.
CREATE TABLE cx_answers (
    id {{ID}},
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    round TEXT NOT NULL,
    respondent TEXT NOT NULL DEFAULT '',
    taken_at BIGINT NOT NULL,
    level_understanding INTEGER NOT NULL CHECK (level_understanding BETWEEN 0 AND 3),
    level_experience INTEGER NOT NULL CHECK (level_experience BETWEEN 0 AND 3),
    level_improvement INTEGER NOT NULL CHECK (level_improvement BETWEEN 0 AND 3),
    level_organisation INTEGER NOT NULL CHECK (level_organisation BETWEEN 0 AND 3)
);
CREATE INDEX cx_answers_company ON cx_answers(company_id, round);
CREATE TABLE cx_checkpoints (
    id {{ID}},
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX cx_checkpoints_company ON cx_checkpoints(company_id, code, at);
