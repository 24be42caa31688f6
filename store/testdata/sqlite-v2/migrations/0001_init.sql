-- Schema 1: the secret check, API keys, approvals, the audit log and
-- de-duplication keys. Times are INTEGER Unix nanoseconds (UTC).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

-- One API key per (Slack team, user), AES-256-GCM sealed with the identity
-- as associated data: nonce || ciphertext || tag. Never plaintext.
CREATE TABLE api_keys (
	team        TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	sealed      BLOB NOT NULL,
	fingerprint TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (team, user_id)
) WITHOUT ROWID;

CREATE TABLE approvals (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	team            TEXT NOT NULL,
	channel         TEXT NOT NULL,
	requester       TEXT NOT NULL,
	action          TEXT NOT NULL,
	target          TEXT NOT NULL DEFAULT '',
	params          TEXT,
	summary         TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL,
	decided_by      TEXT NOT NULL DEFAULT '',
	decided_at      INTEGER,
	message_channel TEXT NOT NULL DEFAULT '',
	message_id      TEXT NOT NULL DEFAULT '',
	result          TEXT,
	error           TEXT NOT NULL DEFAULT '',
	updated_at      INTEGER NOT NULL
);
CREATE INDEX approvals_by_state ON approvals (state, expires_at);
CREATE INDEX approvals_by_team ON approvals (team, state);

-- Append-only: the triggers refuse UPDATE and DELETE.
CREATE TABLE audit (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	team    TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	target  TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	params  TEXT,
	at      INTEGER NOT NULL
);
CREATE INDEX audit_by_team ON audit (team, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TABLE dedup (
	key        TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dedup_by_expiry ON dedup (expires_at);
