INSERT INTO cx_answers (id, company_id, round, respondent, taken_at, level_understanding, level_experience, level_improvement, level_organisation)
  VALUES (61, 7, '2024-1', 'fx', 1700000010, 1, 2, 0, 3);
INSERT INTO cx_checkpoints (id, company_id, code, value, at)
  VALUES (71, 7, 'repeat_rate', 0.1, 1700000011), (72, 7, 'complaint_minutes', 12.5, 1700000012), (73, 7, 'nps', 3, 1700000013);
