package approvals

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// PendingItem is one pending request as one person sees it: what it is,
// who asked, when it expires, and the buttons of it that person may press
// (Approve/Deny or Confirm when they may decide it, then Cancel when they
// asked for it), so that every view of the list (`approvals`, App Home)
// is built from the same decisions, never from another view's text.
type PendingItem struct {
	ID        int64
	Summary   string
	Requester string
	ExpiresAt time.Time
	MayDecide bool
	Buttons   []reply.Button
}

// PendingFor lists the pending requests of by's team that by may see (a
// confirm-flow request only to its requester), each with its buttons.
func (e *Engine) PendingFor(ctx context.Context, by Actor) ([]PendingItem, error) {
	all, err := e.cfg.Store.PendingApprovals(ctx, by.Team)
	if err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	var items []PendingItem
	for _, a := range all {
		if !isPaid(a.Action) && a.Requester != by.User {
			continue
		}
		decider, buttons := e.listButtons(ctx, by.User, &a)
		items = append(items, PendingItem{ID: a.ID, Summary: a.Summary, Requester: a.Requester,
			ExpiresAt: a.ExpiresAt, MayDecide: decider, Buttons: buttons})
	}
	return items, nil
}

// Pending lists the pending requests of by's team (a confirm-flow request
// only to its requester), with the buttons of those by may decide or
// cancel.
func (e *Engine) Pending(ctx context.Context, by Actor) (reply.Message, error) {
	items, err := e.PendingFor(ctx, by)
	if err != nil {
		return reply.Message{}, err
	}
	if len(items) == 0 {
		return reply.Message{Text: "No pending approvals."}, nil
	}
	t := &reply.Table{Columns: []string{"id", "request", "asked by", "expires"}, Align: []bool{true, false, false, false}}
	var buttons []reply.Button
	for _, it := range items {
		t.Rows = append(t.Rows, []string{strconv.FormatInt(it.ID, 10), it.Summary, human.Person(it.Requester), "in " + human.Duration(it.ExpiresAt.Sub(e.now()))})
		if len(buttons) <= 20 {
			buttons = append(buttons, it.Buttons...)
		}
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
// Cancel for the requester; and whether user is a decider.
func (e *Engine) listButtons(ctx context.Context, user string, a *store.Approval) (bool, []reply.Button) {
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
	return decider, out
}
