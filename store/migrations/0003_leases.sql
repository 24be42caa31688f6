-- Schema 3: leases, for several processes (replicas) on one database.
-- DESIGN §5 and §11; the model is in doc.go.

-- The lease of a request: the process that holds it (approved by it,
-- claimed for execution, or following its operations) and until when.
-- sent_at is set just before the call leaves: a lapsed lease without it
-- means nothing was sent. remind_at is when the one reminder is due.
ALTER TABLE approvals ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE approvals ADD COLUMN sent_at BIGINT;
ALTER TABLE approvals ADD COLUMN remind_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE approvals ADD COLUMN reminded_at BIGINT;
CREATE INDEX approvals_by_holder ON approvals (holder);
CREATE INDEX approvals_by_lease ON approvals (state, lease_until);

-- A request left executing by an older paasbot may have been sent: it
-- must never be offered again.
UPDATE approvals SET sent_at = updated_at WHERE state = 'executing';
UPDATE approvals SET remind_at = created_at + (expires_at - created_at) / 5 * 4;

-- What arrived for a request after its holder lost the lease (a late
-- answer from Gandi, a progress step): kept, never applied.
CREATE TABLE approval_notes (
	id          {{.ID}},
	approval_id BIGINT NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
	holder      TEXT NOT NULL,
	kind        TEXT NOT NULL,
	body        TEXT NOT NULL DEFAULT '',
	at          BIGINT NOT NULL
);
CREATE INDEX approval_notes_by_approval ON approval_notes (approval_id, id);

-- Named leases for singleton work (sweeps, scans): one holder at a time,
-- taken over only once lapsed.
CREATE TABLE leases (
	name        TEXT PRIMARY KEY,
	holder      TEXT NOT NULL,
	lease_until BIGINT NOT NULL,
	acquired_at BIGINT NOT NULL
) {{.WithoutRowid}};

-- The lease of an alert slot's claim, the moment its first message was
-- about to be posted, and that message's ts. A claim is taken over only
-- when its lease lapsed and nothing was posted.
ALTER TABLE subscription_runs ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE subscription_runs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subscription_runs ADD COLUMN posting_at BIGINT;
ALTER TABLE subscription_runs ADD COLUMN message_ts TEXT NOT NULL DEFAULT '';
CREATE INDEX subscription_runs_by_holder ON subscription_runs (holder);
