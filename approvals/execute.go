package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// callTimeout bounds the one real call of a request. The call does not
// stop when the click's context does: once claimed, it runs to an answer.
const callTimeout = 2 * time.Minute

// execute makes the one real call of a claimed request (state executing)
// with the requester's key, records the outcome, and starts following the
// operations. A refusal by Gandi fails the request; an answer that never
// came (timeout, cut connection) leaves it interrupted for a person to
// check, since the call may have run.
func (e *Engine) execute(ctx context.Context, by Actor, a *store.Approval, p Plan) (reply.Message, error) {
	action := auditAction("execute", a)
	key, err := e.requesterKey(ctx, a)
	if err != nil {
		return e.failed(ctx, a, p, "the requester has no usable Gandi API key any more (`/paas login`)", err)
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	var password secret.Value
	if p.Action == ActionCreate || p.GeneratePassword {
		if password, err = generatePassword(e.cfg.Rand); err != nil {
			return e.failed(ctx, a, p, "paasbot could not generate a password", err)
		}
	}
	started := e.now()
	ops, err := e.call(cctx, e.cfg.Gandi(key), p, password)
	if err != nil {
		if outcomeUnknown(err) {
			return e.unknown(ctx, a, p, err)
		}
		if errors.Is(err, errBadPlan) {
			return e.failed(ctx, a, p, "the stored request is incomplete; nothing was sent to Gandi", err)
		}
		msg := apperr.Message(ctx, e.log, "approved request failed", apperr.FromGandi(err, "no such object in the requester's account: "+p.Target), "id", a.ID)
		return e.failed(ctx, a, p, msg, err)
	}
	result, _ := json.Marshal(opsResult(ops))
	if err := e.cfg.Store.Finish(ctx, a.ID, result); err != nil {
		e.log.ErrorContext(ctx, "the call ran at Gandi but its success is not recorded", "id", a.ID, "err", err)
	}
	a.State = store.StateDone
	e.log.InfoContext(ctx, "approved request ran", "id", a.ID, "action", a.Action, "requester", a.Requester, "decided_by", a.DecidedBy, "operations", len(ops))
	e.audit(ctx, a.Team, by.User, action, a.Summary, fmt.Sprintf("done: %s started", human.Plural(len(ops), "operation")), result)
	note := ""
	if !password.IsZero() {
		note = e.deliverPassword(ctx, a, p, password)
	}
	pr := newProgress(ops, started)
	if len(ops) == 0 {
		now := e.now()
		pr.Outcome, pr.Ended = outcomeDone, &now
		e.observeApproval(string(store.StateDone))
	}
	raw, _ := json.Marshal(pr)
	if err := e.cfg.Store.SetProgress(ctx, a.ID, raw, len(ops) == 0); err != nil {
		e.log.WarnContext(ctx, "cannot save the progress of an approval", "id", a.ID, "err", err)
	}
	var answer reply.Message
	if e.publish(ctx, a, p, pr, "") {
		text := fmt.Sprintf("#%d ran once with %s's key: %s started; the request message shows their progress.", a.ID, human.Person(a.Requester), human.Plural(len(ops), "operation"))
		answer = reply.Message{Visibility: reply.Private, Tone: reply.Success, Text: text, Notes: nonEmpty(note)}
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
	}
	return answer, nil
}

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

// failed records a call that did not run (Gandi refused it, or paasbot
// could not make it) and answers the clicker.
func (e *Engine) failed(ctx context.Context, a *store.Approval, p Plan, msg string, cause error) (reply.Message, error) {
	if err := e.cfg.Store.Fail(ctx, a.ID, msg); err != nil {
		e.log.ErrorContext(ctx, "cannot record a failed approval", "id", a.ID, "err", err)
	}
	e.log.InfoContext(ctx, "approved request failed", "id", a.ID, "action", a.Action, "err", cause)
	a.State, a.Error = store.StateFailed, msg
	e.observeApproval(string(store.StateFailed))
	e.audit(ctx, a.Team, systemActor, auditAction("execute", a), a.Summary, "failed: "+msg, nil)
	if e.publish(ctx, a, p, nil, "") {
		return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Message: fmt.Sprintf("#%d failed: %s", a.ID, msg), Err: cause}
	}
	m := e.approvalMessage(a, p, nil, "")
	m.ReplaceOriginal = true
	return m, nil
}

// unknown records a call whose answer never came: the request becomes
// interrupted and is never re-run; a person checks what happened.
func (e *Engine) unknown(ctx context.Context, a *store.Approval, p Plan, cause error) (reply.Message, error) {
	if err := e.cfg.Store.Transition(ctx, a.ID, store.StateExecuting, store.StateInterrupted, ""); err != nil {
		e.log.ErrorContext(ctx, "cannot record an interrupted approval", "id", a.ID, "err", err)
	}
	e.log.WarnContext(ctx, "approved call without an answer; marked interrupted", "id", a.ID, "action", a.Action, "err", cause)
	a.State = store.StateInterrupted
	e.observeApproval(string(store.StateInterrupted))
	e.audit(ctx, a.Team, systemActor, auditAction("execute", a), a.Summary, "interrupted: no answer from Gandi", nil)
	text := fmt.Sprintf("⚠ Gandi did not answer, so paasbot cannot tell whether it ran: check in Gandi (`/paas %s`) before asking again. It will not be re-run.", checkCommand(p))
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

// deliverPassword sends the generated password to the requester only, in
// a private message, and returns a note for the clicker ("" when all went
// well). The password is never stored, logged or shown to anyone else.
func (e *Engine) deliverPassword(ctx context.Context, a *store.Approval, p Plan, password secret.Value) string {
	name := p.Target
	if p.Create != nil {
		name = p.Create.Name
	}
	m := reply.Message{Visibility: reply.Private, Tone: reply.Info,
		Title: "Password of " + name,
		Text:  "```" + password.Reveal() + "```",
		Notes: []string{"Shown to you only, once: paasbot does not keep it. It opens SFTP, git and the admin console of the instance.",
			fmt.Sprintf("Lost it? `update %s reset-password` asks for a new one.", passwordTarget(p))},
	}
	if e.cfg.Notifier != nil {
		err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m)
		if err == nil {
			return fmt.Sprintf("The new password was sent privately to %s.", human.Person(a.Requester))
		}
		e.log.WarnContext(ctx, "cannot deliver the generated password", "id", a.ID, "err", err)
	}
	return fmt.Sprintf("The password could not be delivered: %s can ask for a new one with `update %s reset-password`.",
		human.Person(a.Requester), passwordTarget(p))
}

// passwordTarget names the instance for `update X reset-password`.
func passwordTarget(p Plan) string { return strings.TrimPrefix(checkCommand(p), "info ") }
