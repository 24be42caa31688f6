package commands

// The approval flow of paid and destructive operations (DESIGN.md §5,
// issue 7). Paid calls (create, update, renew) are dry-run with the
// requester's key, then posted in the channel as a request that an
// approver decides; restart, delete and vhost create/delete are confirmed
// by the requester alone with a private button. Either way the request is
// a row of the store that moves pending → approved → executing → done |
// failed by compare-and-set, so the real call runs at most once whatever
// the clicks, retries and restarts.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// confirmTTL bounds how long a private confirm button (restart, delete,
// vhost) stays usable: it is answered within minutes or forgotten.
const confirmTTL = time.Hour

// isPaid reports whether action costs money and needs an approval in the
// channel; the other actions are confirmed by the requester alone.
func isPaid(action string) bool {
	return action == ActionCreate || action == ActionUpdate || action == ActionRenew
}

// propose is the hook of every paid and destructive handler. It runs the
// same call as a dry run with the requester's key (paid calls and vhost
// create); a refusal is shown with its reasons and nothing is stored.
// Otherwise it stores the request and either posts it in the channel for
// an approver (paid) or answers with a private confirm button.
func (c *Core) propose(ctx context.Context, req Request, p Plan) (reply.Message, error) {
	key, err := c.apiKey(ctx, req.Team, req.User)
	if err != nil {
		return reply.Message{}, err
	}
	gc := c.cfg.Gandi(key)
	summary := actionVerb(p.Action) + " " + p.Target
	if refusal, err := c.dryRun(ctx, gc, p); err != nil {
		c.audit(ctx, req.Team, req.User, "request", summary, "refused: "+c.firstLine(ctx, err), nil)
		return reply.Message{}, err
	} else if refusal != nil {
		c.audit(ctx, req.Team, req.User, "request", summary, "refused by dry run: "+refusal.reasons, nil)
		return refusal.msg, nil
	}
	if isPaid(p.Action) {
		c.enrichPlan(ctx, gc, &p)
	}
	params, err := json.Marshal(p)
	if err != nil {
		return reply.Message{}, fmt.Errorf("encode plan: %w", err)
	}
	ttl := c.ttl
	if !isPaid(p.Action) && ttl > confirmTTL {
		ttl = confirmTTL
	}
	channel := req.Channel
	if channel == "" {
		channel = "local"
	}
	a := &store.Approval{
		Team: req.Team, Channel: channel, Requester: req.User,
		Action: p.Action, Target: p.Target, Params: params, Summary: summary,
		ExpiresAt: c.now().Add(ttl),
	}
	id, err := c.cfg.Store.CreateApproval(ctx, a)
	if err != nil {
		return reply.Message{}, fmt.Errorf("store approval: %w", err)
	}
	c.observeApproval(string(store.StatePending))
	c.audit(ctx, req.Team, req.User, fmt.Sprintf("request %s #%d", p.Action, id), summary, "pending", params)
	m := c.approvalMessage(a, p, nil, "")
	if !isPaid(p.Action) {
		return m, nil
	}
	return c.postRequest(ctx, a, m), nil
}

// postRequest posts the paid request in its channel and answers the
// requester privately. When it cannot be posted (no notifier, Slack
// refused), the request itself is the answer, shared, so that its buttons
// are still somewhere.
func (c *Core) postRequest(ctx context.Context, a *store.Approval, m reply.Message) reply.Message {
	if c.cfg.Notifier == nil {
		return m
	}
	ref, err := c.cfg.Notifier.Post(ctx, a.Channel, m)
	if err != nil {
		c.log.WarnContext(ctx, "cannot post the approval request; answering with it instead", "id", a.ID, "err", err)
		return m
	}
	if ref.ID != "" {
		if err := c.cfg.Store.SetApprovalMessage(ctx, a.ID, ref.Channel, ref.ID); err != nil {
			c.log.ErrorContext(ctx, "cannot record where the approval was posted", "id", a.ID, "err", err)
		}
		a.MessageChannel, a.MessageID = ref.Channel, ref.ID
	}
	wait := "waiting for an approver: " + c.approverList() + "."
	if len(c.cfg.Approvers) == 0 {
		wait = fmt.Sprintf("confirm it yourself with its Approve button (or `approve %d`).", a.ID)
	}
	return reply.Message{Visibility: reply.Private, Tone: reply.Info,
		Text:  fmt.Sprintf("Approval request #%d posted in the channel; %s", a.ID, wait),
		Notes: []string{fmt.Sprintf("You can withdraw it with `cancel %d`. It expires in %s.", a.ID, human.Duration(a.ExpiresAt.Sub(c.now())))},
	}
}

