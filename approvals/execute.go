package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// recordBudget is the time an execution has, on top of CallTimeout, for
// what surrounds the call: reading the key, checking the instance again,
// delivering a password, and recording the outcome.
const recordBudget = 2 * time.Minute

// execute makes the one real call of a request this process claimed
// (executing, under its lease) with the requester's key, records the
// outcome, and starts following the operations. ctx is the click's; from
// the claim on nothing depends on it: the call has its own timeout
// (Config.CallTimeout) and everything is recorded on a context detached
// from the click and the envelope, so that a click cancelled mid-call
// still leaves the outcome recorded.
//
// Until the store marks the request sent (MarkSent, just before the call
// leaves) nothing was sent: a failure fails the request saying so, and a
// crash lets the next recovery offer it again to its approvers. After it,
// Gandi's refusal fails the request, and an answer that never came (time
// out, cut connection, an unreadable answer) leaves it interrupted for a
// person to check; it is never re-run.
func (e *Engine) execute(ctx context.Context, by Actor, a *store.Approval, p Plan) (reply.Message, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.CallTimeout+recordBudget)
	defer cancel()
	key, err := e.requesterKey(ctx, a)
	if err != nil {
		return e.failed(ctx, a, p, "the requester has no usable Gandi API key any more (`/paas login`). Nothing was sent to Gandi.", err)
	}
	if err := e.recheckInstance(ctx, e.cfg.Gandi(key, 0), p); err != nil {
		return e.failed(ctx, a, p, e.firstLine(ctx, err)+" Nothing was sent to Gandi.", err)
	}
	var password secret.Value
	if p.Action == ActionCreate || p.GeneratePassword {
		if password, err = generatePassword(e.cfg.Rand); err != nil {
			return e.failed(ctx, a, p, "paasbot could not generate a password. Nothing was sent to Gandi.", err)
		}
		// Before the call: whatever happens next, the password Gandi may
		// set is one somebody has seen.
		if err := e.deliverPassword(ctx, a, p, password); err != nil {
			if e.canDM() {
				e.passwordUndelivered(ctx, a, p, err)
			}
			return e.failed(ctx, a, p, fmt.Sprintf("paasbot could not send the new password privately to %s, and a password nobody sees would lock them out. Nothing was sent to Gandi.",
				human.Person(a.Requester)), err)
		}
	}
	if err := e.cfg.Store.MarkSent(ctx, a.ID); err != nil {
		return e.notSent(ctx, a, p, !password.IsZero(), err)
	}
	cctx, cancelCall := context.WithTimeout(ctx, e.cfg.CallTimeout)
	defer cancelCall()
	started := e.now()
	ops, err := e.call(cctx, e.cfg.Gandi(key, e.cfg.CallTimeout), p, password)
	if err != nil {
		if outcomeUnknown(err) {
			return e.unknown(ctx, a, p, !password.IsZero(), err)
		}
		if errors.Is(err, errBadPlan) {
			return e.failed(ctx, a, p, "the stored request is incomplete. Nothing was sent to Gandi.", err)
		}
		msg := apperr.Message(ctx, e.log, "approved request failed", apperr.FromGandi(err, "no such object in the requester's account: "+p.Target), "id", a.ID)
		if !password.IsZero() {
			msg += " The password sent to " + human.Person(a.Requester) + " privately was not set."
		}
		return e.failed(ctx, a, p, msg, err)
	}
	return e.succeeded(ctx, by.User, a, p, ops, started, !password.IsZero())
}

// recheckInstance reads the instance of a renewal or an update again just
// before the call and refuses to send it when the change would no longer
// do what was approved (see recheck). The approval may be a day old.
func (e *Engine) recheckInstance(ctx context.Context, gc Client, p Plan) error {
	if p.Action != ActionRenew && p.Action != ActionUpdate {
		return nil
	}
	info, err := gc.PaaS.Info(ctx, p.InstanceID)
	if err != nil {
		return apperr.FromGandi(err, fmt.Sprintf("%s is no longer in the requester's account.", p.Target))
	}
	return recheck(p, info)
}

