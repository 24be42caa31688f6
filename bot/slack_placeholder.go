package bot

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// placeholder is the "Asking Gandi…" message a slash command shows its
// person once it has run for PlaceholderAfter, through the command's
// response_url, so that nobody stares at silence. The answer replaces it
// (replace_original), or deletes it when the answer goes to the channel;
// a command answered sooner never shows one. Only slash commands get one:
// a click's response_url replaces the message carrying the button, not a
// placeholder.
type placeholder struct {
	timer *time.Timer
	side  *sync.WaitGroup

	mu    sync.Mutex
	state placeholderState
	done  chan struct{} // closed once a started post has ended
}

type placeholderState int

const (
	placeholderWaiting placeholderState = iota
	placeholderPosting
	placeholderShown
	placeholderFailed
	placeholderCancelled
)

// startPlaceholder arms the placeholder of a slash command answered
// through r. Its post runs on a timer goroutine counted in s.side, never
// on the command's worker.
func (s *Slack) startPlaceholder(ctx context.Context, r *responder) *placeholder {
	p := &placeholder{side: &s.side, done: make(chan struct{})}
	ctx = withWorkerSlot(ctx, nil) // its waits are not the command's
	s.side.Add(1)
	p.timer = time.AfterFunc(s.cfg.PlaceholderAfter, func() {
		defer s.side.Done()
		p.mu.Lock()
		if p.state != placeholderWaiting {
			p.mu.Unlock()
			return
		}
		p.state = placeholderPosting
		p.mu.Unlock()
		err := s.poster.respond(ctx, r, webhook(textPart(placeholderText), slack.ResponseTypeEphemeral))
		p.mu.Lock()
		p.state = placeholderShown
		if err != nil {
			p.state = placeholderFailed
			s.logger.WarnContext(ctx, "cannot show the placeholder of a slow command", "error", cleanErr(err).Error())
		}
		close(p.done)
		p.mu.Unlock()
	})
	return p
}

// settle is called once the answer is ready: it stops a placeholder not
// yet posted, waits for one being posted, and reports whether one shows
// (the answer must then replace it). nil has none.
func (p *placeholder) settle() bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	switch p.state {
	case placeholderWaiting:
		p.state = placeholderCancelled
		p.mu.Unlock()
		if p.timer.Stop() {
			p.side.Done()
		}
		return false
	case placeholderCancelled:
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state == placeholderShown
}
