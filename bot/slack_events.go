package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// Messages shown to people by the adapter itself.
const (
	busyText        = "paasbot is busy right now and could not take this command. Try again in a moment."
	unreadableText  = "paasbot could not read this request from Slack; nothing was done. Try again."
	dedupDownText   = "paasbot cannot check its database right now, so nothing was done. Try again in a moment."
	triggerText     = "The login form could not open in time (Slack allows 3 seconds). Run `/paas login` again."
	staleFormText   = "This form is out of date: close it and run `/paas login` again."
	formTimeoutText = "Gandi did not answer in time. Submit again in a moment."
)

type jobKind int

const (
	jobSlash jobKind = iota
	jobClick
)

// job is one acknowledged envelope waiting for a worker.
type job struct {
	kind         jobKind
	envelopeID   string
	retryAttempt int
	triggerID    string
	responseURL  string
	received     time.Time
	slash        slack.SlashCommand
	click        slack.InteractionCallback
}

func (s *Slack) onSlashCommand(ctx context.Context, ev socketmode.Event) {
	received := s.now()
	if ev.Request == nil {
		return
	}
	s.ack(ctx, ev.Request.EnvelopeID, nil, received)
	cmd, ok := ev.Data.(slack.SlashCommand)
	if !ok || cmd.UserID == "" || cmd.ChannelID == "" || cmd.TeamID == "" {
		s.logger.WarnContext(ctx, "slash command without user, channel or team skipped", "envelope_id", ev.Request.EnvelopeID)
		s.answerSide(ctx, cmd.ResponseURL, unreadableText)
		return
	}
	s.enqueue(ctx, job{
		kind: jobSlash, envelopeID: ev.Request.EnvelopeID, retryAttempt: ev.Request.RetryAttempt,
		triggerID: cmd.TriggerID, responseURL: cmd.ResponseURL, received: received, slash: cmd,
	})
}

func (s *Slack) onInteractive(ctx, workCtx context.Context, ev socketmode.Event) {
	received := s.now()
	if ev.Request == nil {
		return
	}
	cb, ok := ev.Data.(slack.InteractionCallback)
	if !ok {
		s.ack(ctx, ev.Request.EnvelopeID, nil, received)
		s.logger.WarnContext(ctx, "interactive envelope without a payload skipped", "envelope_id", ev.Request.EnvelopeID)
		return
	}
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		// The answer (field errors, or closing the modal) travels in the
		// ack, so this one is acknowledged after the check, within
		// FormTimeout, off the event loop.
		s.startSubmission(ctx, workCtx, ev.Request, cb, received)
	case slack.InteractionTypeBlockActions:
		s.ack(ctx, ev.Request.EnvelopeID, nil, received)
		if len(cb.ActionCallback.BlockActions) == 0 || cb.User.ID == "" {
			s.logger.WarnContext(ctx, "button click without action or user skipped", "envelope_id", ev.Request.EnvelopeID)
			s.answerSide(ctx, cb.ResponseURL, unreadableText)
			return
		}
		if teamOf(cb) == "" {
			// Keys, approvals and subscriptions are scoped by team; the
			// store reads an empty team as every team in some listings.
			s.logger.WarnContext(ctx, "button click without a team id skipped", "envelope_id", ev.Request.EnvelopeID, "user", cb.User.ID)
			s.answerSide(ctx, cb.ResponseURL, unreadableText)
			return
		}
		s.enqueue(ctx, job{
			kind: jobClick, envelopeID: ev.Request.EnvelopeID, retryAttempt: ev.Request.RetryAttempt,
			triggerID: cb.TriggerID, responseURL: cb.ResponseURL, received: received, click: cb,
		})
	default:
		s.ack(ctx, ev.Request.EnvelopeID, nil, received)
		s.logger.DebugContext(ctx, "interaction ignored", "type", string(cb.Type))
	}
}

// badMessage handles a frame slack-go could not parse: it is acknowledged
// when it names an envelope (so Slack does not send it again), logged
// without its content (it may hold what someone typed), and skipped.
func (s *Slack) badMessage(ctx context.Context, ev socketmode.Event) {
	e, ok := ev.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		s.logger.WarnContext(ctx, "malformed socket-mode message skipped")
		return
	}
	var head struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(e.Message, &head)
	s.ack(ctx, head.EnvelopeID, nil, s.now())
	cause := ""
	if e.Cause != nil {
		cause = telemetry.ScrubTokens(e.Cause.Error())
	}
	s.logger.WarnContext(ctx, "malformed socket-mode message skipped",
		"envelope_id", head.EnvelopeID, "type", head.Type, "bytes", len(e.Message), "error", cause)
}

