package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// follower follows the operations of one executed request and keeps its
// message and stored progress up to date, under this process's lease of
// the request: every save names the holder, and a follow-up another
// process took over (this one's lease lapsed) stops at its next save.
// Updates are serialised by mu.
type follower struct {
	e    *Engine
	a    store.Approval
	plan Plan
	mu   sync.Mutex
	pr   *progress
	stop context.CancelFunc // ends the follow-up when the lease is lost
	lost bool               // guarded by mu
}

// follow starts following a's operations in a goroutine owned by the
// engine (see Start and Close). It does nothing when a is already
// followed.
func (e *Engine) follow(ctx context.Context, a store.Approval, p Plan, pr *progress) {
	f := &follower{e: e, a: a, plan: p, pr: pr}
	e.runtime().spawnFollow(ctx, a.ID, f.run)
}

func (f *follower) run(ctx context.Context) {
	e := f.e
	deadline := e.cfg.FollowDeadline
	remaining := f.pr.Started.Add(deadline).Sub(e.now())
	if remaining <= 0 {
		f.end(ctx, nil, outcomeGaveUp, fmt.Sprintf("still not finished %s after execution.", human.Duration(deadline)))
		return
	}
	wctx, cancel := context.WithTimeout(ctx, remaining)
	defer cancel()
	f.mu.Lock()
	f.stop = cancel
	f.mu.Unlock()
	key, err := e.requesterKey(wctx, &f.a)
	if err != nil {
		f.end(ctx, nil, outcomeGaveUp, "the requester's API key is gone, so paasbot cannot ask Gandi.")
		return
	}
	gc := e.cfg.Gandi(key, 0)
	var wg sync.WaitGroup
	for i := range f.pr.Ops {
		if gandi.Step(f.pr.Ops[i].Step).IsTerminal() {
			continue
		}
		wg.Go(func() { f.wait(wctx, gc, i) })
	}
	wg.Wait()
	f.mu.Lock()
	lost := f.lost
	f.mu.Unlock()
	if lost {
		return
	}
	if ctx.Err() != nil {
		// Shutting down: the progress is saved, and once this process's
		// lease lapses the next recovery (here or elsewhere) resumes it.
		f.save(context.WithoutCancel(ctx), false)
		return
	}
	f.mu.Lock()
	outcome, why := outcomeDone, ""
	for _, op := range f.pr.Ops {
		s := gandi.Step(op.Step)
		switch {
		case s.IsFailure():
			outcome = outcomeFailed
			why = fmt.Sprintf("operation %d (%s) ended in %s: %s", op.ID, op.Type, op.Step, human.OrDefault(op.LastError, "Gandi gave no reason"))
		case !s.IsTerminal() && outcome != outcomeFailed:
			outcome = outcomeGaveUp
			why = fmt.Sprintf("operation %d (%s) is still %s after %s.", op.ID, op.Type, op.Step, human.Duration(deadline))
		}
	}
	f.mu.Unlock()
	f.end(ctx, &gc, outcome, why)
}

// wait follows operation i until it ends, retrying after transient
// failures until ctx ends.
func (f *follower) wait(ctx context.Context, gc Client, i int) {
	cfg := &f.e.cfg
	id := f.pr.Ops[i].ID
	opts := gandi.WaitOptions{InitialInterval: cfg.WaitInitial, MaxInterval: cfg.WaitMax, Sleep: cfg.Sleep,
		OnProgress: func(op gandi.Operation) { f.step(ctx, i, op) }}
	for {
		op, err := gc.Operations.Wait(ctx, id, opts)
		var oe *gandi.OperationError
		switch {
		case err == nil && op != nil:
			f.step(ctx, i, *op)
			return
		case errors.As(err, &oe):
			f.step(ctx, i, oe.Operation)
			return
		case ctx.Err() != nil:
			return
		case errors.Is(err, gandi.ErrNotFound):
			f.step(ctx, i, gandi.Operation{ID: id, Step: gandi.StepCancel, LastError: "Gandi no longer knows this operation"})
			return
		}
		f.e.log.WarnContext(ctx, "following an operation failed; retrying", "approval", f.a.ID, "operation", id, "err", err)
		if cfg.Sleep(ctx, cfg.WaitMax) != nil {
			return
		}
	}
}

// step records a new step of operation i, saves it and updates the
// message. Repeated steps change nothing.
func (f *follower) step(ctx context.Context, i int, op gandi.Operation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := &f.pr.Ops[i]
	if st.Step == string(op.Step) && st.LastError == op.LastError {
		return
	}
	if f.lost {
		return
	}
	st.Step, st.LastError = string(op.Step), op.LastError
	if n := len(st.Trail); n == 0 || st.Trail[n-1] != st.Step {
		st.Trail = append(st.Trail, st.Step)
	}
	if op.PaasID != 0 {
		st.PaasID = op.PaasID
	}
	f.saveLocked(ctx, false)
	if !f.lost {
		f.e.publish(ctx, &f.a, f.plan, f.pr, "")
		if !gandi.Step(st.Step).IsTerminal() || len(f.pr.Ops) > 1 {
			// The last step of the only operation is the outcome's reply.
			f.e.stepReply(ctx, &f.a, *st)
		}
	}
}

