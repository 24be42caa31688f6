package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
)

// The Deny form (DESIGN §9): a click on a paid request's Deny opens a
// small modal with an optional reason; its submission denies the request,
// and the requester's DM carries the reason. Everything the submission
// needs rides in the modal's private_metadata (the request's id and the
// channel of the click), since it may reach another replica.
const (
	// DenyFormID is the callback_id of the Deny form.
	DenyFormID = "approval.deny"
	// DenyReasonBlockID and DenyReasonActionID name its one input.
	DenyReasonBlockID  = "deny_reason"
	DenyReasonActionID = "reason"
	denyAction         = "approval.deny"
	maxDenyReason      = 500
)

// openDenyForm opens the Deny form for a click on a Deny button and
// reports whether it did; when it cannot (no trigger, Slack refused), the
// click is a denial without a reason, as the person asked.
func (s *Slack) openDenyForm(ctx context.Context, r *responder, triggerID string, cb *slack.InteractionCallback, a *slack.BlockAction) bool {
	if ActionOf(a.ActionID) != denyAction || triggerID == "" {
		return false
	}
	id, err := strconv.ParseInt(strings.TrimSpace(a.Value), 10, 64)
	if err != nil {
		return false
	}
	ch := interactionChannel(cb)
	view := RenderDenyForm(id, denyMetadata(denyForm{id: id, channel: ch, direct: isDirect(ch, cb.Channel.Name), ts: cb.Container.MessageTs}))
	err = s.poster.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := s.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
	if err != nil {
		s.logger.WarnContext(ctx, "deny form not opened; denying without a reason", "approval", id, "slack_error", slackCode(err))
		return false
	}
	return true
}

// RenderDenyForm renders the Deny form of request id: one optional,
// multi-line reason.
func RenderDenyForm(id int64, privateMetadata string) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(plain("Optional"), DenyReasonActionID)
	input.Multiline = true
	input.MaxLength = maxDenyReason
	block := slack.NewInputBlock(DenyReasonBlockID, plain("Reason (optional)"),
		plain("The requester is told by DM that you denied it, with this reason."), input)
	block.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(shorten("Deny request #"+strconv.FormatInt(id, 10), MaxModalTitle)),
		Submit:          plain("Deny"),
		Close:           plain("Keep it"),
		CallbackID:      DenyFormID,
		PrivateMetadata: privateMetadata,
		Blocks:          slack.Blocks{BlockSet: []slack.Block{block}},
	}
}

// denyForm is what the Deny form's submission needs of the click that
// opened it: the request, where the click was, and the message carrying
// the button (a click on a request posted a moment ago may come before
// its reference is stored).
type denyForm struct {
	id      int64
	channel string
	direct  bool
	ts      string
}

// denyMetadata is the Deny form's private_metadata:
// "id|channel|direct|ts", no user input and no secret.
func denyMetadata(f denyForm) string {
	d := "0"
	if f.direct {
		d = "1"
	}
	ts := f.ts
	if !isMessageTS(ts) {
		ts = ""
	}
	return strings.Join([]string{strconv.FormatInt(f.id, 10), channelMetadata(f.channel), d, ts}, "|")
}

// parseDenyMetadata reads denyMetadata back; ok is false when it is not.
func parseDenyMetadata(md string) (denyForm, bool) {
	parts := strings.Split(md, "|")
	if len(parts) != 4 {
		return denyForm{}, false
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 || (parts[3] != "" && !isMessageTS(parts[3])) {
		return denyForm{}, false
	}
	return denyForm{id: id, channel: channelFromMetadata(parts[1]), direct: parts[2] == "1", ts: parts[3]}, true
}

// isMessageTS accepts a Slack message ts: digits, a dot, digits.
func isMessageTS(s string) bool {
	sec, frac, ok := strings.Cut(s, ".")
	digits := func(x string) bool {
		return x != "" && len(x) <= 20 && strings.Trim(x, "0123456789") == ""
	}
	return ok && digits(sec) && digits(frac)
}

// submitDeny denies the request of a submitted Deny form: the modal
// closes at once (the ack), then the denial runs as the clicker's, and
// its answer reaches them privately.
func (s *Slack) submitDeny(ctx context.Context, cb slack.InteractionCallback, ack func(any)) {
	f, ok := parseDenyMetadata(cb.View.PrivateMetadata)
	if !ok {
		s.logger.WarnContext(ctx, "deny form without its request skipped", "user", cb.User.ID)
		ack(FormError(staleFormText))
		return
	}
	reason := ""
	if cb.View.State != nil {
		reason = cb.View.State.Values[DenyReasonBlockID][DenyReasonActionID].Value
	}
	ack(nil)
	msg := s.cfg.Core.Click(ctx, commands.Click{
		Team: teamOf(&cb), User: cb.User.ID, UserName: cb.User.Name, Channel: f.channel, Direct: f.direct,
		Action: denyAction, Value: strconv.FormatInt(f.id, 10), Reason: reason,
		Message: reply.Ref{Channel: f.channel, ID: f.ts},
	})
	msg.ReplaceOriginal = false
	msg.Visibility = reply.Private
	if err := s.poster.PostPrivate(ctx, f.channel, cb.User.ID, msg); err != nil {
		s.poster.logFailure(ctx, "cannot tell the person the outcome of their denial", err)
	}
}
