INSERT INTO survey_links (id, wave_id, center_id, token, created_at, closed_at) VALUES (141, 121, 11, 'fxtoken', 1700000050, NULL);
