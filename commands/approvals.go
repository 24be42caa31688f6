package commands

// First version of the approval hook (issue 5). The approvals engineer
// takes this file over for issue 7 (dry runs, policy, progress following,
// passwords) and may add approvals_*.go files.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// propose stores p as a pending approval and answers with a confirm
// message whose buttons approve or deny it. Nothing is sent to Gandi here.
func (c *Core) propose(ctx context.Context, req Request, p Plan) (reply.Message, error) {
	params, err := json.Marshal(p)
	if err != nil {
		return reply.Message{}, fmt.Errorf("encode plan: %w", err)
	}
	a := &store.Approval{
		Team: req.Team, Channel: req.Channel, Requester: req.User,
		Action: p.Action, Target: p.Target, Params: params,
		Summary:   actionVerb(p.Action) + " " + p.Target,
		ExpiresAt: c.now().Add(c.ttl),
	}
	id, err := c.cfg.Store.CreateApproval(ctx, a)
	if err != nil {
		return reply.Message{}, fmt.Errorf("store approval: %w", err)
	}
	c.audit(ctx, req.Team, req.User, "request "+p.Action, p.Target, "pending", params)
	return c.confirmMessage(req.User, id, p), nil
}

// confirmMessage is the request shown with its Approve/Deny buttons.
func (c *Core) confirmMessage(requester string, id int64, p Plan) reply.Message {
	ids := strconv.FormatInt(id, 10)
	approve := reply.Button{Label: "Approve", Action: "approval.approve", Value: ids, Style: reply.Primary, Command: "approve " + ids}
	if p.Action == ActionDelete || p.Action == ActionVhostDelete {
		approve.Style = reply.Danger
		approve.Confirm = &reply.Confirm{
			Title: "Really " + actionVerb(p.Action) + "?", Text: "This will " + actionVerb(p.Action) + " " + p.Target + ". It cannot be undone.",
			Confirm: "Yes, " + actionVerb(p.Action), Deny: "Keep it",
		}
	}
	who := "You confirm your own request."
	vis := reply.Private
	if len(c.cfg.Approvers) > 0 {
		who = "An approver other than the requester must approve it."
		vis = reply.Shared
	}
	return reply.Message{
		Visibility: vis, Tone: reply.Warning,
		Title:  fmt.Sprintf("Approval #%d: %s %s", id, actionVerb(p.Action), p.Target),
		Fields: p.Summary,
		Notes:  []string{who, fmt.Sprintf("Requested by %s; expires in %s.", requester, humanDuration(c.ttl))},
		Buttons: []reply.Button{approve,
			{Label: "Deny", Action: "approval.deny", Value: ids, Command: "deny " + ids}},
	}
}

// mayDecide reports whether actor may approve or deny a's request.
func (c *Core) mayDecide(actor string, a *store.Approval) bool {
	if len(c.cfg.Approvers) == 0 {
		return actor == a.Requester
	}
	return c.isApprover(actor) && actor != a.Requester
}

// loadApproval fetches an approval of the caller's team.
func (c *Core) loadApproval(ctx context.Context, req Request, id int64) (*store.Approval, error) {
	a, err := c.cfg.Store.Approval(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Team != req.Team) {
		return nil, Errorf(ENOTFOUND, "There is no approval #%d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load approval %d: %w", id, err)
	}
	return a, nil
}

func stateConflict(id int64, err error) error {
	var se *store.StateError
	if errors.As(err, &se) {
		return &Error{Code: ECONFLICT, Message: fmt.Sprintf("Approval #%d is already %s.", id, se.Current), Err: err}
	}
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("There is no approval #%d.", id), Err: err}
	}
	return fmt.Errorf("approval %d: %w", id, err)
}

