package alerts

import (
	"context"
	"errors"
	"fmt"

	"github.com/paasbot/paasbot/store"
)

// Errors of RunNow, for callers that branch with errors.Is.
var (
	// ErrKeyGone: the owner's Gandi key is not stored, does not open, or
	// Gandi refuses it. The subscription has been paused (and the channel
	// told once).
	ErrKeyGone = errors.New("the owner's Gandi key is gone or refused")
	// ErrPaused: the subscription is paused; take it over first.
	ErrPaused = errors.New("the subscription is paused")
)

// ScanError is a scan that failed for a reason other than the key: Reason
// says why in words fit for a channel ("Gandi isn't answering").
type ScanError struct {
	Reason string
	Err    error
}

func (e *ScanError) Error() string { return "couldn't scan: " + e.Reason }
func (e *ScanError) Unwrap() error { return e.Err }

// PublicMessage is Error: written for a person, never the transport's text.
func (e *ScanError) PublicMessage() string { return e.Error() }

// PostError is a report that could not be posted. Its message names the
// channel only; the transport's error is in Err, for logs.
type PostError struct {
	Channel string
	Err     error
}

func (e *PostError) Error() string { return "couldn't post the report in " + e.Channel }
func (e *PostError) Unwrap() error { return e.Err }

// PublicMessage is Error: it names the channel only.
func (e *PostError) PublicMessage() string { return e.Error() }

// runError is an ErrKeyGone or ErrPaused of RunNow with its explanation.
type runError struct {
	msg string
	err error
}

func (e *runError) Error() string         { return e.msg }
func (e *runError) Unwrap() error         { return e.err }
func (e *runError) PublicMessage() string { return e.msg }

// RunNow scans and posts subscription subID's report now (`alerts run ID`),
// even when it is empty (then it says "Nothing to report: …"). It claims no
// slot, so the scheduled runs are unaffected. Errors: store.ErrNotFound for
// an unknown id; ErrPaused; ErrKeyGone (the subscription is paused and the
// channel told); a *ScanError; a *PostError. Those four have a
// PublicMessage() string written for a person (never a key or a
// transport's raw text); any other error (a store failure) has none, and
// its text is for the log only.
func (s *Scheduler) RunNow(ctx context.Context, subID int64) error {
	sub, err := s.cfg.Store.Subscription(ctx, subID)
	if err != nil {
		return fmt.Errorf("alert #%d: %w", subID, err)
	}
	if sub.Paused {
		return &runError{msg: fmt.Sprintf("%v (%s)", ErrPaused, sub.PausedReason), err: ErrPaused}
	}
	sched, params, err := s.parseSub(*sub)
	if err != nil {
		return fmt.Errorf("alert #%d: %w", subID, err)
	}
	d := due{sub: *sub, sched: sched, params: params}
	acct, err := s.scanFor(ctx, sub.Team, sub.Owner, []due{d})
	if errors.Is(err, ErrKeyGone) {
		s.pauseOne(ctx, *sub)
		return &runError{msg: fmt.Sprintf("%v; the report is paused until someone with a key runs `/paas alerts takeover %d`", ErrKeyGone, subID), err: ErrKeyGone}
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return &ScanError{Reason: scanFailureReason(err), Err: err}
	}
	rep := build(Kind(sub.Kind), acct, s.cfg.Now(), sched.Location(), params)
	if _, err := s.postReport(ctx, sub.Channel, withFooter(rep.Posting(), *sub, sched), nil); err != nil {
		return &PostError{Channel: sub.Channel, Err: err}
	}
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.ObserveReport(sub.Kind)
	}
	return nil
}
