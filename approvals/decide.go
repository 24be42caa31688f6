package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Approve approves (or, for the confirm flow, confirms) request id for by,
// then runs it. It is the exactly-once chain: the store's Decide (pending
// → approved, with its audit line, leased to this process) and
// ClaimExecution (approved → executing) are compare-and-sets, so among any
// number of concurrent clicks, retried envelopes, typed `approve` and
// replicas exactly one caller reaches the call, made with the requester's
// key; the others get an ECONFLICT saying where the request stands. A
// caller the policy does not allow gets EUNAUTHORIZED and nothing changes;
// an id of another team is ENOTFOUND.
func (e *Engine) Approve(ctx context.Context, by Actor, id int64) (reply.Message, error) {
	a, p, err := e.loadApproval(ctx, by, id)
	if err != nil {
		return reply.Message{}, err
	}
	if !e.mayApprove(ctx, by.User, a) {
		e.audit(ctx, a.Team, by.User, auditAction("approve", a), a.Summary, "refused: not allowed", nil)
		return reply.Message{}, e.notAllowed(by.User, a, verbFor(a, "approve"))
	}
	if a.State != store.StatePending {
		return reply.Message{}, e.settled(ctx, a, p, nil)
	}
	// From the decision on, this process holds the request: it must take
	// it to an end whatever happens to the click (a request left approved
	// under a live lease would wait for this process to stop).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordBudget)
	defer cancel()
	decided, err := e.cfg.Store.Decide(ctx, id, store.StateApproved, by.User, nil)
	if err != nil {
		return reply.Message{}, e.lostDecision(ctx, a, p, "approve", err)
	}
	a = decided
	e.adoptMessage(ctx, by, a)
	e.observeApproval(string(store.StateApproved))
	if isPaid(a.Action) {
		e.publish(ctx, a, p, nil, "")
	} else {
		// A confirmed restart or delete is never a private event.
		e.announce(ctx, by, a, p)
	}
	e.decided(ctx, a, "")
	if err := e.cfg.Store.ClaimExecution(ctx, id); err != nil {
		// Only a recovery that found this process's lease lapsed can
		// take it between the decision and here.
		return reply.Message{}, e.settled(ctx, a, p, err)
	}
	a.State = store.StateExecuting
	e.observeApproval(string(store.StateExecuting))
	return e.execute(ctx, by, a, p)
}

// lostDecision explains a decision the store did not take: another one
// won, or the deadline passed (the store then expired the request, with
// its audit line).
func (e *Engine) lostDecision(ctx context.Context, a *store.Approval, p Plan, verb string, err error) error {
	if !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%s %d: %w", verb, a.ID, err)
	}
	var se *store.StateError
	expiredNow := errors.As(err, &se) && se.Current == store.StateExpired && a.State == store.StatePending
	if expiredNow {
		e.observeApproval(string(store.StateExpired))
	}
	serr := e.settled(ctx, a, p, err)
	if expiredNow {
		// The click came after the deadline: the store expired it now.
		if fresh, ferr := e.cfg.Store.Approval(ctx, a.ID); ferr == nil && fresh.State == store.StateExpired {
			e.decided(ctx, fresh, "")
		}
	}
	return serr
}

// Deny refuses pending request id; nothing runs. The requester's own deny
// is a cancel. Errors as for Approve.
func (e *Engine) Deny(ctx context.Context, by Actor, id int64) (reply.Message, error) {
	a, p, err := e.loadApproval(ctx, by, id)
	if err != nil {
		return reply.Message{}, err
	}
	if by.User == a.Requester {
		return e.Cancel(ctx, by, id)
	}
	if !e.mayApprove(ctx, by.User, a) {
		e.audit(ctx, a.Team, by.User, auditAction("deny", a), a.Summary, "refused: not allowed", nil)
		return reply.Message{}, e.notAllowed(by.User, a, "deny")
	}
	return e.decide(ctx, by, a, p, "deny", store.StateDenied)
}

// Cancel withdraws pending request id; only its requester may (others get
// EUNAUTHORIZED). Errors as for Approve.
func (e *Engine) Cancel(ctx context.Context, by Actor, id int64) (reply.Message, error) {
	a, p, err := e.loadApproval(ctx, by, id)
	if err != nil {
		return reply.Message{}, err
	}
	if by.User != a.Requester {
		e.audit(ctx, a.Team, by.User, auditAction("cancel", a), a.Summary, "refused: not the requester", nil)
		return reply.Message{}, apperr.Errorf(apperr.EUNAUTHORIZED, "Only %s, who asked for #%d, can cancel it. Nothing changed.", human.Person(a.Requester), id)
	}
	return e.decide(ctx, by, a, p, "cancel", store.StateCancelled)
}

// decide ends a pending request without running it (deny, cancel): the
// decision and its audit line are one transaction.
func (e *Engine) decide(ctx context.Context, by Actor, a *store.Approval, p Plan, verb string, to store.ApprovalState) (reply.Message, error) {
	reason := ""
	var line store.AuditLine
	if to == store.StateDenied {
		reason = cleanReason(by.Reason)
		if reason != "" {
			line = func(verb string, a store.Approval) store.AuditEntry {
				return store.AuditEntry{Outcome: "denied: " + reason}
			}
		}
	}
	decided, err := e.cfg.Store.Decide(ctx, a.ID, to, by.User, line)
	if err != nil {
		return reply.Message{}, e.lostDecision(ctx, a, p, verb, err)
	}
	a = decided
	e.adoptMessage(ctx, by, a)
	e.observeApproval(string(to))
	override := ""
	if reason != "" {
		override = fmt.Sprintf("Denied by %s. Nothing was done.\nReason: %s", human.Person(a.DecidedBy), reason)
	}
	defer e.decided(ctx, a, reason)
	m := e.approvalMessage(a, p, nil, override)
	if e.publish(ctx, a, p, nil, override) {
		return reply.Message{Visibility: reply.Private, Tone: reply.Info,
			Text: fmt.Sprintf("#%d %s: %s. Nothing was done.", a.ID, to, a.Summary)}, nil
	}
	m.ReplaceOriginal = true
	return m, nil
}

