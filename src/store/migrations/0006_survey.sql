-- Well-being診断: waves (one run of the survey with the questionnaire it used) and anonymous
-- respondents. A respondent row holds no account, no exact time, no address: only the day of
-- the import, the grouping attributes and the answers packed one character per scale item
-- ('0' blank, '1'–'6'), in the order of the wave's questionnaire.
CREATE TABLE survey_waves (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    questionnaire TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE survey_respondents (
    id {{ID}},
    wave_id BIGINT NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    position TEXT NOT NULL CHECK (position IN ('OP', 'SV', 'MGR', 'OTHER')),
    segment TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    tenure TEXT NOT NULL DEFAULT '',
    answers TEXT NOT NULL,
    comment TEXT,
    day TEXT NOT NULL CHECK (length(day) = 10)
);
CREATE INDEX survey_respondents_wave ON survey_respondents(wave_id, center_id);
