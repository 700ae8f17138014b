-- API keys may expire (expires_at 0: never). Logins are unique whatever their case, so "Admin"
-- cannot stand beside "admin"; an existing pair stops this migration until one is renamed.
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_login_nocase ON users (lower(login));