// succeeded records a call Gandi accepted: done, its result and the
// operations to follow (under this process's lease), the audit line and
// the message; then it starts following the operations. actor is who
// made it run (the approver; paasbot for a call Gandi ran unasked).
func (e *Engine) succeeded(ctx context.Context, actor string, a *store.Approval, p Plan, ops []gandi.Operation, started time.Time, passwordSent bool) (reply.Message, error) {
	result, _ := json.Marshal(opsResult(ops))
	if err := e.retry(ctx, func(ctx context.Context) error { return e.cfg.Store.FinishHeld(ctx, a.ID, result) }); err != nil {
		return e.unrecorded(ctx, a, p, ops, err)
	}
	a.State = store.StateDone
	e.log.InfoContext(ctx, "approved request ran", "id", a.ID, "action", a.Action, "requester", a.Requester, "decided_by", a.DecidedBy, "operations", len(ops))
	e.audit(ctx, a.Team, actor, auditAction("execute", a), a.Summary, fmt.Sprintf("done: %s started", human.Plural(len(ops), "operation")), result)
	pr := newProgress(ops, started)
	if len(ops) == 0 {
		now := e.now()
		pr.Outcome, pr.Ended = outcomeDone, &now
		e.observeApproval(string(store.StateDone))
	}
	raw, _ := json.Marshal(pr)
	if err := e.retry(ctx, func(ctx context.Context) error { return e.cfg.Store.ProgressHeld(ctx, a.ID, raw, len(ops) == 0) }); err != nil {
		e.log.WarnContext(ctx, "cannot save the progress of an approval", "id", a.ID, "err", err)
	}
	note := ""
	if passwordSent {
		note = fmt.Sprintf("The new password was sent privately to %s before the call.", human.Person(a.Requester))
	}
	var answer reply.Message
	if e.publish(ctx, a, p, pr, "") {
		where := "the request message shows their progress"
		if !isPaid(a.Action) {
			where = "its announcement shows their progress"
		}
		text := fmt.Sprintf("#%d ran once with %s's key: %s started; %s.", a.ID, human.Person(a.Requester), human.Plural(len(ops), "operation"), where)
		answer = reply.Message{Visibility: reply.Private, Tone: reply.Success, Text: text, Notes: nonEmpty(note)}
		// The private confirm prompt gives way to this note; the
		// announcement carries the rest.
		answer.ReplaceOriginal = !isPaid(a.Action)
	} else {
		answer = e.approvalMessage(a, p, pr, "")
		answer.ReplaceOriginal = true
		answer.Notes = append(answer.Notes, nonEmpty(note)...)
		if !isPaid(a.Action) && len(ops) > 0 {
			answer.Notes = append(answer.Notes, "You will get a private note when it is finished.")
		}
	}
	if len(ops) > 0 {
		// From here on pr belongs to the follower.
		e.follow(ctx, *a, p, pr)
	} else {
		e.ended(ctx, a, p, pr, "")
	}
	return answer, nil
}

// unrecorded answers a call Gandi ran whose success the store would not
// take: this process lost the request (another one recovered it as
// interrupted when this one's lease lapsed; the answer is kept as a note
// on it), or the database failed. Its operations are not followed here.
func (e *Engine) unrecorded(ctx context.Context, a *store.Approval, p Plan, ops []gandi.Operation, cause error) (reply.Message, error) {
	e.log.ErrorContext(ctx, "the call ran at Gandi but its success is not recorded", "id", a.ID, "operations", len(ops), "err", cause)
	why := "paasbot could not record it"
	if errors.Is(cause, store.ErrLeaseLost) {
		why = "paasbot had meanwhile given it up as interrupted (its answer is kept with the request)"
	}
	return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Err: cause,
		Message: fmt.Sprintf("#%d ran at Gandi (%s started), but %s. Check `/paas %s`; it will not be re-run.", a.ID, human.Plural(len(ops), "operation"), why, checkCommand(p))}
}

