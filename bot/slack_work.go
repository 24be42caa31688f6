package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// dispatch hands queued jobs to workers until the queue is closed and
// empty. A worker is a slot, not a goroutine: each job runs on its own
// goroutine holding one of Workers slots, and gives it back early when it
// must wait for Slack (see workerSlot), so that waiting on Slack never
// holds one. While commands wait, starts are spaced by startPacer.
func (s *Slack) dispatch(ctx context.Context) {
	slots := make(chan struct{}, s.cfg.Workers)
	var pace startPacer
	for {
		slots <- struct{}{}
		j, done, ok := s.queue.pop()
		if !ok {
			return
		}
		if s.queue.len() > 0 {
			pause(ctx, pace.delay(s.now(), s.cfg.Workers))
		}
		slot := &workerSlot{release: func() { <-slots }}
		s.jobs.Go(func() {
			defer done()
			defer slot.free()
			start := s.now()
			s.runJob(withWorkerSlot(ctx, slot), j)
			end := s.now()
			pace.observe(end.Sub(start))
			s.rate.add(end)
		})
	}
}

// maxStartGap bounds startPacer's spacing (at least 100 starts a second);
// firstMeanJob is the command duration it assumes before one has ended
// (a Gandi round trip and a post).
const (
	maxStartGap  = 10 * time.Millisecond
	firstMeanJob = 250 * time.Millisecond
)

// startPacer spaces the starts of waiting commands by the mean time a
// command takes divided by the workers: the rate at which a full pool
// frees its slots, so throughput is unchanged, but the commands of a burst
// start one after another rather than together. Started together, against
// a Gandi that answers them all in about the same time, they would stay in
// step, their answers arriving at once and their decoding, rendering and
// posting filling every CPU for tens of milliseconds, during which acks of
// new envelopes waited (ack p99 10-20 ms in BENCHMARKS.md's burst, 4-5 ms
// once spread). Safe for concurrent use.
type startPacer struct {
	mu   sync.Mutex
	mean time.Duration // moving mean of command durations
	next time.Time     // the next start's slot
}

// observe adds one command's duration to the mean.
func (p *startPacer) observe(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mean == 0 {
		p.mean = firstMeanJob
	}
	p.mean += (d - p.mean) / 8
}

// delay books the next start at now and returns how long to wait for it.
func (p *startPacer) delay(now time.Time, workers int) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mean == 0 {
		p.mean = firstMeanJob
	}
	gap := min(p.mean/time.Duration(max(workers, 1)), maxStartGap)
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(gap)
	return at.Sub(now)
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// runJob serves one acknowledged envelope.
func (s *Slack) runJob(ctx context.Context, j job) {
	ctx = telemetry.WithRequestID(ctx, telemetry.NewRequestID())
	r := &responder{url: j.responseURL, channel: j.channel(), user: j.user()}
	ctx = withResponder(ctx, r)
	var ph *placeholder
	defer s.recoverJob(ctx, r, &ph, "envelope_id", j.envelopeID)

	first, err := s.firstDelivery(ctx, j.envelopeID, j.triggerID)
	if err != nil {
		ref := telemetry.NewRequestID()
		s.logger.ErrorContext(ctx, "de-duplication failed, command not run", "ref", ref, "envelope_id", j.envelopeID, "error", err.Error())
		s.poster.deliver(ctx, r, reply.Message{Tone: reply.Error, Text: dedupDownText}, replaceNothing)
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
		if r.url != "" { // a form's command has no response_url to show it through
			ph = s.startPlaceholder(ctx, r)
		}
		msg := s.cfg.Core.Handle(ctx, commands.Request{
			Team: c.TeamID, User: c.UserID, UserName: c.UserName, Channel: c.ChannelID, Text: c.Text,
			Direct: isDirect(c.ChannelID, c.ChannelName),
		})
		mode := replaceNothing
		if ph.settle() {
			mode = replacePlaceholder
		}
		s.answer(ctx, r, j.triggerID, msg, mode)
	case jobClick:
		cb := j.click
		a := cb.ActionCallback.BlockActions[0]
		ch := interactionChannel(cb)
		s.logger.InfoContext(ctx, "button click", "envelope_id", j.envelopeID, "user", cb.User.ID, "channel", ch, "action", a.ActionID)
		if s.openDenyForm(ctx, r, j.triggerID, cb, a) {
			return
		}
		msg := s.cfg.Core.Click(ctx, commands.Click{
			Team: teamOf(cb), User: cb.User.ID, UserName: cb.User.Name, Channel: ch, Direct: isDirect(ch, cb.Channel.Name),
			Action: ActionOf(a.ActionID), Value: a.Value,
			Message: reply.Ref{Channel: ch, ID: cb.Container.MessageTs},
		})
		mode := replaceNothing
		if msg.ReplaceOriginal {
			mode = replaceClicked
		}
		s.answer(ctx, r, j.triggerID, msg, mode)
	}
}

