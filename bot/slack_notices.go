package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// noticeSenders is how many notices are sent at once.
const noticeSenders = 8

// noticeTimeout bounds sending one notice, its retries included.
const noticeTimeout = 30 * time.Second

// notice is a short private message the adapter itself owes someone: a
// refusal (the queue is full), an unreadable request, a command that a
// shutdown left unrun.
type notice struct {
	responseURL, channel, user string
	text                       string
	// envelopeID and triggerID, when set, are checked in the store first:
	// a copy of an envelope that already ran (here or on another
	// replica) gets no second answer.
	envelopeID, triggerID string
}

func noticeFor(j job, text string) notice {
	return notice{responseURL: j.responseURL, channel: j.channel(), user: j.user(), text: text,
		envelopeID: j.envelopeID, triggerID: j.triggerID}
}

// noticeBox sends notices in order of arrival, a few at a time, off the
// event loop, and never drops one: a notice is small, and one is queued
// per envelope Slack sends, so the box grows no faster than Slack
// delivers. Every notice is tried through its response_url, then as an
// ephemeral in its channel.
type noticeBox struct {
	ctx     context.Context // ends when Run returns
	s       *Slack
	senders int

	mu     sync.Mutex
	queue  []notice
	active int
	idle   sync.Cond // signalled when the last sender stops
}

func newNoticeBox(ctx context.Context, s *Slack, senders int) *noticeBox {
	b := &noticeBox{ctx: ctx, s: s, senders: senders}
	b.idle.L = &b.mu
	return b
}

// add queues n and starts a sender if fewer than senders run.
func (b *noticeBox) add(n notice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, n)
	if b.active < b.senders {
		b.active++
		go b.run()
	}
}

func (b *noticeBox) run() {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 || b.ctx.Err() != nil {
			b.active--
			if b.active == 0 {
				b.idle.Broadcast()
			}
			b.mu.Unlock()
			return
		}
		n := b.queue[0]
		b.queue[0] = notice{}
		b.queue = b.queue[1:]
		b.mu.Unlock()
		b.send(n)
	}
}

// wait returns once no notice is being sent or waits (or Run's notice
// context ended).
func (b *noticeBox) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.active > 0 {
		b.idle.Wait()
	}
}

// pending is how many notices wait to be sent.
func (b *noticeBox) pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

func (b *noticeBox) send(n notice) {
	s := b.s
	ctx, cancel := context.WithTimeout(b.ctx, noticeTimeout)
	defer cancel()
	if n.envelopeID != "" {
		first, err := s.firstDelivery(ctx, n.envelopeID, n.triggerID)
		if err == nil && !first {
			s.logger.InfoContext(ctx, "repeated delivery skipped", "envelope_id", n.envelopeID)
			return
		}
		if err != nil {
			s.logger.WarnContext(ctx, "de-duplication failed before a notice; sending it", "envelope_id", n.envelopeID, "error", err.Error())
		}
	}
	part := textPart(n.text)
	err := s.poster.respond(ctx, &responder{url: n.responseURL}, webhook(part, slack.ResponseTypeEphemeral))
	if err != nil && n.channel != "" && n.user != "" {
		err = s.poster.postEphemeral(ctx, n.channel, n.user, part)
	}
	if err != nil {
		s.poster.logFailure(ctx, "cannot deliver a notice", err)
	}
}

// retryHint says when a refused person should try again: the time the
// waiting commands take at the rate commands finished lately, from 10
// seconds to 10 minutes.
func retryHint(queued int, perSecond float64) string {
	wait := 10 * time.Minute
	if perSecond > 0 {
		wait = time.Duration(float64(queued) / perSecond * float64(time.Second))
	}
	wait = min(max(wait, 10*time.Second), 10*time.Minute)
	if wait < time.Minute {
		return fmt.Sprintf("%d seconds", (int(wait.Seconds())+9)/10*10)
	}
	m := int((wait + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// throughput counts finished commands over the last throughputWindow
// seconds, for retryHint.
type throughput struct {
	mu      sync.Mutex
	buckets [throughputWindow]int
	second  int64 // the Unix second of buckets[second%len]
}

const throughputWindow = 10

func (t *throughput) add(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.advanceLocked(now.Unix())
	t.buckets[now.Unix()%throughputWindow]++
}

// perSecond is the mean rate over the window ending at now.
func (t *throughput) perSecond(now time.Time) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.advanceLocked(now.Unix())
	n := 0
	for _, c := range t.buckets {
		n += c
	}
	return float64(n) / throughputWindow
}

// advanceLocked zeroes the buckets of the seconds elapsed since the last
// use.
func (t *throughput) advanceLocked(sec int64) {
	if sec <= t.second {
		return
	}
	for s := t.second + 1; s <= sec && s <= t.second+throughputWindow; s++ {
		t.buckets[s%throughputWindow] = 0
	}
	t.second = sec
}
