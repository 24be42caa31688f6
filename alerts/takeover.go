package alerts

import (
	"context"
	"errors"
	"fmt"

	"github.com/paasbot/paasbot/store"
)

// OutcomeMissed is recorded for a claim taken over from a stopped process
// whose slot is older than CatchUp: too late to post, as for a slot missed
// while paasbot was down.
const OutcomeMissed = "missed: its process stopped before posting, and the slot is past the catch-up window"

// TakeOverLapsed runs the slots that another process claimed and stopped
// before posting anything (its lease lapsed, no message was begun or
// recorded: store.LapsedSlots), as RunDue runs a due slot: claimed again
// by exactly one process, the owner's account scanned once, the report
// posted once. A claim with a recorded message is never listed, so a
// report that reached its channel is never posted again. Claims this
// process still runs are skipped; a slot older than CatchUp is settled as
// OutcomeMissed, one of a paused or deleted subscription as that. Start
// calls it every RecoverEvery; the error is about reading the claims.
func (s *Scheduler) TakeOverLapsed(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	lapsed, err := s.cfg.Store.LapsedSlots(ctx)
	if err != nil {
		return fmt.Errorf("alerts: lapsed slots: %w", err)
	}
	now := s.cfg.Now()
	var g byOwner
	for _, run := range lapsed {
		if s.isRunning(run.SubscriptionID, run.Slot) {
			continue
		}
		sub, err := s.cfg.Store.Subscription(ctx, run.SubscriptionID)
		if errors.Is(err, store.ErrNotFound) {
			continue // removed: its runs went with it
		}
		if err != nil {
			s.logFailure(ctx, "read subscription of a lapsed slot", err, "subscription", run.SubscriptionID)
			continue
		}
		sched, params, err := s.parseSub(*sub)
		d := due{sub: *sub, sched: sched, params: params, slot: run.Slot}
		switch {
		case err != nil:
			s.settle(ctx, d, "error: "+err.Error())
			continue
		case sub.Paused:
			s.settle(ctx, d, OutcomePaused)
			continue
		case run.Slot.Before(now.Add(-s.cfg.CatchUp)):
			s.settle(ctx, d, OutcomeMissed)
			continue
		}
		s.log.Info("taking over an alert slot whose process stopped before posting",
			"subscription", sub.ID, "slot", run.Slot, "previous_holder", run.Holder)
		g.add(d)
	}
	s.runByOwner(ctx, &g)
	return nil
}

// settle takes over d's lapsed claim and records outcome without posting.
func (s *Scheduler) settle(ctx context.Context, d due, outcome string) {
	won, err := s.cfg.Store.ClaimSlotLeased(ctx, d.sub.ID, d.slot)
	if err != nil {
		s.logFailure(ctx, "claim slot", err, "subscription", d.sub.ID)
		return
	}
	if won {
		s.finish(ctx, d, outcome)
	}
}
