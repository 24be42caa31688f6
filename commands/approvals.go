package commands

import (
	"context"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
)

// Approvals is what the core hands the paid and destructive commands and
// their decisions to (*approvals.Engine implements it). Its errors are
// *apperr.Error values for people, or internal ones.
type Approvals interface {
	// Propose checks (with Gandi's dry run where it has one), stores and
	// posts (or asks to confirm) plan p of by, made with by's own key.
	Propose(ctx context.Context, by approvals.Actor, key secret.Value, p approvals.Plan) (reply.Message, error)
	// Approve, Deny and Cancel decide request id for by; Approve runs it.
	Approve(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error)
	Deny(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error)
	Cancel(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error)
	// Pending lists the pending requests by may see, with their buttons.
	Pending(ctx context.Context, by approvals.Actor) (reply.Message, error)
	// PendingFor is the same list as items, for views of their own (App
	// Home).
	PendingFor(ctx context.Context, by approvals.Actor) ([]approvals.PendingItem, error)
	// IsApprover reports whether user is a configured approver.
	IsApprover(user string) bool
}

// actor is who made req, for the approvals engine.
func actor(req Request) approvals.Actor {
	return approvals.Actor{Team: req.Team, User: req.User, Channel: req.Channel, Direct: req.Direct}
}

// propose hands the plan of a paid or destructive command to the engine,
// with the key the command already read.
func (c *Core) propose(ctx context.Context, call *Call, p approvals.Plan) (reply.Message, error) {
	return c.cfg.Approvals.Propose(ctx, actor(call.Req), call.key, p)
}

// decision is one of the engine's Approve, Deny and Cancel.
type decision func(a Approvals, ctx context.Context, by approvals.Actor, id int64) (reply.Message, error)

// decide runs d on request id for by.
func (c *Core) decide(ctx context.Context, d decision, by approvals.Actor, id int64) (reply.Message, error) {
	return d(c.cfg.Approvals, ctx, by, id)
}

// approvalCommands are approve, deny, cancel and approvals.
func (c *Core) approvalCommands() []*CommandSpec {
	idArg := []Param{{Name: "id", Kind: KindInt, Required: true, Hint: "<id>"}}
	typed := func(d decision) func(context.Context, *Core, *Call) (reply.Message, error) {
		return func(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
			id, err := strconv.ParseInt(strings.TrimPrefix(call.Arg(0), "#"), 10, 64)
			if err != nil {
				return reply.Message{}, apperr.Errorf(apperr.EINVALID, "An approval is named by its number, e.g. `approve 7`.")
			}
			by := actor(call.Req)
			by.Reason = call.String("reason")
			return c.decide(ctx, d, by, id)
		}
	}
	reason := []Param{{Name: "reason", Kind: KindString, Hint: `"why"`}}
	return []*CommandSpec{
		{Name: "approve", Summary: "approve (or confirm) a pending request: it runs once", Args: idArg, NoKey: true, Run: typed(Approvals.Approve), Examples: []string{"approve 7"}},
		{Name: "deny", Summary: "deny a pending request, with an optional reason its requester is told", Args: idArg, Keys: reason, NoKey: true, Run: typed(Approvals.Deny),
			Examples: []string{"deny 7", `deny 7 reason="not before the sale"`}},
		{Name: "cancel", Summary: "withdraw your own pending request", Args: idArg, NoKey: true, Run: typed(Approvals.Cancel), Examples: []string{"cancel 7"}},
		{Name: "approvals", Summary: "pending requests of this workspace", NoKey: true, Run: runApprovals},
	}
}

// runApprovals lists the team's pending requests.
func runApprovals(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	return c.cfg.Approvals.Pending(ctx, actor(call.Req))
}