// answer delivers a reply of the core: a Form opens the login modal with
// the trigger, the rest goes to the person or the channel.
func (s *Slack) answer(ctx context.Context, r *responder, triggerID string, msg reply.Message, mode replaceMode) {
	if msg.Form != nil {
		s.openForm(ctx, r, triggerID, *msg.Form)
		msg.Form = nil
	}
	s.poster.deliver(ctx, r, msg, mode)
}

// openForm opens the login modal with the interaction's trigger_id, which
// Slack accepts once and within 3 s. The channel id rides in
// private_metadata so the submission can answer there; nothing else does.
func (s *Slack) openForm(ctx context.Context, r *responder, triggerID string, f reply.Form) {
	view := RenderLoginModal(f, channelMetadata(r.channel))
	if len(f.Fields) > 0 {
		view = RenderFormModal(f, channelMetadata(r.channel))
	}
	err := s.poster.do(ctx, "views.open", func(ctx context.Context) error {
		_, err := s.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
	if err == nil {
		return
	}
	text := triggerText
	if f.Usage != "" {
		text = "The form could not open in time (Slack allows 3 seconds). Type the command instead: `/paas " + f.Usage + "`."
	}
	switch slackCode(err) {
	case SlackExpiredTriggerID, SlackInvalidTriggerID:
		s.logger.WarnContext(ctx, "login modal not opened: trigger expired", "slack_error", slackCode(err))
	default:
		text = s.poster.internalError(ctx, "cannot open the login modal", err)
	}
	s.poster.deliver(ctx, r, reply.Message{Tone: reply.Warning, Text: text}, replaceNothing)
}

// recoverJob keeps a panic in the core or the adapter from killing the
// process: it is logged with its stack under a reference shown to the
// person, in place of the command's placeholder if one shows.
func (s *Slack) recoverJob(ctx context.Context, r *responder, ph **placeholder, attrs ...any) {
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
	mode := replaceNothing
	if (*ph).settle() {
		mode = replacePlaceholder
	}
	s.poster.deliver(ctx, r, reply.Message{Tone: reply.Error,
		Text: fmt.Sprintf("internal error (ref %s); the team running paasbot can look it up in the logs", ref)}, mode)
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

func interactionChannel(cb *slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// teamOf is the workspace of an interaction: its team, or its user's
// team. "" means Slack sent neither, and the interaction is refused.
func teamOf(cb *slack.InteractionCallback) string {
	if cb.Team.ID != "" {
		return cb.Team.ID
	}
	return cb.User.TeamID
}

// isDirect reports whether a command or a click came from a direct
// message: Slack names an IM's channel "directmessage" and a group DM's
// "mpdm-…" (no read scope needed), and an IM's id starts with D.
func isDirect(channelID, channelName string) bool {
	return channelName == "directmessage" || strings.HasPrefix(channelName, "mpdm-") || strings.HasPrefix(channelID, "D")
}
