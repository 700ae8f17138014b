-- Built-in anonymous collection: one link per wave and center. The token in the link is all a
-- respondent needs; answers go to survey_respondents like an import (day only, no address, no
-- agent, no time). A closed link takes no more answers.
CREATE TABLE survey_links (
    id {{ID}},
    wave_id BIGINT NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
    center_id BIGINT NOT NULL REFERENCES centers(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    UNIQUE (wave_id, center_id)
);