// mayApprove reports whether actor may approve (run) a: the requester
// alone for confirm-flow actions and when no approvers are configured;
// otherwise a listed approver who is not the requester (four eyes).
func (c *Core) mayApprove(actor string, a *store.Approval) bool {
	if !isPaid(a.Action) || len(c.cfg.Approvers) == 0 {
		return actor == a.Requester
	}
	return c.isApprover(actor) && actor != a.Requester
}

// notAllowed is the private answer to a click that changes nothing: it
// says who may decide instead.
func (c *Core) notAllowed(actor string, a *store.Approval, verb string) error {
	var who string
	switch {
	case !isPaid(a.Action) || len(c.cfg.Approvers) == 0:
		who = fmt.Sprintf("only %s, who asked for it, can %s it.", human.Person(a.Requester), verb)
	case actor == a.Requester:
		who = fmt.Sprintf("you asked for it, and an approver other than the requester must %s it: %s. You may still withdraw it with `cancel %d`.",
			verb, c.approverList(), a.ID)
	default:
		who = fmt.Sprintf("an approver other than the requester must %s it: %s.", verb, c.approverList())
	}
	return apperr.Errorf(apperr.EUNAUTHORIZED, "You are not allowed to %s #%d (%s): %s Nothing changed.", verb, a.ID, a.Summary, who)
}

// approverList names the configured approvers for messages.
func (c *Core) approverList() string {
	if len(c.cfg.Approvers) == 0 {
		return "the requester"
	}
	names := make([]string, len(c.cfg.Approvers))
	for i, u := range c.cfg.Approvers {
		names[i] = human.Person(u)
	}
	return strings.Join(names, ", ")
}

// loadApproval fetches an approval of the caller's team.
func (c *Core) loadApproval(ctx context.Context, req Request, id int64) (*store.Approval, Plan, error) {
	a, err := c.cfg.Store.Approval(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Team != req.Team) {
		return nil, Plan{}, apperr.Errorf(apperr.ENOTFOUND, "There is no approval #%d; `approvals` lists the pending ones.", id)
	}
	if err != nil {
		return nil, Plan{}, fmt.Errorf("load approval %d: %w", id, err)
	}
	p, err := planOf(a)
	if err != nil {
		c.log.WarnContext(ctx, "stored approval plan unreadable", "id", id, "err", err)
	}
	return a, p, nil
}

