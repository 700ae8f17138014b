-- カスハラ対応: policy versions, flagged cases, their reviews (every one kept) and care tasks.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE harass_policies (
    version INTEGER PRIMARY KEY,
    document TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE harass_cases (
    id {{ID}},
    center_id BIGINT NOT NULL REFERENCES centers(id),
    team_id BIGINT REFERENCES teams(id),
    operator_id BIGINT NOT NULL REFERENCES users(id),
    channel TEXT NOT NULL,
    interaction TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT NOT NULL,
    week TEXT NOT NULL,
    caller_ref TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL,
    requests TEXT NOT NULL DEFAULT '',
    behaviour INTEGER NOT NULL CHECK (behaviour BETWEEN 0 AND 4),
    demand INTEGER NOT NULL CHECK (demand BETWEEN 0 AND 4),
    verdict TEXT NOT NULL CHECK (verdict IN ('claim', 'grey', 'harassment')),
    response TEXT NOT NULL,
    memo TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('operator', 'supervisor', 'guard')),
    evidence TEXT NOT NULL DEFAULT '[]',
    policy_version INTEGER NOT NULL REFERENCES harass_policies(version),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX harass_cases_week ON harass_cases(center_id, week);
CREATE INDEX harass_cases_time ON harass_cases(center_id, occurred_at);
CREATE INDEX harass_cases_caller ON harass_cases(caller_ref);
CREATE TABLE harass_reviews (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES harass_cases(id) ON DELETE CASCADE,
    reviewer TEXT NOT NULL,
    behaviour INTEGER NOT NULL CHECK (behaviour BETWEEN 0 AND 4),
    demand INTEGER NOT NULL CHECK (demand BETWEEN 0 AND 4),
    verdict TEXT NOT NULL CHECK (verdict IN ('claim', 'grey', 'harassment')),
    response TEXT NOT NULL,
    policy_version INTEGER NOT NULL REFERENCES harass_policies(version),
    note TEXT NOT NULL DEFAULT '',
    reviewed_at BIGINT NOT NULL
);
CREATE INDEX harass_reviews_case ON harass_reviews(case_id, id);
CREATE TABLE harass_care_tasks (
    id {{ID}},
    case_id BIGINT NOT NULL UNIQUE REFERENCES harass_cases(id) ON DELETE CASCADE,
    center_id BIGINT NOT NULL REFERENCES centers(id),
    operator_id BIGINT NOT NULL REFERENCES users(id),
    assignee_id BIGINT REFERENCES users(id),
    opened_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    done_at BIGINT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX harass_care_center ON harass_care_tasks(center_id, due_at);
