INSERT INTO survey_waves (id, code, questionnaire, created_at) VALUES (121, 'FXW', '{"fixture": true}', 1700000040);
INSERT INTO survey_respondents (id, wave_id, center_id, position, segment, team, tenure, answers, comment, day)
  VALUES (131, 121, 11, 'OP', '正社員', 'A', '1-3', '65432165', 'よい職場です', '2023-11-15'),
         (132, 121, 11, 'SV', '', '', '', '33333333', NULL, '2023-11-15');