// settled explains why a request can no longer be decided, after a
// compare-and-set lost (someone else decided first, or it expired).
func (c *Core) settled(ctx context.Context, a *store.Approval, p Plan, cause error) error {
	fresh, err := c.cfg.Store.Approval(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("approval %d: %w (reload: %v)", a.ID, cause, err)
	}
	if fresh.State == store.StateExpired {
		c.publish(ctx, fresh, p, nil, "")
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

// approve runs the exactly-once chain: Approve (pending → approved) and
// Claim (approved → executing) are compare-and-sets, so among any number
// of concurrent clicks, retried envelopes and typed `approve` exactly one
// caller reaches the call, made with the requester's key.
func (c *Core) approve(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, p, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if !c.mayApprove(req.User, a) {
		c.audit(ctx, a.Team, req.User, auditAction("approve", a), a.Summary, "refused: not allowed", nil)
		return reply.Message{}, c.notAllowed(req.User, a, verbFor(a, "approve"))
	}
	if a.State != store.StatePending {
		return reply.Message{}, c.settled(ctx, a, p, nil)
	}
	if err := c.cfg.Store.Approve(ctx, id, req.User); err != nil {
		if !errors.Is(err, store.ErrConflict) {
			return reply.Message{}, fmt.Errorf("approve %d: %w", id, err)
		}
		var se *store.StateError
		if errors.As(err, &se) && se.Current == store.StateExpired {
			c.audit(ctx, a.Team, req.User, auditAction("approve", a), a.Summary, "refused: expired", nil)
			c.observeApproval(string(store.StateExpired))
		}
		return reply.Message{}, c.settled(ctx, a, p, err)
	}
	now := c.now()
	a.State, a.DecidedBy, a.DecidedAt = store.StateApproved, req.User, &now
	c.observeApproval(string(store.StateApproved))
	c.audit(ctx, a.Team, req.User, auditAction("approve", a), a.Summary, "approved", nil)
	c.publish(ctx, a, p, nil, "")
	if err := c.cfg.Store.Claim(ctx, id); err != nil {
		// Only a restart's InterruptExecuting can take it from us here.
		return reply.Message{}, c.settled(ctx, a, p, err)
	}
	a.State = store.StateExecuting
	c.observeApproval(string(store.StateExecuting))
	return c.execute(ctx, req, a, p)
}

// verbFor is the verb of the approve button: "confirm" for the requester's
// own confirm flow, "approve" for a paid request.
func verbFor(a *store.Approval, paid string) string {
	if !isPaid(a.Action) {
		return "confirm"
	}
	return paid
}

// deny refuses a pending request. The requester's own deny is a cancel.
func (c *Core) deny(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, p, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if req.User == a.Requester {
		return c.cancel(ctx, req, id)
	}
	if !c.mayApprove(req.User, a) {
		c.audit(ctx, a.Team, req.User, auditAction("deny", a), a.Summary, "refused: not allowed", nil)
		return reply.Message{}, c.notAllowed(req.User, a, "deny")
	}
	return c.decide(ctx, req, a, p, "deny", store.StateDenied, c.cfg.Store.Deny)
}

// cancel withdraws a pending request; only its requester may.
func (c *Core) cancel(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, p, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if req.User != a.Requester {
		c.audit(ctx, a.Team, req.User, auditAction("cancel", a), a.Summary, "refused: not the requester", nil)
		return reply.Message{}, apperr.Errorf(apperr.EUNAUTHORIZED, "Only %s, who asked for #%d, can cancel it. Nothing changed.", human.Person(a.Requester), id)
	}
	return c.decide(ctx, req, a, p, "cancel", store.StateCancelled, c.cfg.Store.Cancel)
}

// decide ends a pending request without running it (deny, cancel).
func (c *Core) decide(ctx context.Context, req Request, a *store.Approval, p Plan, verb string, to store.ApprovalState,
	move func(context.Context, int64, string) error) (reply.Message, error) {
	if err := move(ctx, a.ID, req.User); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return reply.Message{}, c.settled(ctx, a, p, err)
		}
		return reply.Message{}, fmt.Errorf("%s %d: %w", verb, a.ID, err)
	}
	now := c.now()
	a.State, a.DecidedBy, a.DecidedAt = to, req.User, &now
	c.observeApproval(string(to))
	c.audit(ctx, a.Team, req.User, auditAction(verb, a), a.Summary, string(to), nil)
	m := c.approvalMessage(a, p, nil, "")
	if c.publish(ctx, a, p, nil, "") {
		return reply.Message{Visibility: reply.Private, Tone: reply.Info,
			Text: fmt.Sprintf("#%d %s: %s. Nothing was done.", a.ID, to, a.Summary)}, nil
	}
	m.ReplaceOriginal = true
	return m, nil
}

// publish shows the current state of a in its posted message (Notifier
// Update on the stored reference) and reports whether it could.
func (c *Core) publish(ctx context.Context, a *store.Approval, p Plan, pr *progress, override string) bool {
	if c.cfg.Notifier == nil || a.MessageID == "" {
		return false
	}
	m := c.approvalMessage(a, p, pr, override)
	if err := c.cfg.Notifier.Update(ctx, reply.Ref{Channel: a.MessageChannel, ID: a.MessageID}, m); err != nil {
		c.log.WarnContext(ctx, "cannot update the approval message", "id", a.ID, "err", err)
		return false
	}
	return true
}

