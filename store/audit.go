package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit log: who did what to
// what, with which outcome, when (UTC).
type AuditEntry struct {
	ID      int64
	Team    string
	Actor   string
	Action  string
	Target  string
	Outcome string
	Params  json.RawMessage // stored with secret-looking keys redacted
	At      time.Time       // zero: now
}

// redacted replaces the value of every secret-looking key in audit params.
const redacted = "[redacted]"

// Audit appends e to the log. Before storing, every value under a key that
// looks secret (password, token, secret, apikey, key, auth… at any depth)
// is replaced by "[redacted]". Params that are not JSON are refused
// (ErrInvalid) rather than stored raw. Entries are never updated or
// deleted: the table refuses it.
func (d *DB) Audit(ctx context.Context, e AuditEntry) error {
	return d.audit(ctx, d.db, e)
}

// audit appends e in q: the pool, or the transaction of the change it
// records.
func (d *DB) audit(ctx context.Context, q queryer, e AuditEntry) error {
	if e.Team == "" || e.Actor == "" || e.Action == "" {
		return invalidf("audit entry needs a team, actor and action")
	}
	params, err := redactParams(e.Params)
	if err != nil {
		return err
	}
	at := e.At
	if at.IsZero() {
		at = d.now()
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO audit (team, actor, action, target, outcome, params, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.Team, e.Actor, e.Action, e.Target, e.Outcome, nullJSON(params), nanos(at)); err != nil {
		return fmt.Errorf("store: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return nil
}

// RecentAudit returns the n newest entries of team ("" = every team),
// newest first. n <= 0 means 20; n is capped at 1000.
func (d *DB) RecentAudit(ctx context.Context, team string, n int) ([]AuditEntry, error) {
	if n <= 0 {
		n = 20
	}
	n = min(n, 1000)
	rows, err := d.db.QueryContext(ctx, `SELECT id, team, actor, action, target, outcome, params, at
		FROM audit WHERE (? = '' OR team = ?) ORDER BY id DESC LIMIT ?`, team, team, n)
	if err != nil {
		return nil, fmt.Errorf("store: recent audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var params sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &e.Team, &e.Actor, &e.Action, &e.Target, &e.Outcome, &params, &at); err != nil {
			return nil, fmt.Errorf("store: recent audit: %w", err)
		}
		e.Params, e.At = rawJSON(params), fromNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent audit: %w", err)
	}
	return out, nil
}

// secretWords are the fragments that make a key look secret, matched
// against the key lowercased with '-', '_', '.' and spaces removed.
func secretWords() []string {
	return []string{"password", "passwd", "passphrase", "secret", "token", "apikey", "key", "auth", "credential", "cookie", "signature"}
}

func normalizeKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
}

func isSecretKey(k string) bool {
	n := normalizeKey(k)
	for _, w := range secretWords() {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// redactParams rewrites p with secret-looking values replaced.
func redactParams(p json.RawMessage) (json.RawMessage, error) {
	if len(p) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalidf("audit params are not JSON")
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return nil, fmt.Errorf("store: audit params: %w", err)
	}
	return out, nil
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if isSecretKey(k) {
				t[k] = redacted
			} else {
				t[k] = redactValue(val)
			}
		}
	case []any:
		for i := range t {
			t[i] = redactValue(t[i])
		}
	}
	return v
}

// findKey returns the first object key at any depth for which match is true.
func findKey(v any, match func(string) bool) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if match(k) {
				return k, true
			}
			if k2, ok := findKey(val, match); ok {
				return k2, true
			}
		}
	case []any:
		for _, val := range t {
			if k, ok := findKey(val, match); ok {
				return k, true
			}
		}
	}
	return "", false
}