// retry runs a store write that records an outcome until it succeeds, the
// lease is lost or the request cannot take it (those two are final), or
// retryFor has passed: a holder must end what it holds.
func (e *Engine) retry(ctx context.Context, write func(ctx context.Context) error) error {
	wait := time.Second
	deadline := e.now().Add(retryFor)
	for {
		err := write(ctx)
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrNotFound) ||
			!e.now().Add(wait).Before(deadline) {
			return err
		}
		e.log.WarnContext(ctx, "recording an approval failed; retrying", "err", err, "in", wait)
		if e.cfg.Sleep(ctx, wait) != nil {
			return err
		}
		wait *= 2
	}
}

// retryFor bounds how long retry keeps trying one write.
const retryFor = 30 * time.Second

// requesterKey reads the API key of a's requester, with which its call is
// made and its operations are followed.
func (e *Engine) requesterKey(ctx context.Context, a *store.Approval) (secret.Value, error) {
	key, _, err := e.cfg.Store.APIKey(ctx, store.Identity{Team: a.Team, User: a.Requester})
	return key, err
}

// nonEmpty is a list of s, or nothing when s is empty.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// call makes the real call. password, when set, goes into the params of
// this call only.
func (e *Engine) call(ctx context.Context, gc Client, p Plan, password secret.Value) ([]gandi.Operation, error) {
	one := func(op *gandi.Operation, err error) ([]gandi.Operation, error) {
		if err != nil || op == nil {
			return nil, err
		}
		return []gandi.Operation{*op}, nil
	}
	switch p.Action {
	case ActionUpdate, ActionRenew, ActionRestart, ActionDelete:
		if p.InstanceID <= 0 {
			return nil, errBadPlan
		}
	}
	switch p.Action {
	case ActionCreate:
		if p.Create == nil {
			return nil, errBadPlan
		}
		params := *p.Create
		params.Password = password.Reveal()
		return gc.PaaS.Create(ctx, params)
	case ActionUpdate:
		if p.Update == nil {
			return nil, errBadPlan
		}
		params := *p.Update
		params.Password = password.Reveal()
		return gc.PaaS.Update(ctx, p.InstanceID, params)
	case ActionRenew:
		if p.Renew == nil {
			return nil, errBadPlan
		}
		return gc.PaaS.Renew(ctx, p.InstanceID, *p.Renew)
	case ActionRestart:
		return one(gc.PaaS.Restart(ctx, p.InstanceID))
	case ActionDelete:
		return gc.PaaS.Delete(ctx, p.InstanceID)
	case ActionVhostCreate:
		if p.Vhost == nil {
			return nil, errBadPlan
		}
		return one(gc.Vhosts.Create(ctx, gandi.VhostCreateParams{PaasID: p.Vhost.PaasID, Vhost: p.Vhost.FQDN, ZoneAlter: p.Vhost.ZoneAlter, Override: p.Vhost.Override}))
	case ActionVhostDelete:
		if p.Vhost == nil {
			return nil, errBadPlan
		}
		return one(gc.Vhosts.Delete(ctx, p.Vhost.FQDN))
	}
	return nil, fmt.Errorf("%w: unknown action %q", errBadPlan, p.Action)
}

// errBadPlan is a stored request that cannot be executed (a bug or a
// database edited by hand); nothing is sent to Gandi.
var errBadPlan = errors.New("the stored request is incomplete")

