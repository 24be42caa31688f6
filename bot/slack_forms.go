package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// startSubmission checks a submitted modal off the event loop and
// acknowledges it with the outcome.
func (s *Slack) startSubmission(ctx, workCtx context.Context, req *socketmode.Request, cb slack.InteractionCallback, received time.Time) {
	select {
	case s.forms <- struct{}{}:
	default:
		s.logger.WarnContext(ctx, "too many form submissions at once, refusing one", "envelope_id", req.EnvelopeID)
		s.ack(ctx, req.EnvelopeID, FormError(formsBusyText), received)
		return
	}
	s.side.Go(func() {
		defer func() { <-s.forms }()
		s.submit(workCtx, req.EnvelopeID, req.RetryAttempt, cb, received)
	})
}

func (s *Slack) submit(ctx context.Context, envelopeID string, retry int, cb slack.InteractionCallback, received time.Time) {
	ctx = telemetry.WithRequestID(ctx, telemetry.NewRequestID())
	acked := false
	ack := func(payload any) {
		if acked {
			return
		}
		acked = true
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		s.ack(actx, envelopeID, payload, received)
	}
	defer func() {
		if v := recover(); v != nil {
			ref := telemetry.NewRequestID()
			s.logger.ErrorContext(ctx, "panic while checking a form", "ref", ref, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			ack(FormError(fmt.Sprintf("internal error (ref %s)", ref)))
		}
	}()

	first, err := s.firstDelivery(ctx, envelopeID, cb.TriggerID)
	switch {
	case err != nil:
		s.logger.ErrorContext(ctx, "de-duplication failed, form not checked", "envelope_id", envelopeID, "error", err.Error())
		ack(FormError(dedupDownText))
		return
	case !first:
		s.logger.InfoContext(ctx, "repeated form submission skipped", "envelope_id", envelopeID, "retry_attempt", retry)
		ack(nil)
		return
	}
	if cb.View.CallbackID == DenyFormID && cb.User.ID != "" && teamOf(&cb) != "" {
		s.submitDeny(ctx, cb, ack)
		return
	}
	if strings.HasPrefix(cb.View.CallbackID, commands.FormPrefix) {
		s.submitCommand(ctx, envelopeID, cb, received, ack)
		return
	}
	value, ok := FormValue(cb.View)
	if !ok || cb.User.ID == "" {
		s.logger.WarnContext(ctx, "form submission without its input skipped", "envelope_id", envelopeID, "callback_id", cb.View.CallbackID)
		ack(FormError(staleFormText))
		return
	}
	if teamOf(&cb) == "" {
		s.logger.WarnContext(ctx, "form submission without a team id skipped", "envelope_id", envelopeID, "user", cb.User.ID, "callback_id", cb.View.CallbackID)
		ack(FormError(unreadableText))
		return
	}
	channel := channelFromMetadata(cb.View.PrivateMetadata)
	s.logger.InfoContext(ctx, "form submitted", "envelope_id", envelopeID, "user", cb.User.ID, "form", cb.View.CallbackID)

	fctx, cancel := context.WithTimeout(ctx, s.cfg.FormTimeout)
	msg, err := s.cfg.Core.SubmitForm(fctx, commands.Submission{
		Team: teamOf(&cb), User: cb.User.ID, Channel: channel, FormID: cb.View.CallbackID, Value: value,
	})
	timedOut := fctx.Err() != nil
	cancel()
	if err != nil {
		internal := apperr.CodeOf(err) == apperr.EINTERNAL
		text := apperr.Message(ctx, s.logger, "form refused with an internal error", err, "envelope_id", envelopeID, "form", cb.View.CallbackID)
		if timedOut && (internal || errors.Is(err, context.DeadlineExceeded)) {
			text = formTimeoutText
		}
		ack(FormError(text))
		return
	}
	ack(nil) // closes the modal
	if err := s.poster.PostPrivate(ctx, channel, cb.User.ID, msg); err != nil {
		s.poster.logFailure(ctx, "cannot tell the person the form's outcome", err)
	}
}

// channelMetadata is what rides in a modal's private_metadata: the channel
// id only (never a secret, never user input).
func channelMetadata(channel string) string {
	if isChannelID(channel) {
		return channel
	}
	return ""
}

func channelFromMetadata(md string) string {
	if isChannelID(md) {
		return md
	}
	return ""
}

// isChannelID accepts Slack conversation ids: C, G or D then upper-case
// letters and digits.
func isChannelID(s string) bool {
	if len(s) < 2 || len(s) > 32 || (s[0] != 'C' && s[0] != 'G' && s[0] != 'D') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// submitCommand answers a command's form: its fields are checked at once
// (refusals shown under them, in the ack, within Slack's 3 s), then the
// modal closes and the line it stands for is queued like a typed slash
// command, in the channel the form was opened from (private_metadata),
// so that what needs Gandi (a dry run's refusal) comes after as a private
// reply there. Nothing of the form is kept in this process: any replica
// can serve the submission.
func (s *Slack) submitCommand(ctx context.Context, envelopeID string, cb slack.InteractionCallback, received time.Time, ack func(any)) {
	team := teamOf(&cb)
	if team == "" || cb.User.ID == "" {
		s.logger.WarnContext(ctx, "form submission without a team or user skipped", "envelope_id", envelopeID, "callback_id", cb.View.CallbackID)
		ack(FormError(unreadableText))
		return
	}
	channel := channelFromMetadata(cb.View.PrivateMetadata)
	req, err := s.cfg.Core.FormCommand(ctx, commands.Submission{
		Team: team, User: cb.User.ID, Channel: channel, FormID: cb.View.CallbackID, Values: FormValues(cb.View),
	})
	var fe commands.FieldErrors
	switch {
	case errors.As(err, &fe):
		ack(FieldErrorsResponse(fe, firstField(cb.View)))
		return
	case err != nil:
		ack(FieldErrorsResponse(map[string]string{"": apperr.Message(ctx, s.logger, "form refused", err, "envelope_id", envelopeID)}, firstField(cb.View)))
		return
	}
	ack(nil) // closes the modal
	s.logger.InfoContext(ctx, "form submitted", "envelope_id", envelopeID, "user", cb.User.ID, "form", cb.View.CallbackID)
	j := job{kind: jobSlash, envelopeID: envelopeID + ":command", received: received,
		slash: &slack.SlashCommand{TeamID: team, UserID: cb.User.ID, UserName: cb.User.Name, ChannelID: channel, Text: req.Text}}
	if !s.queue.push(j.person(), j) {
		s.notices.add(noticeFor(j, busyText(s.queue.len(), retryHint(s.queue.len(), s.rate.perSecond(s.now())))))
	}
}

// firstField is the name of a form view's first field, where an error of
// the whole form is shown.
func firstField(v slack.View) string {
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			if name, ok := strings.CutPrefix(in.BlockID, FieldBlockPrefix); ok {
				return name
			}
		}
	}
	return ""
}

// startSuggestion answers an instance picker off the event loop, in its
// ack, within SuggestTimeout whatever Gandi does.
func (s *Slack) startSuggestion(ctx context.Context, req *socketmode.Request, cb slack.InteractionCallback, received time.Time) {
	s.side.Go(func() {
		sctx, cancel := context.WithTimeout(ctx, DefaultSuggestTimeout)
		defer cancel()
		var opts []reply.Option
		func() {
			defer func() {
				if v := recover(); v != nil {
					s.logger.ErrorContext(ctx, "panic while answering a picker", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				}
			}()
			opts = s.cfg.Core.SuggestInstances(sctx, teamOf(&cb), cb.User.ID, cb.Value)
		}()
		actx, cancelAck := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancelAck()
		s.ack(actx, req.EnvelopeID, SuggestionOptions(opts), received)
	})
}