// end records the outcome, the result (the new instance of a create, the
// new expiry of a renewal), the audit line and the final message; the
// follow-up and its lease are over.
func (f *follower) end(ctx context.Context, gc *Client, outcome, why string) {
	e := f.e
	ctx = context.WithoutCancel(ctx)
	var result *instanceResult
	if outcome == outcomeDone && gc != nil {
		result = e.result(ctx, *gc, f.plan, f.pr)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lost {
		return
	}
	now := e.now()
	f.pr.Outcome, f.pr.Error, f.pr.Ended, f.pr.Instance = outcome, why, &now, result
	raw, err := json.Marshal(f.pr)
	if err != nil {
		e.log.ErrorContext(ctx, "cannot encode the progress of an approval", "id", f.a.ID, "err", err)
		return
	}
	state := string(store.StateDone)
	switch outcome {
	case outcomeDone:
	case outcomeGaveUp:
		state = "unknown"
	default:
		state = string(store.StateFailed)
	}
	err = e.retry(ctx, func(ctx context.Context) error {
		if state == string(store.StateFailed) {
			return e.cfg.Store.FailOperationsHeld(ctx, f.a.ID, raw, human.OrDefault(why, outcome))
		}
		return e.cfg.Store.ProgressHeld(ctx, f.a.ID, raw, true)
	})
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		f.loseLocked(ctx, err)
		return
	case err != nil:
		e.log.ErrorContext(ctx, "cannot record how the operations of an approval ended", "id", f.a.ID, "err", err)
	case state == string(store.StateFailed):
		f.a.State, f.a.Error = store.StateFailed, human.OrDefault(why, outcome)
	}
	e.observeApproval(state)
	e.audit(ctx, f.a.Team, systemActor, auditAction("result", &f.a), f.a.Summary, human.OrDefault(joinOutcome(outcome, why), outcome), nil)
	defer e.ended(ctx, &f.a, f.plan, f.pr, "")
	if e.publish(ctx, &f.a, f.plan, f.pr, "") || e.cfg.Notifier == nil || e.canDM() {
		return
	}
	// No message to update (the confirm flow, or a post that failed): tell
	// the requester privately how it ended.
	m := e.approvalMessage(&f.a, f.plan, f.pr, "")
	m.Visibility = reply.Private
	if err := e.cfg.Notifier.PostPrivate(ctx, f.a.Channel, f.a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot tell the requester how the request ended", "id", f.a.ID, "err", err)
	}
}

// loseLocked stops a follow-up whose lease another process took over:
// that process follows the operations now. f.mu is held.
func (f *follower) loseLocked(ctx context.Context, err error) {
	if !f.lost {
		f.e.log.WarnContext(ctx, "another process took over following an approval; this one stops", "id", f.a.ID, "err", err)
	}
	f.lost = true
	if f.stop != nil {
		f.stop()
	}
}

func joinOutcome(outcome, why string) string {
	if why == "" {
		return outcome
	}
	return outcome + ": " + why
}

// result reads what a finished call produced, for its message: the new
// instance of a create (paas.info on the paas_id of its operations: id,
// servers, vhosts), the new expiry of a renewal. nil when there is nothing
// to read or Gandi does not say.
func (e *Engine) result(ctx context.Context, gc Client, p Plan, pr *progress) *instanceResult {
	id := 0
	switch p.Action {
	case ActionCreate:
		for _, op := range pr.Ops {
			if op.PaasID != 0 {
				id = op.PaasID
				break
			}
		}
	case ActionRenew:
		id = p.InstanceID
	}
	if id == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	info, err := gc.PaaS.Info(ctx, id)
	if err != nil {
		e.log.WarnContext(ctx, "instance not readable after its operations", "paas_id", id, "err", err)
		if p.Action != ActionCreate {
			return nil
		}
		return &instanceResult{ID: id}
	}
	if p.Action == ActionRenew {
		return &instanceResult{ID: info.ID, Name: info.Name, DateEnd: info.DateEnd}
	}
	r := &instanceResult{ID: info.ID, Name: info.Name, FTPServer: info.FTPServer, GitServer: info.GitServer}
	for _, v := range info.Vhosts {
		r.Vhosts = append(r.Vhosts, v.Name)
	}
	return r
}

func (f *follower) save(ctx context.Context, done bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saveLocked(ctx, done)
}

// saveLocked records where the operations stand (f.mu is held); a lost
// lease stops the follow-up.
func (f *follower) saveLocked(ctx context.Context, done bool) {
	if f.lost {
		return
	}
	raw, err := json.Marshal(f.pr)
	if err == nil {
		err = f.e.cfg.Store.ProgressHeld(ctx, f.a.ID, raw, done)
	}
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		f.loseLocked(ctx, err)
	case err != nil:
		f.e.log.WarnContext(ctx, "cannot save the progress of an approval", "id", f.a.ID, "err", err)
	}
}
