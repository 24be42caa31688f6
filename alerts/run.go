package alerts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Outcomes recorded in the run log with FinishSlot.
const (
	OutcomePosted = "posted"
	OutcomeEmpty  = "empty"
	OutcomePaused = "paused"
)

// due is one subscription whose slot is due, ready to run.
type due struct {
	sub    store.Subscription
	sched  Schedule
	params Params
	slot   time.Time
}

// RunDue runs every subscription whose slot is due at now and returns when
// they are done. A slot is due when it is the latest activation of the
// subscription's schedule in (now-CatchUp, now], truncated to the minute,
// not before the subscription was created, and not yet in its run log.
// Paused subscriptions are skipped. Due subscriptions are grouped by owner
// (team and user): one scan of the owner's account serves all of them,
// MaxConcurrency owners at a time. Each slot is claimed in the store
// before anything is posted, so concurrent callers, restarts and replicas
// sharing the database post it once. The error is about reading the
// subscriptions; failures of single runs are logged, recorded in the run
// log and, when the channel should know, posted there.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	if err := s.check(); err != nil {
		return err
	}
	subs, err := s.cfg.Store.Subscriptions(ctx, "")
	if err != nil {
		return fmt.Errorf("alerts: list subscriptions: %w", err)
	}
	var g byOwner
	for _, sub := range subs {
		if sub.Paused {
			continue
		}
		if d, ok := s.dueAt(ctx, sub, now); ok {
			g.add(d)
		}
	}
	s.runByOwner(ctx, &g)
	return nil
}

// owner is the team and user whose key scans for a group of subscriptions.
type owner struct{ team, user string }

// byOwner groups due slots by owner, owners in the order they first came.
type byOwner struct {
	order  []owner
	groups map[owner][]due
}

func (g *byOwner) add(d due) {
	o := owner{d.sub.Team, d.sub.Owner}
	if g.groups == nil {
		g.groups = map[owner][]due{}
	}
	if _, seen := g.groups[o]; !seen {
		g.order = append(g.order, o)
	}
	g.groups[o] = append(g.groups[o], d)
}

// runByOwner runs each owner's due slots, MaxConcurrency owners at a time,
// and returns when all are done. The slots count as this process's
// running ones (isRunning) from now until each owner's run ends.
func (s *Scheduler) runByOwner(ctx context.Context, g *byOwner) {
	for _, o := range g.order {
		s.markRunning(g.groups[o])
	}
	sem := make(chan struct{}, s.cfg.MaxConcurrency)
	var wg sync.WaitGroup
	for _, o := range g.order {
		sem <- struct{}{}
		wg.Add(1)
		go func(team, user string, list []due) {
			defer func() { <-sem; wg.Done() }()
			defer s.unmarkRunning(list)
			s.runOwner(ctx, team, user, list)
		}(o.team, o.user, g.groups[o])
	}
	wg.Wait()
}

// markRunning records that this process is about to run list's slots;
// unmarkRunning that it is done with them (finished, released or lost).
func (s *Scheduler) markRunning(list []due) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range list {
		s.running[keyOf(d.sub.ID, d.slot)] = true
	}
}

func (s *Scheduler) unmarkRunning(list []due) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range list {
		delete(s.running, keyOf(d.sub.ID, d.slot))
	}
}

func (s *Scheduler) isRunning(subID int64, slot time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[keyOf(subID, slot)]
}

// dueAt reports whether sub has a slot due at now.
func (s *Scheduler) dueAt(ctx context.Context, sub store.Subscription, now time.Time) (due, bool) {
	sched, params, err := s.parseSub(sub)
	if err != nil {
		s.mu.Lock()
		first := s.badSubs[sub.ID] != err.Error()
		s.badSubs[sub.ID] = err.Error()
		s.mu.Unlock()
		if first {
			s.log.Warn("subscription cannot run", "subscription", sub.ID, "err", err)
		}
		return due{}, false
	}
	slot, ok := sched.Prev(now, s.cfg.CatchUp)
	if !ok || (!sub.CreatedAt.IsZero() && slot.Before(sub.CreatedAt)) {
		return due{}, false
	}
	if s.knownDone(sub.ID, slot) {
		return due{}, false
	}
	last, ok, err := s.cfg.Store.LastSlot(ctx, sub.ID)
	if err != nil {
		s.logFailure(ctx, "read last slot", err, "subscription", sub.ID)
		return due{}, false
	}
	if ok && !last.Before(slot) {
		// Once per slot and process: the cache answers the next ticks.
		s.log.Debug("alert slot claimed by another process", "subscription", sub.ID, "slot", slot)
		s.markDone(sub.ID, last)
		return due{}, false
	}
	return due{sub: sub, sched: sched, params: params, slot: slot}, true
}

