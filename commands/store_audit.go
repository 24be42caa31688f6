package commands

import (
	"context"

	"github.com/paasbot/paasbot/store"
)

// AuditStore is the append-only log of executed and refused actions.
type AuditStore interface {
	Audit(ctx context.Context, e store.AuditEntry) error
	RecentAudit(ctx context.Context, team string, n int) ([]store.AuditEntry, error)
}
