package approvals

import (
	"context"
	"fmt"
	"strconv"

	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Pending lists the pending requests of by's team (a confirm-flow request
// only to its requester), with the buttons of those by may decide or
// cancel.
func (e *Engine) Pending(ctx context.Context, by Actor) (reply.Message, error) {
	all, err := e.cfg.Store.PendingApprovals(ctx, by.Team)
	if err != nil {
		return reply.Message{}, fmt.Errorf("pending approvals: %w", err)
	}
	t := &reply.Table{Columns: []string{"id", "request", "asked by", "expires"}, Align: []bool{true, false, false, false}}
	var buttons []reply.Button
	user := by.User
	for _, a := range all {
		if !isPaid(a.Action) && a.Requester != user {
			continue
		}
		ids := strconv.FormatInt(a.ID, 10)
		t.Rows = append(t.Rows, []string{ids, a.Summary, human.Person(a.Requester), "in " + human.Duration(a.ExpiresAt.Sub(e.now()))})
		if len(buttons) > 20 {
			continue
		}
		buttons = append(buttons, e.listButtons(ctx, user, &a)...)
	}
	if len(t.Rows) == 0 {
		return reply.Message{Text: "No pending approvals."}, nil
	}
	m := reply.Message{Title: "Pending approvals", Table: t, Buttons: buttons}
	if len(e.cfg.Approvers) > 0 {
		m.Notes = []string{"Approvers: " + e.approverList() + " (never the requester)."}
	}
	return m, nil
}

// listButtons are the buttons of a's own message (pendingButtons, so a
// delete keeps its confirm dialog naming the instance) that user may
// press, labelled with a's id: Approve/Deny (or Confirm) for a decider,
// Cancel for the requester.
func (e *Engine) listButtons(ctx context.Context, user string, a *store.Approval) []reply.Button {
	p, _ := planOf(a) // unreadable: the action and target still name it
	decider, requester := e.mayApprove(ctx, user, a), a.Requester == user
	var out []reply.Button
	for _, b := range e.pendingButtons(a, p) {
		switch {
		case b.Action == "approval.cancel" && requester,
			b.Action != "approval.cancel" && decider:
			b.Label += " #" + strconv.FormatInt(a.ID, 10)
			out = append(out, b)
		}
	}
	return out
}
