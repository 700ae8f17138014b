-- Organisation, accounts, sessions, API keys and the audit log.
-- {{ID}} becomes the backend's auto-numbered primary key type.
CREATE TABLE companies (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE centers (
    id {{ID}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE center_headcounts (
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    position TEXT NOT NULL CHECK (position IN ('OP', 'SV', 'MGR', 'OTHER')),
    headcount BIGINT NOT NULL CHECK (headcount >= 0),
    PRIMARY KEY (center_id, position)
);
CREATE TABLE teams (
    id {{ID}},
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (center_id, code)
);
CREATE TABLE users (
    id {{ID}},
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    center_id BIGINT REFERENCES centers(id),
    team_id BIGINT REFERENCES teams(id),
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_center ON users(center_id);
CREATE TABLE consultant_companies (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, company_id)
);
CREATE TABLE api_keys (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    scopes BIGINT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
CREATE TABLE audit_log (
    id {{ID}},
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