// approve runs the exactly-once chain: Approve → Claim → execute with the
// requester's key → Finish or Fail. Only the caller that wins both
// compare-and-sets calls the API.
func (c *Core) approve(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if !c.mayDecide(req.User, a) {
		c.audit(ctx, req.Team, req.User, "approve "+a.Action, a.Target, "refused: not allowed", nil)
		return reply.Message{}, Errorf(EUNAUTHORIZED, "You are not allowed to approve #%d.", id)
	}
	if err := c.cfg.Store.Approve(ctx, id, req.User); err != nil {
		return reply.Message{}, stateConflict(id, err)
	}
	if err := c.cfg.Store.Claim(ctx, id); err != nil {
		return reply.Message{}, stateConflict(id, err)
	}
	var p Plan
	if err := json.Unmarshal(a.Params, &p); err != nil {
		_ = c.cfg.Store.Fail(ctx, id, "the stored request is unreadable")
		return reply.Message{}, fmt.Errorf("decode plan %d: %w", id, err)
	}
	key, err := c.apiKey(ctx, a.Team, a.Requester)
	if err != nil {
		_ = c.cfg.Store.Fail(ctx, id, "the requester has no usable API key")
		return reply.Message{}, Errorf(EUNAUTHORIZED, "The requester of #%d has no usable Gandi API key any more; nothing was done.", id)
	}
	ops, err := c.execute(ctx, a, key, p)
	if err != nil {
		err = gandiErr(err, "no such object in the requester's account: "+p.Target)
		msg, _ := ErrorMessage(err)
		_ = c.cfg.Store.Fail(ctx, id, msg)
		c.audit(ctx, a.Team, req.User, p.Action, p.Target, "failed", nil)
		return reply.Message{}, err
	}
	result, _ := json.Marshal(ops)
	if err := c.cfg.Store.Finish(ctx, id, result); err != nil {
		c.log.ErrorContext(ctx, "approval finished at Gandi but not recorded", "id", id, "err", err)
	}
	c.audit(ctx, a.Team, req.User, p.Action, p.Target, "done", nil)
	m := reply.Message{
		Visibility: reply.Shared, Tone: reply.Success, ReplaceOriginal: true,
		Title: fmt.Sprintf("Approval #%d: %s %s — approved by %s", id, actionVerb(p.Action), p.Target, req.User),
	}
	if len(ops) > 0 {
		m.Table = &reply.Table{Columns: []string{"operation", "type", "step"}, Align: []bool{true, false, false}}
		for _, op := range ops {
			m.Table.Rows = append(m.Table.Rows, []string{strconv.Itoa(op.ID), op.Type, string(op.Step)})
		}
	}
	return m, nil
}

// execute makes the one real call of the plan.
func (c *Core) execute(ctx context.Context, a *store.Approval, key string, p Plan) ([]gandi.Operation, error) {
	gc := c.cfg.Gandi(key)
	one := func(op *gandi.Operation, err error) ([]gandi.Operation, error) {
		if err != nil || op == nil {
			return nil, err
		}
		return []gandi.Operation{*op}, nil
	}
	switch p.Action {
	case ActionCreate:
		if p.Create == nil {
			return nil, errors.New("create plan without params")
		}
		params := *p.Create
		pw, err := c.newPassword(ctx, a, p)
		if err != nil {
			return nil, err
		}
		params.Password = pw
		return gc.PaaS.Create(ctx, params)
	case ActionUpdate:
		if p.Update == nil {
			return nil, errors.New("update plan without params")
		}
		params := *p.Update
		if p.GeneratePassword {
			pw, err := c.newPassword(ctx, a, p)
			if err != nil {
				return nil, err
			}
			params.Password = pw
		}
		return gc.PaaS.Update(ctx, p.InstanceID, params)
	case ActionRenew:
		if p.Renew == nil {
			return nil, errors.New("renew plan without params")
		}
		return gc.PaaS.Renew(ctx, p.InstanceID, *p.Renew)
	case ActionRestart:
		return one(gc.PaaS.Restart(ctx, p.InstanceID))
	case ActionDelete:
		return gc.PaaS.Delete(ctx, p.InstanceID)
	case ActionVhostCreate:
		if p.Vhost == nil {
			return nil, errors.New("vhost plan without params")
		}
		return one(gc.Vhosts.Create(ctx, gandi.VhostCreateParams{PaasID: p.Vhost.PaasID, Vhost: p.Vhost.FQDN, ZoneAlter: p.Vhost.ZoneAlter, Override: p.Vhost.Override}))
	case ActionVhostDelete:
		if p.Vhost == nil {
			return nil, errors.New("vhost plan without params")
		}
		return one(gc.Vhosts.Delete(ctx, p.Vhost.FQDN))
	}
	return nil, fmt.Errorf("unknown action %q", p.Action)
}

// newPassword generates the instance password and sends it privately to
// the requester; it is never stored, logged or posted in a channel.
func (c *Core) newPassword(ctx context.Context, a *store.Approval, p Plan) (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	pw := b.String()
	if c.cfg.Notifier != nil {
		err := c.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, reply.Message{
			Tone: reply.Info, Title: "Password of " + p.Target,
			Text:  "`" + pw + "`",
			Notes: []string{"Shown to you only, once. paasbot does not keep it."},
		})
		if err != nil {
			return "", fmt.Errorf("send the generated password: %w", err)
		}
	}
	return pw, nil
}