// parseSub parses a stored subscription's kind, schedule and params.
func (s *Scheduler) parseSub(sub store.Subscription) (Schedule, Params, error) {
	kind, err := ParseKind(sub.Kind)
	if err != nil {
		return Schedule{}, Params{}, err
	}
	tz := sub.TZ
	if tz == "" {
		tz = s.cfg.DefaultTZ
	}
	sched, err := ParseSchedule(sub.Schedule, tz)
	if err != nil {
		return Schedule{}, Params{}, err
	}
	params, err := ParseParams(kind, sub.Params)
	return sched, params, err
}

// runOwner claims the slots of one owner's due subscriptions (taking over
// those whose process stopped before posting), scans the account once and
// posts each report. Panics are recovered and logged.
func (s *Scheduler) runOwner(ctx context.Context, team, user string, list []due) {
	var claimed []due
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("alerts run panicked", "team", team, "owner", user, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			for _, d := range claimed {
				s.finish(ctx, d, "error: internal")
			}
		}
	}()
	for _, d := range list {
		won, err := s.cfg.Store.ClaimSlotLeased(ctx, d.sub.ID, d.slot)
		if err != nil {
			s.logFailure(ctx, "claim slot", err, "subscription", d.sub.ID)
			continue
		}
		s.markDone(d.sub.ID, d.slot) // won or lost, this slot is taken
		if !won {
			s.log.Debug("alert slot claimed by another process", "subscription", d.sub.ID, "slot", d.slot)
			continue
		}
		claimed = append(claimed, d)
	}
	if len(claimed) == 0 {
		return
	}
	acct, err := s.scanFor(ctx, team, user, claimed)
	switch {
	case err != nil && ctx.Err() != nil:
		// paasbot is stopping: Gandi did nothing wrong and the channel
		// must not be told so. The slots go back, and the next process's
		// catch-up posts them.
		s.log.Info("alerts scan stopped; slots released for the next start", "team", team, "owner", user, "err", err)
		s.release(ctx, claimed)
		return
	case errors.Is(err, ErrKeyGone):
		s.pause(ctx, claimed)
		return
	case err != nil:
		s.log.Warn("alerts scan failed", "team", team, "owner", user, "err", err)
		s.postScanFailure(ctx, claimed, err)
		return
	}
	for _, d := range claimed {
		s.deliver(ctx, d, acct)
	}
}

// scanFor reads the owner's key and scans the account once for every
// subscription in list (snapshots only when one of them needs them).
func (s *Scheduler) scanFor(ctx context.Context, team, user string, list []due) (*Account, error) {
	key, _, err := s.cfg.Store.APIKey(ctx, store.Identity{Team: team, User: user})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUndecryptable) {
		return nil, fmt.Errorf("%w: %w", ErrKeyGone, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read the owner's key: %w", err)
	}
	snaps := slices.ContainsFunc(list, func(d due) bool { return d.sub.Kind == string(KindSnapshots) })
	acct, err := ScanAccount(ctx, s.cfg.Gandi(key), ScanOptions{Snapshots: snaps, PageConcurrency: s.cfg.PageConcurrency})
	if errors.Is(err, gandi.ErrBadAPIKey) {
		return nil, fmt.Errorf("%w: %w", ErrKeyGone, err)
	}
	return acct, err
}

// deliver builds one subscription's report from the shared scan, posts it
// (unless empty and quiet) and records the outcome. Just before the first
// message it makes the claim final (BeginSlotPost: from then on no other
// process takes it over), and records that message's ts as soon as it is
// posted. A claim another process took over meanwhile (this one's lease
// lapsed) posts nothing here. A panic while posting is recovered here so
// that the owner's other reports still go out.
func (s *Scheduler) deliver(ctx context.Context, d due, acct *Account) {
	outcome := "error: internal"
	stopped, lost := false, false
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("alerts delivery panicked", "subscription", d.sub.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
		switch {
		case lost:
		case stopped:
			s.release(ctx, []due{d})
		default:
			s.finish(ctx, d, outcome)
		}
	}()
	rep := build(Kind(d.sub.Kind), acct, s.cfg.Now(), d.sched.Location(), d.params)
	if rep.Empty && d.params.Quiet {
		outcome = OutcomeEmpty
		return
	}
	if ctx.Err() != nil {
		// paasbot stopped between the scan and the post: the next
		// process's catch-up posts this slot.
		stopped = true
		return
	}
	if err := s.cfg.Store.BeginSlotPost(ctx, d.sub.ID, d.slot); err != nil {
		if errors.Is(err, store.ErrLeaseLost) {
			lost = true
			s.log.Warn("alert slot taken over by another process before posting; not posted here", "subscription", d.sub.ID, "err", err)
			return
		}
		// Without the mark, a take-over could post the slot again:
		// post nothing, and say so in the run log.
		s.logFailure(ctx, "begin posting alert slot", err, "subscription", d.sub.ID)
		outcome = "error: store"
		return
	}
	head, err := s.postReport(ctx, d.sub.Channel, withFooter(rep.Posting(), d.sub, d.sched), func(head reply.Ref) {
		if err := s.cfg.Store.RecordSlotMessage(context.WithoutCancel(ctx), d.sub.ID, d.slot, head.ID); err != nil {
			s.log.Error("record the slot's first message", "subscription", d.sub.ID, "first_message", head.ID, "err", err)
		}
	})
	if err != nil {
		var pe *postError
		if errors.As(err, &pe) && pe.sent == 0 && ctx.Err() != nil {
			stopped = true // nothing reached the channel: give the slot back
			return
		}
		s.logFailure(ctx, "post report", err, "subscription", d.sub.ID, "channel", d.sub.Channel, "first_message", head.ID)
		outcome = "error: post failed"
		return
	}
	s.log.Info("report posted", "subscription", d.sub.ID, "channel", d.sub.Channel, "first_message", head.ID)
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.ObserveReport(d.sub.Kind)
	}
	outcome = OutcomePosted
	if rep.Empty {
		outcome = OutcomeEmpty + ", posted"
	}
}

