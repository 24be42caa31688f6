package commands

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func (c *Core) auditCommands() []*CommandSpec {
	return []*CommandSpec{{
		Name: "audit", Summary: "recent audited actions of this workspace",
		Args:  []Param{{Name: "n", Kind: KindInt, Hint: "n", Help: "how many entries (default 20)"}},
		NoKey: true, Run: runAudit, Examples: []string{"audit", "audit 50"},
	}}
}

func runAudit(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	n := 20
	if call.Arg(0) != "" {
		fmt.Sscan(call.Arg(0), &n)
	}
	entries, err := c.cfg.Store.RecentAudit(ctx, call.Req.Team, n)
	if err != nil {
		return reply.Message{}, fmt.Errorf("audit: %w", err)
	}
	if len(entries) == 0 {
		return reply.Message{Text: "The audit log is empty."}, nil
	}
	t := &reply.Table{Columns: []string{"when", "who", "action", "target", "outcome"}}
	for _, e := range entries {
		at := e.At
		t.Rows = append(t.Rows, []string{human.DateTime(&at), human.Person(e.Actor), e.Action, e.Target, e.Outcome})
	}
	return reply.Message{Title: fmt.Sprintf("Audit log (newest first, %d)", len(entries)), Table: t}, nil
}

// audit appends to the audit log; a failure is logged, not shown. params
// must never hold a secret (the store redacts secret-looking keys too).
func (c *Core) audit(ctx context.Context, team, actor, action, target, outcome string, params json.RawMessage) {
	err := c.cfg.Store.Audit(ctx, store.AuditEntry{Team: team, Actor: actor, Action: action, Target: target, Outcome: outcome, Params: params, At: c.now()})
	if err != nil {
		c.log.ErrorContext(ctx, "audit failed", "action", action, "err", err)
	}
}
