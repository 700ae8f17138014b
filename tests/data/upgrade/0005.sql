INSERT INTO harass_calls (center_id, day, team, calls) VALUES (11, '2023-11-14', '', 1200), (11, '2023-11-14', 'A', 300);
INSERT INTO mood_log (id, user_id, at, mood, memo, shared) VALUES (111, 31, 1700000030, 2, 'つかれた', 0);
UPDATE users SET business_name = 'さくら' WHERE id = 31;