// enqueue hands j to the workers, or, when the queue is full, tells the
// person to try again: the event loop never waits for a worker.
func (s *Slack) enqueue(ctx context.Context, j job) {
	select {
	case s.jobs <- j:
	default:
		s.logger.WarnContext(ctx, "all workers busy and the queue full: command refused",
			"envelope_id", j.envelopeID, "queue", cap(s.jobs))
		s.answerSide(ctx, j.responseURL, busyText)
	}
}

// answerSide posts text privately to a response_url off the event loop.
// Under a flood it drops the answer (logged) rather than pile goroutines.
func (s *Slack) answerSide(ctx context.Context, responseURL, text string) {
	if responseURL == "" {
		return
	}
	select {
	case s.sideN <- struct{}{}:
	default:
		s.logger.WarnContext(ctx, "too many pending side answers, dropping one")
		return
	}
	s.side.Go(func() {
		defer func() { <-s.sideN }()
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		r := &responder{url: responseURL}
		if err := s.poster.respond(actx, r, webhook(textPart(text), slack.ResponseTypeEphemeral)); err != nil {
			s.logger.WarnContext(actx, "cannot answer through the response_url", "error", cleanErr(err).Error())
		}
	})
}

// runJob serves one acknowledged envelope on a worker.
func (s *Slack) runJob(ctx context.Context, j job) {
	ctx = telemetry.WithRequestID(ctx, telemetry.NewRequestID())
	r := &responder{url: j.responseURL}
	switch j.kind {
	case jobSlash:
		r.channel, r.user = j.slash.ChannelID, j.slash.UserID
	case jobClick:
		r.channel, r.user = interactionChannel(j.click), j.click.User.ID
	}
	ctx = withResponder(ctx, r)
	defer s.recoverJob(ctx, r, "envelope_id", j.envelopeID)

	first, err := s.firstDelivery(ctx, j.envelopeID, j.triggerID)
	if err != nil {
		ref := telemetry.NewRequestID()
		s.logger.ErrorContext(ctx, "de-duplication failed, command not run", "ref", ref, "envelope_id", j.envelopeID, "error", err.Error())
		s.poster.deliver(ctx, r, reply.Message{Tone: reply.Error, Text: dedupDownText}, false)
		return
	}
	if !first {
		s.logger.InfoContext(ctx, "repeated delivery skipped", "envelope_id", j.envelopeID, "retry_attempt", j.retryAttempt)
		return
	}

	switch j.kind {
	case jobSlash:
		c := j.slash
		s.logger.InfoContext(ctx, "slash command", "envelope_id", j.envelopeID, "user", c.UserID, "channel", c.ChannelID,
			"queued", s.now().Sub(j.received))
		msg := s.cfg.Core.Handle(ctx, commands.Request{
			Team: c.TeamID, User: c.UserID, UserName: c.UserName, Channel: c.ChannelID, Text: c.Text,
		})
		s.answer(ctx, r, j.triggerID, msg)
	case jobClick:
		cb := j.click
		a := cb.ActionCallback.BlockActions[0]
		ch := interactionChannel(cb)
		s.logger.InfoContext(ctx, "button click", "envelope_id", j.envelopeID, "user", cb.User.ID, "channel", ch, "action", a.ActionID)
		msg := s.cfg.Core.Click(ctx, commands.Click{
			Team: teamOf(cb), User: cb.User.ID, UserName: cb.User.Name, Channel: ch,
			Action: a.ActionID, Value: a.Value,
			Message: reply.Ref{Channel: ch, ID: cb.Container.MessageTs},
		})
		s.answer(ctx, r, j.triggerID, msg)
	}
}

// answer delivers a reply of the core: a Form opens the login modal with
// the trigger, the rest goes to the person or the channel.
func (s *Slack) answer(ctx context.Context, r *responder, triggerID string, msg reply.Message) {
	if msg.Form != nil {
		s.openForm(ctx, r, triggerID, *msg.Form)
		msg.Form = nil
	}
	s.poster.deliver(ctx, r, msg, msg.ReplaceOriginal)
}

