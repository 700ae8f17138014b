-- カスハラ対応, second part: call counts for rates per 1,000 calls, the operators' private mood
-- log, and the business name an operator may work under.
CREATE TABLE harass_calls (
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    calls BIGINT NOT NULL CHECK (calls >= 0),
    PRIMARY KEY (center_id, day, team)
);
CREATE TABLE mood_log (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    memo TEXT NOT NULL DEFAULT '',
    shared INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mood_log_user ON mood_log(user_id, at);
ALTER TABLE users ADD COLUMN business_name TEXT NOT NULL DEFAULT '';