// build dispatches to the report builder of kind.
func build(kind Kind, acct *Account, now time.Time, loc *time.Location, p Params) Report {
	switch kind {
	case KindUpgrade:
		return BuildUpgrade(acct.Instances, now, loc, UpgradeParams{})
	case KindSnapshots:
		return BuildSnapshots(acct.Instances, acct.Snapshots, now, loc, SnapshotParams{Days: p.Days})
	default:
		return BuildExpiry(acct.Instances, now, loc, ExpiryParams{Days: p.Days})
	}
}

// withFooter adds to the channel message which subscription posted the
// report and how to stop it, so a reader can find it in `alerts list`.
func withFooter(p Posting, sub store.Subscription, sched Schedule) Posting {
	p.Head.Notes = append(p.Head.Notes, fmt.Sprintf("Alert #%d (%s, %s); `/paas alerts remove %d` stops it.",
		sub.ID, sched.String(), sched.Location(), sub.ID))
	return p
}

// postError is a failed post of a report, saying how many of its
// messages went out before it (a report cut in the middle is not re-run).
type postError struct {
	sent, total int
	err         error
}

func (e *postError) Error() string {
	return fmt.Sprintf("message %d of %d: %v", e.sent+1, e.total, e.err)
}

func (e *postError) Unwrap() error { return e.err }

// postReport posts p's head in channel, then each reply in its thread, in
// order, stopping at the first failure (a *postError). It returns the
// head's reference as soon as the head is posted, also with an error
// after it: the slot's first message, which it hands to posted (when not
// nil) before the replies.
func (s *Scheduler) postReport(ctx context.Context, channel string, p Posting, posted func(head reply.Ref)) (reply.Ref, error) {
	total := 1 + len(p.Replies)
	head, err := s.cfg.Poster.Post(ctx, channel, p.Head)
	if err != nil {
		return reply.Ref{}, &postError{sent: 0, total: total, err: err}
	}
	if posted != nil {
		posted(head)
	}
	for i, m := range p.Replies {
		if _, err := s.cfg.Poster.PostThread(ctx, head, m); err != nil {
			return head, &postError{sent: 1 + i, total: total, err: err}
		}
	}
	return head, nil
}

// releaseTimeout bounds the store writes that give slots back once the
// run's own context has ended.
const releaseTimeout = 5 * time.Second

// release gives back the unfinished claims of list (their context has
// ended, so the store is written under a short context of its own) and
// forgets them in the cache, so that a later tick of this scheduler, or
// the next process, runs them.
func (s *Scheduler) release(ctx context.Context, list []due) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	for _, d := range list {
		if err := s.cfg.Store.ReleaseSlot(rctx, d.sub.ID, d.slot); err != nil {
			s.log.Error("release slot", "subscription", d.sub.ID, "err", err)
			continue
		}
		s.mu.Lock()
		delete(s.claimed, d.sub.ID)
		s.mu.Unlock()
	}
}

// finish records the outcome of d's slot, under a short context of its
// own when the run's has ended (what was posted must be recorded).
func (s *Scheduler) finish(ctx context.Context, d due, outcome string) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	err := s.cfg.Store.FinishSlot(fctx, d.sub.ID, d.slot, outcome)
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		s.log.Warn("alert slot taken over by another process; its outcome is that one's", "subscription", d.sub.ID, "err", err)
	case err != nil:
		s.log.Error("finish slot", "subscription", d.sub.ID, "err", err)
	}
}

