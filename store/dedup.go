package store

import (
	"context"
	"fmt"
	"time"
)

// SeenOnce records key (a Slack envelope id, a trigger id…) for ttl and
// reports whether this call was the first to see it: true exactly once per
// key until the record expires, even among concurrent callers (one upsert
// statement).
func (d *DB) SeenOnce(ctx context.Context, key string, ttl time.Duration) (first bool, err error) {
	if key == "" {
		return false, invalidf("empty dedup key")
	}
	if ttl <= 0 {
		return false, invalidf("dedup ttl must be positive, got %s", ttl)
	}
	now := d.now()
	res, err := d.db.ExecContext(ctx, `INSERT INTO dedup (key, expires_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedup.expires_at <= ?`,
		key, nanos(now.Add(ttl)), nanos(now))
	if err != nil {
		return false, fmt.Errorf("store: dedup: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: dedup: %w", err)
	}
	return n == 1, nil
}

// PurgeExpired deletes expired dedup keys and returns how many.
func (d *DB) PurgeExpired(ctx context.Context) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM dedup WHERE expires_at <= ?`, nanos(d.now()))
	if err != nil {
		return 0, fmt.Errorf("store: purge dedup keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RunLogRetention is how long RunJanitor keeps alert run-log rows (the
// latest of each subscription is always kept).
const RunLogRetention = 90 * 24 * time.Hour

// RunJanitor purges expired dedup keys and old run-log rows, now and then
// every interval until ctx ends. Errors are logged, not returned: the next
// round retries. It does not expire approvals: whoever posted their
// messages must do it with ExpirePending, so that each message says so.
func (d *DB) RunJanitor(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		d.janitorRound(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *DB) janitorRound(ctx context.Context) {
	if n, err := d.PurgeExpired(ctx); err != nil {
		if ctx.Err() == nil {
			d.log.Warn("janitor: purge dedup keys", "err", err)
		}
	} else if n > 0 {
		d.log.Debug("janitor: purged dedup keys", "count", n)
	}
	if n, err := d.PurgeRuns(ctx, RunLogRetention); err != nil {
		if ctx.Err() == nil {
			d.log.Warn("janitor: purge run log", "err", err)
		}
	} else if n > 0 {
		d.log.Debug("janitor: purged run log", "count", n)
	}
}
