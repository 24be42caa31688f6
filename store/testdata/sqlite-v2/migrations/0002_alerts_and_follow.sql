-- Schema 2: alert subscriptions with their run log, and the follow-up of
-- operations started by an approved request (resumed after a restart).

ALTER TABLE approvals ADD COLUMN progress TEXT;
ALTER TABLE approvals ADD COLUMN follow_done INTEGER NOT NULL DEFAULT 0;
CREATE INDEX approvals_following ON approvals (state, follow_done);

CREATE TABLE subscriptions (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	team          TEXT NOT NULL,
	channel       TEXT NOT NULL,
	owner         TEXT NOT NULL,
	kind          TEXT NOT NULL,
	schedule      TEXT NOT NULL,
	tz            TEXT NOT NULL DEFAULT '',
	params        TEXT,
	paused        INTEGER NOT NULL DEFAULT 0,
	paused_reason TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_team ON subscriptions (team, id);
CREATE INDEX subscriptions_by_owner ON subscriptions (team, owner);

-- One row per (subscription, scheduled slot): the primary key makes a slot
-- claimable once, across restarts and concurrent schedulers.
CREATE TABLE subscription_runs (
	subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	slot            INTEGER NOT NULL,
	claimed_at      INTEGER NOT NULL,
	finished_at     INTEGER,
	outcome         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (subscription_id, slot)
) WITHOUT ROWID;