// approvalCommands are approve, deny, cancel and approvals.
func (c *Core) approvalCommands() []*CommandSpec {
	idArg := []Param{{Name: "id", Kind: KindInt, Required: true, Hint: "<id>"}}
	decide := func(f func(*Core, context.Context, Request, int64) (reply.Message, error)) func(context.Context, *Core, *Call) (reply.Message, error) {
		return func(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
			id, err := strconv.ParseInt(strings.TrimPrefix(call.Arg(0), "#"), 10, 64)
			if err != nil {
				return reply.Message{}, apperr.Errorf(apperr.EINVALID, "An approval is named by its number, e.g. `approve 7`.")
			}
			return f(c, ctx, call.Req, id)
		}
	}
	return []*CommandSpec{
		{Name: "approve", Summary: "approve (or confirm) a pending request: it runs once", Args: idArg, NoKey: true, Run: decide((*Core).approve), Examples: []string{"approve 7"}},
		{Name: "deny", Summary: "deny a pending request", Args: idArg, NoKey: true, Run: decide((*Core).deny), Examples: []string{"deny 7"}},
		{Name: "cancel", Summary: "withdraw your own pending request", Args: idArg, NoKey: true, Run: decide((*Core).cancel), Examples: []string{"cancel 7"}},
		{Name: "approvals", Summary: "pending requests of this workspace", NoKey: true, Run: runApprovals},
	}
}

// runApprovals lists the team's pending requests (a private confirm only to
// its requester), with buttons for those the caller may decide.
func runApprovals(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	all, err := c.cfg.Store.PendingApprovals(ctx, call.Req.Team)
	if err != nil {
		return reply.Message{}, fmt.Errorf("pending approvals: %w", err)
	}
	t := &reply.Table{Columns: []string{"id", "request", "asked by", "expires"}, Align: []bool{true, false, false, false}}
	var buttons []reply.Button
	user := call.Req.User
	for _, a := range all {
		if !isPaid(a.Action) && a.Requester != user {
			continue
		}
		ids := strconv.FormatInt(a.ID, 10)
		t.Rows = append(t.Rows, []string{ids, a.Summary, human.Person(a.Requester), "in " + human.Duration(a.ExpiresAt.Sub(c.now()))})
		if len(buttons) > 20 {
			continue
		}
		buttons = append(buttons, c.listButtons(user, &a)...)
	}
	if len(t.Rows) == 0 {
		return reply.Message{Text: "No pending approvals."}, nil
	}
	m := reply.Message{Title: "Pending approvals", Table: t, Buttons: buttons}
	if len(c.cfg.Approvers) > 0 {
		m.Notes = []string{"Approvers: " + c.approverList() + " (never the requester)."}
	}
	return m, nil
}

// listButtons are the buttons of a's own message (pendingButtons, so a
// delete keeps its confirm dialog naming the instance) that user may
// press, labelled with a's id: Approve/Deny (or Confirm) for a decider,
// Cancel for the requester.
func (c *Core) listButtons(user string, a *store.Approval) []reply.Button {
	p, _ := planOf(a) // unreadable: the action and target still name it
	decider, requester := c.mayApprove(user, a), a.Requester == user
	var out []reply.Button
	for _, b := range c.pendingButtons(a, p) {
		switch {
		case b.Action == "approval.cancel" && requester,
			b.Action != "approval.cancel" && decider:
			b.Label += " #" + strconv.FormatInt(a.ID, 10)
			out = append(out, b)
		}
	}
	return out
}

// audit appends to the audit log; a failure is logged, not shown. params
// must never hold a secret (the store redacts secret-looking keys too).
func (c *Core) audit(ctx context.Context, team, actor, action, target, outcome string, params json.RawMessage) {
	err := c.cfg.Store.Audit(ctx, store.AuditEntry{Team: team, Actor: actor, Action: action, Target: target, Outcome: outcome, Params: params, At: c.now()})
	if err != nil {
		c.log.ErrorContext(ctx, "audit failed", "action", action, "err", err)
	}
}

// observeApproval counts a request entering state.
func (c *Core) observeApproval(state string) {
	if c.cfg.Metrics != nil {
		c.cfg.Metrics.ObserveApproval(state)
	}
}

func (c *Core) firstLine(ctx context.Context, err error) string {
	msg := apperr.Message(ctx, c.log, "request refused", err)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

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

// auditAction names an audited step of request a: "approve paas.renew #7".
func auditAction(verb string, a *store.Approval) string {
	return fmt.Sprintf("%s %s #%d", verb, a.Action, a.ID)
}
