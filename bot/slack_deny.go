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
	view := RenderDenyForm(id, denyMetadata(id, ch, isDirect(ch, cb.Channel.Name)))
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

// denyMetadata is the Deny form's private_metadata: "id|channel|direct".
func denyMetadata(id int64, channel string, direct bool) string {
	d := "0"
	if direct {
		d = "1"
	}
	return strconv.FormatInt(id, 10) + "|" + channelMetadata(channel) + "|" + d
}

// parseDenyMetadata reads denyMetadata back; ok is false when it is not.
func parseDenyMetadata(md string) (id int64, channel string, direct, ok bool) {
	parts := strings.Split(md, "|")
	if len(parts) != 3 {
		return 0, "", false, false
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false, false
	}
	return id, channelFromMetadata(parts[1]), parts[2] == "1", true
}

// submitDeny denies the request of a submitted Deny form: the modal
// closes at once (the ack), then the denial runs as the clicker's, and
// its answer reaches them privately.
func (s *Slack) submitDeny(ctx context.Context, cb slack.InteractionCallback, ack func(any)) {
	id, channel, direct, ok := parseDenyMetadata(cb.View.PrivateMetadata)
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
		Team: teamOf(&cb), User: cb.User.ID, UserName: cb.User.Name, Channel: channel, Direct: direct,
		Action: denyAction, Value: strconv.FormatInt(id, 10), Reason: reason,
	})
	msg.ReplaceOriginal = false
	msg.Visibility = reply.Private
	if err := s.poster.PostPrivate(ctx, channel, cb.User.ID, msg); err != nil {
		s.poster.logFailure(ctx, "cannot tell the person the outcome of their denial", err)
	}
}
