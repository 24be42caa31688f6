package commands

import (
	"context"
	"fmt"

	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
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
		t.Rows = append(t.Rows, []string{human.DateTime(&at), e.Actor, e.Action, e.Target, e.Outcome})
	}
	return reply.Message{Title: fmt.Sprintf("Audit log (newest first, %d)", len(entries)), Table: t}, nil
}
