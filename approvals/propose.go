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

// confirmTTL bounds how long a private confirm button (restart, delete,
// vhost) stays usable: it is answered within minutes or forgotten.
const confirmTTL = time.Hour

// Propose is the hook of every paid and destructive command: by asks for
// p, and key is their own API key, already read by the caller (it is
// decrypted once per command). Nothing that can bill leaves before the
// approval: p is checked against the reference, then Gandi is asked what
// it can say without acting, all at once (inspect): the dry run of a
// create or vhost create, or, since paas.renew and paas.update have none,
// paas.info, against which they are checked (exists, state allows it, not
// a no-op); beside it the catalog price. A refusal is answered with its
// reasons and nothing is stored. Otherwise it stores the request and
// either posts it in the channel for an approver (paid) or answers with a
// private confirm button.
//
// Errors are *apperr.Error values for people (a bad plan, the instance
// refuses the change, Gandi refused the key…) or internal ones (the store
// failed).
func (e *Engine) Propose(ctx context.Context, by Actor, key secret.Value, p Plan) (reply.Message, error) {
	summary := actionVerb(p.Action) + " " + p.Target
	refuse := func(err error) (reply.Message, error) {
		why := "refused: " + e.firstLine(ctx, err)
		e.audit(ctx, by.Team, by.User, "request", summary, why, nil)
		e.auditChannel(ctx, nil, by.User, summary, reply.Warning, why)
		return reply.Message{}, err
	}
	if err := checkPlan(p); err != nil {
		return refuse(err)
	}
	channel := by.Channel
	if isPaid(p.Action) {
		var err error
		if channel, err = e.requestChannel(by); err != nil {
			return refuse(err)
		}
	}
	gc := e.cfg.Gandi(key, 0)
	in, err := e.inspect(ctx, gc, p)
	var ran *gandi.DryRunIgnoredError
	switch {
	case errors.As(err, &ran):
		return e.ranWithoutApproval(ctx, by, p, ran.Operations, in.dryPass)
	case err != nil:
		return refuse(apperr.FromGandi(err, fmt.Sprintf("no instance %s in your account", p.Target)))
	case len(in.dry) > 0:
		refusal := e.refusal(ctx, gc, p, in.dry)
		e.audit(ctx, by.Team, by.User, "request", summary, "refused by dry run: "+refusal.reasons, nil)
		e.auditChannel(ctx, nil, by.User, summary, reply.Warning, "refused by Gandi's dry run: "+refusal.reasons)
		return refusal.msg, nil
	}
	if in.info != nil {
		if err := checkInstance(p, in.info); err != nil {
			return refuse(err)
		}
		describe(&p, in.info)
	}
	if in.price != "" {
		p.Summary = append(p.Summary, reply.Field{Label: "Price", Value: in.price})
	}
	a, err := e.newRequest(ctx, by, p, summary)
	if err != nil {
		return reply.Message{}, err
	}
	e.audit(ctx, by.Team, by.User, fmt.Sprintf("request %s #%d", p.Action, a.ID), summary, "pending", a.Params)
	m := e.approvalMessage(a, p, nil, "")
	if !isPaid(p.Action) {
		return m, nil
	}
	return e.postRequest(ctx, a, p, channel, m), nil
}

// newRequest records p as a new pending request of by.
func (e *Engine) newRequest(ctx context.Context, by Actor, p Plan, summary string) (*store.Approval, error) {
	params, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	ttl := e.cfg.TTL
	if !isPaid(p.Action) && ttl > confirmTTL {
		ttl = confirmTTL
	}
	channel := by.Channel
	if channel == "" {
		channel = "local"
	}
	a := &store.Approval{
		Team: by.Team, Channel: channel, Requester: by.User,
		Action: p.Action, Target: p.Target, Params: params, Summary: summary,
		ExpiresAt: e.now().Add(ttl),
	}
	if _, err := e.cfg.Store.CreateApproval(ctx, a); err != nil {
		return nil, fmt.Errorf("store approval: %w", err)
	}
	e.observeApproval(string(store.StatePending))
	return a, nil
}

// postRequest posts the paid request in channel (the approvals channel,
// or where it was asked), DMs the people it waits for, and answers the
// requester privately, with its link when it went to another channel and
// with whoever could not be reached. When it cannot be posted (no
// notifier, Slack refused), the request itself is the answer, so that its
// buttons are still somewhere (and in the approvers' DMs).
func (e *Engine) postRequest(ctx context.Context, a *store.Approval, p Plan, channel string, m reply.Message) reply.Message {
	if e.cfg.Notifier == nil {
		return m
	}
	ref, postErr := e.cfg.Notifier.Post(ctx, channel, m)
	if postErr != nil {
		e.log.WarnContext(ctx, "cannot post the approval request; answering with it instead", "id", a.ID, "channel", channel, "err", postErr)
	}
	if postErr == nil && ref.ID != "" {
		if err := e.cfg.Store.SetApprovalMessage(ctx, a.ID, ref.Channel, ref.ID); err != nil {
			e.log.ErrorContext(ctx, "cannot record where the approval was posted", "id", a.ID, "err", err)
		}
		a.MessageChannel, a.MessageID = ref.Channel, ref.ID
	}
	missed := e.notifyDeciders(ctx, a, p, false)
	e.changed(ctx, a)
	if postErr != nil {
		m.Notes = append(m.Notes, "paasbot could not post this request "+e.channelWords(channel, a)+": "+e.firstLine(ctx, postErr))
		m.Notes = append(m.Notes, missed...)
		return m
	}
	wait := "waiting for an approver: " + e.approverList() + "."
	if len(e.cfg.Approvers) == 0 {
		wait = fmt.Sprintf("confirm it yourself with its Approve button (or `approve %d`).", a.ID)
	}
	where := e.channelWords(channel, a)
	answer := reply.Message{Visibility: reply.Private, Tone: reply.Info,
		Text:  fmt.Sprintf("Approval request #%d posted %s; %s", a.ID, where, wait),
		Notes: []string{fmt.Sprintf("You can withdraw it with `cancel %d`. It expires in %s.", a.ID, human.Duration(a.ExpiresAt.Sub(e.now())))},
	}
	if channel != a.Channel {
		answer.Notes = append(linkNote(e.link(ctx, a)), answer.Notes...)
	}
	if len(missed) > 0 {
		answer.Tone = reply.Warning
		answer.Notes = append(answer.Notes, missed...)
	}
	return answer
}

// channelWords names where a request was posted, for its requester.
func (e *Engine) channelWords(channel string, a *store.Approval) string {
	if channel == a.Channel {
		return "in the channel"
	}
	if channel == e.cfg.ApprovalsChannel {
		return "in the approvals channel"
	}
	return "in channel " + channel
}
