INSERT INTO companies (id, code, name, created_at) VALUES (7, 'FXC', '旧スキーマ株式会社', 1700000000);
INSERT INTO centers (id, company_id, code, name, created_at) VALUES (11, 7, 'FX1', '旧センター', 1700000001);
INSERT INTO center_headcounts (center_id, position, headcount) VALUES (11, 'OP', 40), (11, 'SV', 5);
INSERT INTO teams (id, center_id, code, name) VALUES (21, 11, 'A', 'Aチーム');
INSERT INTO users (id, login, role, center_id, team_id, display_name, password_hash, disabled, created_at)
  VALUES (31, 'fx_op', 'operator', 11, 21, '古い 利用者', '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA', 0, 1700000002),
         (32, 'fx_admin', 'admin', NULL, NULL, '', '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA', 1, 1700000003);
INSERT INTO api_keys (id, name, scopes, prefix, key_hash, created_at, revoked)
  VALUES (41, 'fx-pbx', 4, 'ik_fx', 'aa11bb22', 1700000004, 0);
INSERT INTO audit_log (id, at, actor, action, target, detail, address)
  VALUES (51, 1700000005, 'fx_admin', 'user.add', 'fx_op', 'role "operator"; 改行なし', '10.0.0.1');
