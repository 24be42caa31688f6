package approvals

import (
	"context"
	"fmt"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/store"
)

// The four-eyes policy: who may decide a request, and how the engine says
// so. A paid request (create, update, renew) is approved by a configured
// approver other than its requester, or by the requester alone when no
// approvers are configured; a destructive one (restart, delete, vhost) is
// confirmed by its requester alone. The requester may always cancel.

// isPaid reports whether action costs money and needs an approval in the
// channel; the other actions are confirmed by the requester alone.
func isPaid(action string) bool {
	return action == ActionCreate || action == ActionUpdate || action == ActionRenew
}

// mayApprove reports whether actor may approve (run) a: the requester
// alone for confirm-flow actions and when no approvers are configured;
// otherwise a listed approver who is not the requester (four eyes).
func (e *Engine) mayApprove(ctx context.Context, actor string, a *store.Approval) bool {
	if !isPaid(a.Action) || len(e.cfg.Approvers) == 0 {
		return actor == a.Requester
	}
	return actor != a.Requester && e.isApprover(ctx, actor)
}

// notAllowed is the private answer to a click that changes nothing: it
// says who may decide instead.
func (e *Engine) notAllowed(actor string, a *store.Approval, verb string) error {
	var who string
	switch {
	case !isPaid(a.Action) || len(e.cfg.Approvers) == 0:
		who = fmt.Sprintf("only %s, who asked for it, can %s it.", human.Person(a.Requester), verb)
	case actor == a.Requester:
		who = fmt.Sprintf("you asked for it, and an approver other than the requester must %s it: %s. You may still withdraw it with `cancel %d`.",
			verb, e.approverList(), a.ID)
	default:
		who = fmt.Sprintf("an approver other than the requester must %s it: %s.", verb, e.approverList())
	}
	return apperr.Errorf(apperr.EUNAUTHORIZED, "You are not allowed to %s #%d (%s): %s Nothing changed.", verb, a.ID, a.Summary, who)
}

// verbFor is the verb of the approve button: "confirm" for the requester's
// own confirm flow, "approve" for a paid request.
func verbFor(a *store.Approval, paid string) string {
	if !isPaid(a.Action) {
		return "confirm"
	}
	return paid
}

// policyNote says who may decide a pending paid request.
func (e *Engine) policyNote(a *store.Approval) string {
	if len(e.cfg.Approvers) == 0 {
		return fmt.Sprintf("No approvers are configured: %s confirms their own request.", human.Person(a.Requester))
	}
	return fmt.Sprintf("Approvers: %s (never the requester). %s may cancel it.", e.approverList(), human.Person(a.Requester))
}
