package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/paasbot/paasbot/telemetry"
)

// Messages shown to people by the adapter itself.
const (
	unreadableText  = "paasbot could not read this request from Slack; nothing was done. Try again."
	dedupDownText   = "paasbot cannot check its database right now, so nothing was done. Try again in a moment."
	triggerText     = "The login form could not open in time (Slack allows 3 seconds). Run `/paas login` again."
	staleFormText   = "This form is out of date: close it and run `/paas login` again."
	formTimeoutText = "Gandi did not answer in time. Submit again in a moment."
	formsBusyText   = "paasbot is busy checking other forms right now; nothing was saved. Submit again in a moment."
	restartText     = "paasbot restarted before it could run this command; nothing was done. Run it again in a minute."
	placeholderText = "⏳ Asking Gandi…"
)

// busyText is the refusal of a command when QueueSize commands already
// wait: nothing was done, and when to try again.
func busyText(queued int, retryIn string) string {
	return "paasbot is busy: " + plural(queued, "command is", "commands are") +
		" waiting, so this one was not run and nothing was done. Try again in about " + retryIn + "."
}

type jobKind int

const (
	jobSlash jobKind = iota
	jobClick
)

// job is one acknowledged envelope waiting for a worker. The payloads are
// held by pointer: the queue holds up to QueueSize of them.
type job struct {
	kind         jobKind
	envelopeID   string
	retryAttempt int
	triggerID    string
	responseURL  string
	received     time.Time
	slash        *slack.SlashCommand
	click        *slack.InteractionCallback
}

// person is the queue lane of j: its team and user.
func (j job) person() string {
	if j.kind == jobClick {
		return teamOf(j.click) + "/" + j.click.User.ID
	}
	return j.slash.TeamID + "/" + j.slash.UserID
}

func (j job) channel() string {
	if j.kind == jobClick {
		return interactionChannel(j.click)
	}
	return j.slash.ChannelID
}

func (j job) user() string {
	if j.kind == jobClick {
		return j.click.User.ID
	}
	return j.slash.UserID
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
		s.tell(cmd.ResponseURL, unreadableText)
		return
	}
	s.admit(ctx, job{
		kind: jobSlash, envelopeID: ev.Request.EnvelopeID, retryAttempt: ev.Request.RetryAttempt,
		triggerID: cmd.TriggerID, responseURL: cmd.ResponseURL, received: received, slash: &cmd,
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
	case slack.InteractionTypeBlockSuggestion:
		// The options travel in the ack: answered off the event loop.
		s.startSuggestion(workCtx, ev.Request, cb, received)
	case slack.InteractionTypeBlockActions:
		s.ack(ctx, ev.Request.EnvelopeID, nil, received)
		if len(cb.ActionCallback.BlockActions) == 0 || cb.User.ID == "" {
			s.logger.WarnContext(ctx, "button click without action or user skipped", "envelope_id", ev.Request.EnvelopeID)
			s.tell(cb.ResponseURL, unreadableText)
			return
		}
		if teamOf(&cb) == "" {
			// Keys, approvals and subscriptions are scoped by team; the
			// store reads an empty team as every team in some listings.
			s.logger.WarnContext(ctx, "button click without a team id skipped", "envelope_id", ev.Request.EnvelopeID, "user", cb.User.ID)
			s.tell(cb.ResponseURL, unreadableText)
			return
		}
		s.admit(ctx, job{
			kind: jobClick, envelopeID: ev.Request.EnvelopeID, retryAttempt: ev.Request.RetryAttempt,
			triggerID: cb.TriggerID, responseURL: cb.ResponseURL, received: received, click: &cb,
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

// admit takes an acknowledged envelope on the event loop, which never
// waits: a copy of an envelope this process already took is dropped here,
// before anything is answered; a new one is queued; when QueueSize
// commands already wait, the person is told (always) that paasbot is busy
// and when to try again.
func (s *Slack) admit(ctx context.Context, j job) {
	if !s.recent.add(j.envelopeID) {
		s.logger.InfoContext(ctx, "repeated delivery skipped", "envelope_id", j.envelopeID, "retry_attempt", j.retryAttempt)
		return
	}
	if s.queue.push(j.person(), j) {
		return
	}
	queued := s.queue.len()
	s.logger.WarnContext(ctx, "queue full: command refused", "envelope_id", j.envelopeID, "queued", queued)
	s.cfg.Metrics.ObserveRefused()
	s.notices.add(noticeFor(j, busyText(queued, retryHint(queued, s.rate.perSecond(s.now())))))
}

// tell sends text privately to a response_url, off the event loop.
func (s *Slack) tell(responseURL, text string) {
	if responseURL != "" {
		s.notices.add(notice{responseURL: responseURL, text: text})
	}
}

// plural writes "1 command is" or "3 commands are".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatCount(n) + " " + many
}

// formatCount writes n with thousands separators ("10,000").
func formatCount(n int) string {
	s := []byte{}
	d := []byte(strconv.Itoa(n))
	for i := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			s = append(s, ',')
		}
		s = append(s, d[i])
	}
	return string(s)
}