// outcomeUnknown reports whether err leaves open whether Gandi ran the
// call: no answer (timeout, cut connection, cancellation), an answer that
// could not be read, or a server error status. A fault or a 429 is a
// refusal: nothing ran.
func outcomeUnknown(err error) bool {
	var fault *gandi.Fault
	if errors.As(err, &fault) || errors.Is(err, errBadPlan) {
		return false
	}
	var he *gandi.HTTPError
	if errors.As(err, &he) {
		return he.StatusCode != 429
	}
	var te *gandi.TransportError
	var de *gandi.DecodeError
	return errors.As(err, &te) || errors.As(err, &de) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// failed records a request that did not run (Gandi refused the call, or
// paasbot could not make it) and answers the clicker.
func (e *Engine) failed(ctx context.Context, a *store.Approval, p Plan, msg string, cause error) (reply.Message, error) {
	if err := e.retry(ctx, func(ctx context.Context) error { return e.cfg.Store.FailHeld(ctx, a.ID, msg) }); err != nil {
		e.log.ErrorContext(ctx, "cannot record a failed approval", "id", a.ID, "err", err)
	}
	e.log.InfoContext(ctx, "approved request failed", "id", a.ID, "action", a.Action, "err", cause)
	a.State, a.Error = store.StateFailed, msg
	e.observeApproval(string(store.StateFailed))
	e.audit(ctx, a.Team, systemActor, auditAction("execute", a), a.Summary, "failed: "+msg, nil)
	defer e.ended(ctx, a, p, nil, "")
	if e.publish(ctx, a, p, nil, "") {
		return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Message: fmt.Sprintf("#%d failed: %s", a.ID, msg), Err: cause}
	}
	m := e.approvalMessage(a, p, nil, "")
	m.ReplaceOriginal = true
	return m, nil
}

// notSent answers a request this process claimed but may not send: the
// store refused to mark it sent. Either its lease lapsed and another
// process took it back (offered again to its approvers), or the store
// failed, and the request is failed rather than sent unrecorded. Nothing
// was sent to Gandi either way.
func (e *Engine) notSent(ctx context.Context, a *store.Approval, p Plan, passwordSent bool, cause error) (reply.Message, error) {
	pw := ""
	if passwordSent {
		pw = " The password sent privately to " + human.Person(a.Requester) + " was not set."
	}
	if !errors.Is(cause, store.ErrLeaseLost) {
		return e.failed(ctx, a, p, "paasbot could not record that it was about to send the call. Nothing was sent to Gandi."+pw, cause)
	}
	e.log.WarnContext(ctx, "lost an approved request before sending it; nothing was sent", "id", a.ID, "err", cause)
	return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Err: cause,
		Message: fmt.Sprintf("#%d was not sent: paasbot lost hold of it while preparing the call, and it is back with its approvers. Nothing was sent to Gandi.%s", a.ID, pw)}
}

// unknown records a call whose answer never came: the request becomes
// interrupted and is never re-run; a person checks what happened.
func (e *Engine) unknown(ctx context.Context, a *store.Approval, p Plan, passwordSent bool, cause error) (reply.Message, error) {
	why := "no answer from Gandi: it may have run"
	if err := e.retry(ctx, func(ctx context.Context) error { return e.cfg.Store.InterruptHeld(ctx, a.ID, why) }); err != nil {
		e.log.ErrorContext(ctx, "cannot record an interrupted approval", "id", a.ID, "err", err)
	}
	e.log.WarnContext(ctx, "approved call without an answer; marked interrupted", "id", a.ID, "action", a.Action, "err", cause)
	a.State = store.StateInterrupted
	e.observeApproval(string(store.StateInterrupted))
	e.audit(ctx, a.Team, systemActor, auditAction("execute", a), a.Summary, "interrupted: no answer from Gandi", nil)
	text := fmt.Sprintf("⚠ Gandi did not answer, so paasbot cannot tell whether it ran: check in Gandi (`/paas %s`) before asking again. It will not be re-run.", checkCommand(p))
	if passwordSent {
		text += " If it ran, the password sent privately to " + human.Person(a.Requester) + " is the new one."
	}
	defer e.ended(ctx, a, p, nil, text)
	if e.publish(ctx, a, p, nil, text) {
		return reply.Message{}, &apperr.Error{Code: apperr.EUNAVAILABLE, Message: fmt.Sprintf("#%d: %s", a.ID, text), Err: cause}
	}
	m := e.approvalMessage(a, p, nil, text)
	m.ReplaceOriginal = true
	return m, nil
}

// opsResult is what Finish records of the call's answer: the operations,
// without the params Gandi may echo.
func opsResult(ops []gandi.Operation) []opState {
	out := make([]opState, 0, len(ops))
	for _, op := range ops {
		out = append(out, opState{ID: op.ID, Type: op.Type, Step: string(op.Step), PaasID: op.PaasID})
	}
	return out
}