// openForm opens the login modal with the interaction's trigger_id, which
// Slack accepts once and within 3 s. The channel id rides in
// private_metadata so the submission can answer there; nothing else does.
func (s *Slack) openForm(ctx context.Context, r *responder, triggerID string, f reply.Form) {
	view := RenderLoginModal(f, channelMetadata(r.channel))
	err := s.poster.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := s.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
	if err == nil {
		return
	}
	text := triggerText
	switch slackCode(err) {
	case SlackExpiredTriggerID, SlackInvalidTriggerID:
		s.logger.WarnContext(ctx, "login modal not opened: trigger expired", "slack_error", slackCode(err))
	default:
		text = s.poster.internalError(ctx, "cannot open the login modal", err)
	}
	s.poster.deliver(ctx, r, reply.Message{Tone: reply.Warning, Text: text}, false)
}

// startSubmission checks a submitted modal off the event loop and
// acknowledges it with the outcome.
func (s *Slack) startSubmission(ctx, workCtx context.Context, req *socketmode.Request, cb slack.InteractionCallback, received time.Time) {
	select {
	case s.sideN <- struct{}{}:
	default:
		s.logger.WarnContext(ctx, "too many form submissions at once, refusing one", "envelope_id", req.EnvelopeID)
		s.ack(ctx, req.EnvelopeID, FormError(busyText), received)
		return
	}
	s.side.Go(func() {
		defer func() { <-s.sideN }()
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
	value, ok := FormValue(cb.View)
	if !ok || cb.User.ID == "" {
		s.logger.WarnContext(ctx, "form submission without its input skipped", "envelope_id", envelopeID, "callback_id", cb.View.CallbackID)
		ack(FormError(staleFormText))
		return
	}
	if teamOf(cb) == "" {
		s.logger.WarnContext(ctx, "form submission without a team id skipped", "envelope_id", envelopeID, "user", cb.User.ID, "callback_id", cb.View.CallbackID)
		ack(FormError(unreadableText))
		return
	}
	channel := channelFromMetadata(cb.View.PrivateMetadata)
	s.logger.InfoContext(ctx, "form submitted", "envelope_id", envelopeID, "user", cb.User.ID, "form", cb.View.CallbackID)

	fctx, cancel := context.WithTimeout(ctx, s.cfg.FormTimeout)
	msg, err := s.cfg.Core.SubmitForm(fctx, commands.Submission{
		Team: teamOf(cb), User: cb.User.ID, Channel: channel, FormID: cb.View.CallbackID, Value: value,
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

// recoverJob keeps a panic in the core or the adapter from killing the
// process: it is logged with its stack under a reference shown to the
// person.
func (s *Slack) recoverJob(ctx context.Context, r *responder, attrs ...any) {
	v := recover()
	if v == nil {
		return
	}
	ref := telemetry.NewRequestID()
	s.logger.ErrorContext(ctx, "panic while serving a request", append(attrs, "ref", ref, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))...)
	defer func() {
		if v := recover(); v != nil {
			s.logger.ErrorContext(ctx, "panic while reporting a panic", slog.String("ref", ref))
		}
	}()
	s.poster.deliver(ctx, r, reply.Message{Tone: reply.Error,
		Text: fmt.Sprintf("internal error (ref %s); the team running paasbot can look it up in the logs", ref)}, false)
}

// firstDelivery reports whether this is the first delivery of an
// interaction: a redelivered envelope (same envelope id) or the same
// interaction under another envelope (same trigger id) runs nothing twice.
// The keys are checked in order and the first one already seen stops the
// check, so that of two concurrent copies exactly one runs: a copy that
// lost on the envelope id never claims the trigger id.
func (s *Slack) firstDelivery(ctx context.Context, envelopeID, triggerID string) (bool, error) {
	for _, key := range []string{"slack:envelope:" + envelopeID, "slack:trigger:" + triggerID} {
		if key == "slack:envelope:" || key == "slack:trigger:" {
			continue
		}
		first, err := s.cfg.Dedup.SeenOnce(ctx, key, s.cfg.DedupTTL)
		if err != nil || !first {
			return false, err
		}
	}
	return true, nil
}

func interactionChannel(cb slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// teamOf is the workspace of an interaction: its team, or its user's
// team. "" means Slack sent neither, and the interaction is refused.
func teamOf(cb slack.InteractionCallback) string {
	if cb.Team.ID != "" {
		return cb.Team.ID
	}
	return cb.User.TeamID
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
