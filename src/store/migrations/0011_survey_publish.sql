-- Publication of survey results: a center's figures are those of the answers published so far.
-- pub is the publication a respondent went out in (NULL: waiting), so two readings of a center
-- differ only by whole publications, each of which the anonymity rules let through. Answers
-- stored before this migration had been shown already: they form publication 1.
ALTER TABLE survey_respondents ADD COLUMN pub BIGINT;
UPDATE survey_respondents SET pub = 1;
CREATE TABLE survey_publications (
    id {{ID}},
    wave_id BIGINT NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    respondents BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (wave_id, center_id, seq)
);
INSERT INTO survey_publications (wave_id, center_id, seq, respondents, published_at, reason)
    SELECT wave_id, center_id, 1, COUNT(*), 0, 'upgrade' FROM survey_respondents
    GROUP BY wave_id, center_id;
CREATE INDEX survey_respondents_pub ON survey_respondents(wave_id, center_id, pub);
