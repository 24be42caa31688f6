package approvals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/store"
)

// audit appends to the audit log; a failure is logged, not shown. params
// must never hold a secret (the store redacts secret-looking keys too).
func (e *Engine) audit(ctx context.Context, team, actor, action, target, outcome string, params json.RawMessage) {
	err := e.cfg.Store.Audit(ctx, store.AuditEntry{Team: team, Actor: actor, Action: action, Target: target, Outcome: outcome, Params: params, At: e.now()})
	if err != nil {
		e.log.ErrorContext(ctx, "audit failed", "action", action, "err", err)
	}
}

// auditAction names an audited step of request a: "approve paas.renew #7".
func auditAction(verb string, a *store.Approval) string {
	return fmt.Sprintf("%s %s #%d", verb, a.Action, a.ID)
}

// firstLine is the first line of what a person is shown for err (an
// internal error is logged under the ref it shows).
func (e *Engine) firstLine(ctx context.Context, err error) string {
	msg := apperr.Message(ctx, e.log, "request refused", err)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// actionVerb names an action for people: "renew", "add vhost".
func actionVerb(action string) string {
	switch action {
	case ActionCreate:
		return "create"
	case ActionUpdate:
		return "update"
	case ActionRenew:
		return "renew"
	case ActionRestart:
		return "restart"
	case ActionDelete:
		return "delete"
	case ActionVhostCreate:
		return "add vhost"
	case ActionVhostDelete:
		return "delete vhost"
	}
	return action
}

// systemActor is the actor of audit lines written by paasbot itself
// (results, expiries, interruptions).
const systemActor = "paasbot"