// pause pauses every subscription of list and tells each channel once
// (only when the subscription was not already paused).
func (s *Scheduler) pause(ctx context.Context, list []due) {
	for _, d := range list {
		s.pauseOne(ctx, d.sub)
		s.finish(ctx, d, OutcomePaused)
	}
}

func (s *Scheduler) pauseOne(ctx context.Context, sub store.Subscription) {
	changed, err := s.cfg.Store.PauseSubscription(ctx, sub.ID, ErrKeyGone.Error())
	if err != nil {
		s.log.Error("pause subscription", "subscription", sub.ID, "err", err)
		return
	}
	if !changed {
		return
	}
	s.log.Info("subscription paused: owner's key gone or refused", "subscription", sub.ID, "owner", sub.Owner)
	if _, err := s.cfg.Poster.Post(ctx, sub.Channel, PausedMessage(sub)); err != nil {
		s.log.Error("post pause notice", "subscription", sub.ID, "err", err)
	}
}

// PausedMessage is the one notice a channel gets when a subscription
// pauses because its owner's key is gone or refused.
func PausedMessage(sub store.Subscription) reply.Message {
	return reply.Message{
		Visibility: reply.Shared, Tone: reply.Warning,
		Text: fmt.Sprintf("Alert #%d (%s report) paused: %s's Gandi key is gone or refused; someone with a key can take it over with `/paas alerts takeover %d`.",
			sub.ID, sub.Kind, mention(sub.Owner), sub.ID),
	}
}

// mention names a person: a reply.Mention token for a Slack user id (the
// transport renders it), "@name" for the shell's plain user names.
func mention(user string) string {
	if reply.IsUserID(user) {
		return reply.Mention(user)
	}
	return "@" + user
}

// postScanFailure tells each channel of list, in one line per channel,
// that the scan failed and when it is retried, and records the failure.
func (s *Scheduler) postScanFailure(ctx context.Context, list []due, err error) {
	reason := scanFailureReason(err)
	byChannel := map[string][]due{}
	var channels []string
	for _, d := range list {
		if _, ok := byChannel[d.sub.Channel]; !ok {
			channels = append(channels, d.sub.Channel)
		}
		byChannel[d.sub.Channel] = append(byChannel[d.sub.Channel], d)
		s.finish(ctx, d, "error: scan: "+reason)
	}
	for _, ch := range channels {
		ds := byChannel[ch]
		slices.SortFunc(ds, func(a, b due) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
		var ids string
		var next time.Time
		var loc *time.Location
		for i, d := range ds {
			if i > 0 {
				ids += ", "
			}
			ids += fmt.Sprintf("#%d %s", d.sub.ID, d.sub.Kind)
			if n := d.sched.Next(d.slot, 1); len(n) == 1 && (next.IsZero() || n[0].Before(next)) {
				next, loc = n[0], d.sched.Location()
			}
		}
		retry := "will retry at the next slot"
		if !next.IsZero() {
			retry += " " + formatSlot(next, loc, s.cfg.Now())
		}
		m := reply.Message{Visibility: reply.Shared, Tone: reply.Error,
			Text: fmt.Sprintf("Couldn't scan for alert %s: %s; %s.", ids, reason, retry)}
		if _, err := s.cfg.Poster.Post(ctx, ch, m); err != nil {
			s.log.Error("post scan failure", "channel", ch, "err", err)
		}
	}
}

// formatSlot shows a run time in its zone: "09:00 CET" today, "Mon 09:00
// CET" within a week, a date beyond.
func formatSlot(t time.Time, loc *time.Location, now time.Time) string {
	t = t.In(loc)
	switch d := human.DayDiff(now, t, loc); {
	case d == 0:
		return t.Format("15:04 MST")
	case d > 0 && d < 7:
		return t.Format("Mon 15:04 MST")
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// scanFailureReason says in plain words why a scan failed, without the
// error's text (which is not for a channel).
func scanFailureReason(err error) string {
	var fault *gandi.Fault
	var httpErr *gandi.HTTPError
	var tErr *gandi.TransportError
	var dErr *gandi.DecodeError
	switch {
	case errors.Is(err, context.Canceled):
		// Before the transport error that wraps it: a cancelled request
		// is paasbot stopping, not Gandi failing to answer.
		return "paasbot was stopping"
	case errors.Is(err, gandi.ErrTooManyRequests):
		return "Gandi asks us to slow down"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &tErr):
		return "Gandi isn't answering"
	case errors.As(err, &httpErr):
		return fmt.Sprintf("Gandi answered HTTP %d", httpErr.StatusCode)
	case errors.As(err, &fault):
		return fmt.Sprintf("Gandi answered fault %d", fault.Code)
	case errors.As(err, &dErr):
		return "Gandi sent an answer paasbot couldn't read"
	}
	return "an internal error (see paasbot's log)"
}
