package approvals

import (
	"context"
	"fmt"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// ranWithoutApproval handles a dry run that Gandi answered with
// operations: it ignored "--dry-run" and ran the call (a create billed).
// Nothing can undo that, so paasbot treats it as the call it was, and says
// everywhere that nobody approved it: the request is recorded as decided
// by paasbot itself, its audit line says "ran WITHOUT approval", its
// operations are followed under this process's lease like any executed
// call, the password the dry run carried (now the new instance's) goes to
// the requester privately, and the request is posted where approvals are.
// The answer to the requester is an ECONFLICT saying so.
func (e *Engine) ranWithoutApproval(ctx context.Context, by Actor, p Plan, ops []gandi.Operation, password secret.Value) (reply.Message, error) {
	ctx = context.WithoutCancel(ctx) // this is a record of what ran: the click must not cut it
	started := e.now()
	e.log.ErrorContext(ctx, "Gandi ignored --dry-run and ran the call: it ran without approval",
		"action", p.Action, "target", p.Target, "requester", by.User, "operations", len(ops))
	p.Unapproved = true
	summary := actionVerb(p.Action) + " " + p.Target
	a, err := e.newRequest(ctx, by, p, summary)
	if err != nil {
		return reply.Message{}, err
	}
	outcome := fmt.Sprintf("ran WITHOUT approval: Gandi ignored \"--dry-run\" and ran the call; %s followed", human.Plural(len(ops), "operation"))
	line := func(string, store.Approval) store.AuditEntry {
		return store.AuditEntry{Actor: systemActor, Action: auditAction("unapproved", a), Outcome: outcome}
	}
	decided, err := e.cfg.Store.Decide(ctx, a.ID, store.StateApproved, systemActor, line)
	if err == nil {
		a = decided
		err = e.cfg.Store.ClaimExecution(ctx, a.ID)
	}
	if err == nil {
		err = e.cfg.Store.MarkSent(ctx, a.ID)
	}
	if err != nil {
		e.log.ErrorContext(ctx, "cannot record a call Gandi ran without approval", "id", a.ID, "err", err)
		return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Err: err,
			Message: fmt.Sprintf("Asked for a dry run of this %s, Gandi ran it for real: it ran without approval. paasbot could not record it; check `/paas %s`.",
				actionVerb(p.Action), checkCommand(p))}
	}
	a.State = store.StateExecuting
	pwNote := ""
	if !password.IsZero() {
		if e.deliverPassword(ctx, a, p, password) == nil {
			pwNote = " The new instance's password was sent privately to " + human.Person(a.Requester) + "."
		} else {
			pwNote = fmt.Sprintf(" Its password could not be delivered: ask for a new one with `update %s reset-password` once it runs.", passwordTarget(p))
		}
	}
	if isPaid(a.Action) {
		channel := by.Channel
		if c, err := e.requestChannel(by); err == nil {
			channel = c
		} else if e.cfg.AuditChannel != "" {
			channel = e.cfg.AuditChannel
		}
		e.postRequest(ctx, a, p, channel, e.approvalMessage(a, p, nil, "")) // where approvers look; the follow-up updates it
	}
	if answer, err := e.succeeded(ctx, systemActor, a, p, ops, started, false); err != nil {
		return answer, err
	}
	return reply.Message{}, apperr.Errorf(apperr.ECONFLICT, "%s%s", unapprovedText(p), pwNote)
}