// loadApproval fetches an approval of the caller's team.
func (e *Engine) loadApproval(ctx context.Context, by Actor, id int64) (*store.Approval, Plan, error) {
	a, err := e.cfg.Store.Approval(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Team != by.Team) {
		return nil, Plan{}, apperr.Errorf(apperr.ENOTFOUND, "There is no approval #%d; `approvals` lists the pending ones.", id)
	}
	if err != nil {
		return nil, Plan{}, fmt.Errorf("load approval %d: %w", id, err)
	}
	p, err := planOf(a)
	if err != nil {
		e.log.WarnContext(ctx, "stored approval plan unreadable", "id", id, "err", err)
	}
	return a, p, nil
}

// settled explains why a request can no longer be decided, after a
// compare-and-set lost (someone else decided first, or it expired).
func (e *Engine) settled(ctx context.Context, a *store.Approval, p Plan, cause error) error {
	fresh, err := e.cfg.Store.Approval(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("approval %d: %w (reload: %v)", a.ID, cause, err)
	}
	if fresh.State == store.StateExpired {
		e.publish(ctx, fresh, p, nil, "")
	}
	return &apperr.Error{Code: apperr.ECONFLICT, Message: settledText(fresh, p), Err: cause}
}

// settledText says where a request that cannot be decided any more stands.
func settledText(a *store.Approval, p Plan) string {
	by := ""
	if a.DecidedBy != "" {
		by = " by " + human.Person(a.DecidedBy)
		if a.DecidedAt != nil {
			by += " at " + human.DateTime(a.DecidedAt)
		}
	}
	id := a.ID
	switch a.State {
	case store.StateApproved, store.StateExecuting:
		return fmt.Sprintf("#%d was already approved%s; it runs once, nothing more to do.", id, by)
	case store.StateDone:
		if pr, err := decodeProgress(a.Progress); err == nil && len(a.Progress) > 0 {
			switch pr.Outcome {
			case outcomeFailed: // recorded before the store could say failed
				return fmt.Sprintf("#%d was already approved%s and ran once, but failed: %s", id, by, pr.Error)
			case "":
				return fmt.Sprintf("#%d was already approved%s and has run; its operations are still being followed.", id, by)
			}
		}
		return fmt.Sprintf("#%d was already approved%s and has run.", id, by)
	case store.StateFailed:
		if len(a.Progress) > 0 {
			return fmt.Sprintf("#%d was already approved%s and ran once, but failed: %s", id, by, human.OrDefault(a.Error, "see the request message"))
		}
		return fmt.Sprintf("#%d was approved%s and failed: %s", id, by, human.OrDefault(a.Error, "see the request message"))
	case store.StateDenied:
		return fmt.Sprintf("#%d was denied%s; nothing was done.", id, by)
	case store.StateCancelled:
		return fmt.Sprintf("#%d was cancelled%s; nothing was done.", id, by)
	case store.StateExpired:
		exp := a.ExpiresAt
		return fmt.Sprintf("#%d expired at %s without a decision; nothing was done. Ask again if it is still needed.", id, human.DateTime(&exp))
	case store.StateInterrupted:
		return fmt.Sprintf("#%d was interrupted; check in Gandi whether it ran (`%s`) before asking again.", id, checkCommand(p))
	}
	return fmt.Sprintf("#%d is %s.", id, a.State)
}

// publish shows the current state of a in its posted message (Notifier
// Update on the stored reference) and reports whether it could.
func (e *Engine) publish(ctx context.Context, a *store.Approval, p Plan, pr *progress, override string) bool {
	if e.cfg.Notifier == nil || a.MessageID == "" {
		return false
	}
	m := e.approvalMessage(a, p, pr, override)
	if err := e.cfg.Notifier.Update(ctx, reply.Ref{Channel: a.MessageChannel, ID: a.MessageID}, m); err != nil {
		e.log.WarnContext(ctx, "cannot update the approval message", "id", a.ID, "err", err)
		return false
	}
	return true
}

// maxReason bounds a denial's reason (a Slack input gives at most 3,000
// characters; the request's message has room for a few lines).
const maxReason = 500

// cleanReason is a denial's reason as shown: trimmed, on at most a few
// lines, at most maxReason characters.
func cleanReason(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason-1]) + "…"
	}
	return s
}

// adoptMessage gives a the message of the click that decided it when its
// own reference is not stored yet: the click came while Propose was still
// recording where it posted the request. Only the request in the channel
// where paid requests are posted counts, never an approver's DM copy.
func (e *Engine) adoptMessage(ctx context.Context, by Actor, a *store.Approval) {
	if a.MessageID != "" || by.Message.ID == "" || !isPaid(a.Action) {
		return
	}
	posted := a.Channel
	if e.cfg.ApprovalsChannel != "" {
		posted = e.cfg.ApprovalsChannel
	}
	if by.Message.Channel != posted {
		return
	}
	if err := e.cfg.Store.SetApprovalMessage(ctx, a.ID, by.Message.Channel, by.Message.ID); err != nil {
		e.log.WarnContext(ctx, "cannot record the message of a clicked request", "id", a.ID, "err", err)
	}
	a.MessageChannel, a.MessageID = by.Message.Channel, by.Message.ID
}
