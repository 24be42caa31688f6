package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// The lease timings of DESIGN §11. A lease lasts LeaseTTL from its last
// renewal; its holder renews everything it holds every HeartbeatEvery
// (Heartbeat), and every process calls Recover at least every
// RecoverEvery, so that the work of a dead process is taken over within
// LeaseTTL + RecoverEvery (45 s), well within a minute. The margin between
// HeartbeatEvery and LeaseTTL is what lets two heartbeats fail, or the
// clocks of two processes differ by up to 10 s, before a live holder
// loses anything.
const (
	LeaseTTL       = 30 * time.Second
	HeartbeatEvery = 10 * time.Second
	RecoverEvery   = 15 * time.Second
)

// LeaseTimings returns the periods that go with a lease of ttl: the
// heartbeat every ttl/3 and the recovery pass every ttl/2, the ratios of
// LeaseTTL, HeartbeatEvery and RecoverEvery, so that a dead holder's work
// is taken over within 1.5 × ttl. ttl <= 0 or above LeaseTTL gives the
// defaults.
func LeaseTimings(ttl time.Duration) (heartbeat, recover time.Duration) {
	if ttl <= 0 || ttl >= LeaseTTL {
		return HeartbeatEvery, RecoverEvery
	}
	return ttl / 3, ttl / 2
}

// LeaseTTL is how long this DB's leases last after their last renewal
// (WithLeaseTTL; LeaseTTL by default).
func (d *DB) LeaseTTL() time.Duration { return d.leaseTTL }

// ErrLeaseLost: a change that requires holding a lease found it held by
// another process, or by none (it lapsed and was taken over or
// recovered). The caller must stop the work the lease covered. The error
// is a *LeaseError for a request, and errors.Is(err, ErrConflict) is true
// too.
var ErrLeaseLost = errors.New("lease lost")

// LeaseError is a holder-checked change of a request that did not apply:
// the request is no longer held by the caller in the state it expected.
type LeaseError struct {
	ID     int64
	Want   ApprovalState // the state the change needed
	State  ApprovalState // the state found
	Holder string        // the holder found ("" = none)
	// Noted is true when what the caller brought (a late answer, a
	// progress step) was kept as a note on the request (ApprovalNotes).
	Noted bool
}

func (e *LeaseError) Error() string {
	holder := "no process"
	if e.Holder != "" {
		holder = e.Holder
	}
	msg := fmt.Sprintf("approval %d: lease lost: it is %s and held by %s (wanted %s, held by this process)", e.ID, e.State, holder, e.Want)
	if e.Noted {
		msg += "; the late answer was kept as a note"
	}
	return msg
}

// Is makes errors.Is(err, ErrLeaseLost) and errors.Is(err, ErrConflict)
// true.
func (e *LeaseError) Is(target error) bool { return target == ErrLeaseLost || target == ErrConflict }

// NewHolder returns a new holder identity: host/pid/random, unique per
// call, so that a process restarted with the same pid (a container) is a
// new holder and recovers its predecessor's work.
func NewHolder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
}

// Holder is the identity under which this DB takes and renews leases (one
// per Open unless WithHolder said otherwise).
func (d *DB) Holder() string { return d.holder }

// Renewed counts what one Heartbeat renewed.
type Renewed struct {
	Approvals int // requests approved, executing or followed by this holder
	Leases    int // named leases
	Slots     int // alert slot claims not finished
}

// Heartbeat renews, in one transaction, every lease this holder holds: its
// requests (approved, executing, or done with operations still followed),
// its named leases and its unfinished alert slot claims, each to now +
// LeaseTTL. Call it every HeartbeatEvery while the process lives. A lease
// that lapsed is renewed too as long as no other process took it over:
// nobody acted on it, so it is still this holder's. What was taken over is
// not renewed (the holder check fails), and the next held change says so
// with ErrLeaseLost.
func (d *DB) Heartbeat(ctx context.Context) (Renewed, error) {
	var r Renewed
	err := d.inTx(ctx, func(tx *sqlTx) error {
		r = Renewed{}
		now := d.now()
		until := nanos(now.Add(d.leaseTTL))
		counts := []struct {
			n *int
			q string
		}{
			{&r.Approvals, `UPDATE approvals SET lease_until = ? WHERE holder = ? AND state IN ('approved', 'executing', 'done') AND follow_done = FALSE`},
			{&r.Leases, `UPDATE leases SET lease_until = ? WHERE holder = ?`},
			{&r.Slots, `UPDATE subscription_runs SET lease_until = ? WHERE holder = ? AND finished_at IS NULL`},
		}
		for _, c := range counts {
			res, err := tx.ExecContext(ctx, c.q, until, d.holder)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			*c.n = int(n)
		}
		return nil
	})
	if err != nil {
		return Renewed{}, fmt.Errorf("store: heartbeat of %s: %w", d.holder, err)
	}
	return r, nil
}

// Lease is a named lease as stored.
type Lease struct {
	Name       string
	Holder     string
	Until      time.Time // lapses then unless renewed (UTC)
	AcquiredAt time.Time // when this holder took it (UTC)
}

// AcquireLease takes the named lease for this holder until now + LeaseTTL
// and reports whether it holds it: true when it was free, lapsed, or
// already this holder's (then it is renewed); false while another holder's
// lease runs. Among concurrent callers exactly one gets true. Names are
// the caller's ("approvals/sweep", "alerts/scan"…).
func (d *DB) AcquireLease(ctx context.Context, name string) (bool, error) {
	if name == "" {
		return false, invalidf("empty lease name")
	}
	now := d.now()
	res, err := d.db.ExecContext(ctx, `INSERT INTO leases (name, holder, lease_until, acquired_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
			acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
		WHERE leases.holder = excluded.holder OR leases.lease_until <= ?`,
		name, d.holder, nanos(now.Add(d.leaseTTL)), nanos(now), nanos(now))
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %q: %w", name, err)
	}
	return n == 1, nil
}

// RenewLease extends the named lease of this holder to now + LeaseTTL.
// ErrLeaseLost when another holder has it (it lapsed and was taken over)
// or nobody does: stop the work it covered.
func (d *DB) RenewLease(ctx context.Context, name string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE leases SET lease_until = ? WHERE name = ? AND holder = ?`,
		nanos(d.now().Add(d.leaseTTL)), name, d.holder)
	if err != nil {
		return fmt.Errorf("store: renew lease %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: lease %q is not held by %s: %w", name, d.holder, ErrLeaseLost)
	}
	return nil
}

// ReleaseLease gives the named lease up so that another holder may take it
// at once. ErrLeaseLost when this holder did not hold it.
func (d *DB) ReleaseLease(ctx context.Context, name string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, d.holder)
	if err != nil {
		return fmt.Errorf("store: release lease %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: lease %q is not held by %s: %w", name, d.holder, ErrLeaseLost)
	}
	return nil
}

// LeaseInfo returns the named lease as stored (lapsed or not), or
// ErrNotFound when nobody took it or it was released.
func (d *DB) LeaseInfo(ctx context.Context, name string) (*Lease, error) {
	l := Lease{Name: name}
	var until, acquired int64
	err := d.db.QueryRowContext(ctx, `SELECT holder, lease_until, acquired_at FROM leases WHERE name = ?`, name).
		Scan(&l.Holder, &until, &acquired)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: lease %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: lease %q: %w", name, err)
	}
	l.Until, l.AcquiredAt = fromNanos(until), fromNanos(acquired)
	return &l, nil
}
