INSERT INTO guard_calls (id, call_id, center, operator, caller_ref, mode, started_at, ended_at, risk, stage, detections, categories, case_id, policy_version)
  VALUES (151, 'fx-call', 'FX1', 'fx_op', 'c0ffee', 'assisted', 1700000060000, 1700000090000, 'high', 2, 3, 'abuse', 81, 1);
INSERT INTO guard_events (id, call_id, at, kind, detail) VALUES (161, 'fx-call', 1700000061000, 'detection', '{"score": 0.9}');
INSERT INTO guard_blocklist (caller_ref, reason, added_by, added_at) VALUES ('c0ffee', '繰り返しの暴言', 'fx_admin', 1700000070);