// deny refuses a pending request.
func (c *Core) deny(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if !c.mayDecide(req.User, a) && req.User != a.Requester {
		return reply.Message{}, Errorf(EUNAUTHORIZED, "You are not allowed to deny #%d.", id)
	}
	if req.User == a.Requester && !c.mayDecide(req.User, a) {
		return c.cancel(ctx, req, id)
	}
	if err := c.cfg.Store.Deny(ctx, id, req.User); err != nil {
		return reply.Message{}, stateConflict(id, err)
	}
	c.audit(ctx, a.Team, req.User, "deny "+a.Action, a.Target, "denied", nil)
	return reply.Message{Visibility: reply.Shared, Tone: reply.Info, ReplaceOriginal: true,
		Title: fmt.Sprintf("Approval #%d: %s — denied by %s", id, a.Summary, req.User)}, nil
}

// cancel withdraws a pending request; only its requester may.
func (c *Core) cancel(ctx context.Context, req Request, id int64) (reply.Message, error) {
	a, err := c.loadApproval(ctx, req, id)
	if err != nil {
		return reply.Message{}, err
	}
	if req.User != a.Requester {
		return reply.Message{}, Errorf(EUNAUTHORIZED, "Only the requester may cancel #%d.", id)
	}
	if err := c.cfg.Store.Cancel(ctx, id, req.User); err != nil {
		return reply.Message{}, stateConflict(id, err)
	}
	c.audit(ctx, a.Team, req.User, "cancel "+a.Action, a.Target, "cancelled", nil)
	return reply.Message{Visibility: reply.Shared, Tone: reply.Info, ReplaceOriginal: true,
		Title: fmt.Sprintf("Approval #%d: %s — cancelled by %s", id, a.Summary, req.User)}, nil
}

// approvalCommands are approve, deny, cancel and approvals.
func (c *Core) approvalCommands() []*CommandSpec {
	idArg := []Param{{Name: "id", Kind: KindInt, Required: true, Hint: "<id>"}}
	decide := func(f func(*Core, context.Context, Request, int64) (reply.Message, error)) func(context.Context, *Core, *Call) (reply.Message, error) {
		return func(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
			id, _ := strconv.ParseInt(call.Arg(0), 10, 64)
			return f(c, ctx, call.Req, id)
		}
	}
	return []*CommandSpec{
		{Name: "approve", Summary: "approve a pending request (runs it)", Args: idArg, NoKey: true, Run: decide((*Core).approve), Examples: []string{"approve 7"}},
		{Name: "deny", Summary: "deny a pending request", Args: idArg, NoKey: true, Run: decide((*Core).deny), Examples: []string{"deny 7"}},
		{Name: "cancel", Summary: "withdraw your own pending request", Args: idArg, NoKey: true, Run: decide((*Core).cancel), Examples: []string{"cancel 7"}},
		{Name: "approvals", Summary: "pending requests you made or may approve", NoKey: true, Run: runApprovals},
	}
}

func runApprovals(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	all, err := c.cfg.Store.PendingApprovals(ctx, call.Req.Team)
	if err != nil {
		return reply.Message{}, fmt.Errorf("pending approvals: %w", err)
	}
	t := &reply.Table{Columns: []string{"id", "request", "by", "expires"}, Align: []bool{true, false, false, false}}
	var buttons []reply.Button
	for _, a := range all {
		if a.Requester != call.Req.User && !c.mayDecide(call.Req.User, &a) {
			continue
		}
		ids := strconv.FormatInt(a.ID, 10)
		t.Rows = append(t.Rows, []string{ids, a.Summary, a.Requester, "in " + humanDuration(a.ExpiresAt.Sub(c.now()))})
		if c.mayDecide(call.Req.User, &a) && len(buttons) < 20 {
			buttons = append(buttons, reply.Button{Label: "Approve #" + ids, Action: "approval.approve", Value: ids, Command: "approve " + ids})
		}
	}
	if len(t.Rows) == 0 {
		return reply.Message{Text: "No pending approvals for you."}, nil
	}
	return reply.Message{Title: "Pending approvals", Table: t, Buttons: buttons}, nil
}

// audit appends to the audit log; a failure is logged, not shown.
func (c *Core) audit(ctx context.Context, team, actor, action, target, outcome string, params json.RawMessage) {
	err := c.cfg.Store.Audit(ctx, store.AuditEntry{Team: team, Actor: actor, Action: action, Target: target, Outcome: outcome, Params: params, At: c.now()})
	if err != nil {
		c.log.ErrorContext(ctx, "audit failed", "action", action, "err", err)
	}
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
