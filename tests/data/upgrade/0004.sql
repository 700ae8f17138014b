INSERT INTO settings (key, value) VALUES ('fx.setting', 'x');
INSERT INTO harass_policies (version, document, created_by, created_at) VALUES (1, '{"fixture": true}', 'fx_admin', 1700000020);
INSERT INTO harass_cases (id, center_id, team_id, operator_id, channel, interaction, occurred_at, week, caller_ref, categories, requests, behaviour, demand, verdict, response, memo, source, evidence, policy_version, created_by, created_at)
  VALUES (81, 11, 21, 31, 'phone', 'INT-1', 1700000021, '2023-W46', 'c0ffee', 'abuse', '', 3, 2, 'harassment', 'end_call', 'メモ', 'operator', '[]', 1, 'fx_op', 1700000022);
INSERT INTO harass_reviews (id, case_id, reviewer, behaviour, demand, verdict, response, policy_version, note, reviewed_at)
  VALUES (91, 81, 'fx_admin', 3, 3, 'harassment', 'end_call', 1, '', 1700000023);
INSERT INTO harass_care_tasks (id, case_id, center_id, operator_id, assignee_id, opened_at, due_at, done_at, note)
  VALUES (101, 81, 11, 31, NULL, 1700000024, 1700086424, NULL, '');
