package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// DefaultFollowDeadline is how long paasbot follows the operations of an
// executed request before it says so and stops (counted from execution,
// across restarts).
const DefaultFollowDeadline = 2 * time.Hour

// The outcomes of a follow-up.
const (
	outcomeDone   = "done"
	outcomeFailed = "failed"
	outcomeGaveUp = "gave up"
)

// progress is what SetProgress keeps of an executed request: its
// operations and where they stand. It never holds a secret (no operation
// params, which Gandi may echo).
type progress struct {
	Started  time.Time       `json:"started"`
	Ops      []opState       `json:"ops"`
	Outcome  string          `json:"outcome,omitempty"`
	Error    string          `json:"error,omitempty"`
	Ended    *time.Time      `json:"ended,omitempty"`
	Instance *instanceResult `json:"instance,omitempty"`
}

// opState is one followed operation.
type opState struct {
	ID        int      `json:"id"`
	Type      string   `json:"type"`
	Step      string   `json:"step"`
	Trail     []string `json:"trail,omitempty"` // the steps seen, in order
	LastError string   `json:"last_error,omitempty"`
	PaasID    int      `json:"paas_id,omitempty"`
}

// instanceResult is what a finished create produced.
type instanceResult struct {
	ID        int      `json:"id"`
	Name      string   `json:"name"`
	FTPServer string   `json:"ftp_server,omitempty"`
	GitServer string   `json:"git_server,omitempty"`
	Vhosts    []string `json:"vhosts,omitempty"`
}

func newProgress(ops []gandi.Operation, started time.Time) *progress {
	pr := &progress{Started: started, Ops: make([]opState, 0, len(ops))}
	for _, op := range ops {
		pr.Ops = append(pr.Ops, opState{ID: op.ID, Type: op.Type, Step: string(op.Step), Trail: []string{string(op.Step)}, PaasID: op.PaasID})
	}
	return pr
}

func decodeProgress(raw json.RawMessage) (*progress, error) {
	var pr progress
	if err := json.Unmarshal(raw, &pr); err != nil {
		return nil, fmt.Errorf("decode progress: %w", err)
	}
	return &pr, nil
}

// follower follows the operations of one executed request and keeps its
// message and stored progress up to date. Updates are serialised by mu.
type follower struct {
	c    *Core
	a    store.Approval
	plan Plan
	mu   sync.Mutex
	pr   *progress
}

// follow starts following a's operations in a goroutine owned by the Core
// (see Start and Close). It does nothing when a is already followed.
func (c *Core) follow(ctx context.Context, a store.Approval, p Plan, pr *progress) {
	f := &follower{c: c, a: a, plan: p, pr: pr}
	c.runtime().spawnFollow(ctx, a.ID, f.run)
}

func (f *follower) run(ctx context.Context) {
	c, rt := f.c, f.c.runtime()
	remaining := f.pr.Started.Add(rt.followDeadline()).Sub(c.now())
	if remaining <= 0 {
		f.end(ctx, nil, outcomeGaveUp, fmt.Sprintf("still not finished %s after execution.", human.Duration(rt.followDeadline())))
		return
	}
	wctx, cancel := context.WithTimeout(ctx, remaining)
	defer cancel()
	key, err := c.apiKey(wctx, f.a.Team, f.a.Requester)
	if err != nil {
		f.end(ctx, nil, outcomeGaveUp, "the requester's API key is gone, so paasbot cannot ask Gandi.")
		return
	}
	gc := c.cfg.Gandi(key)
	var wg sync.WaitGroup
	for i := range f.pr.Ops {
		if gandi.Step(f.pr.Ops[i].Step).IsTerminal() {
			continue
		}
		wg.Go(func() { f.wait(wctx, gc, i) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		// Shutting down: the progress is saved; Start resumes it.
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
			why = fmt.Sprintf("operation %d (%s) is still %s after %s.", op.ID, op.Type, op.Step, human.Duration(rt.followDeadline()))
		}
	}
	f.mu.Unlock()
	f.end(ctx, gc, outcome, why)
}

// wait follows operation i until it ends, retrying after transient
// failures until ctx ends.
func (f *follower) wait(ctx context.Context, gc *gandi.Client, i int) {
	rt := f.c.runtime()
	id := f.pr.Ops[i].ID
	opts := gandi.WaitOptions{InitialInterval: rt.waitInitial, MaxInterval: rt.waitMax, Sleep: rt.sleep,
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
		f.c.log.WarnContext(ctx, "following an operation failed; retrying", "approval", f.a.ID, "operation", id, "err", err)
		pause := rt.waitMax
		if pause <= 0 {
			pause = gandi.DefaultWaitMax
		}
		if rt.pause(ctx, pause) != nil {
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
	st.Step, st.LastError = string(op.Step), op.LastError
	if n := len(st.Trail); n == 0 || st.Trail[n-1] != st.Step {
		st.Trail = append(st.Trail, st.Step)
	}
	if op.PaasID != 0 {
		st.PaasID = op.PaasID
	}
	f.saveLocked(ctx, false)
	f.c.publish(ctx, &f.a, f.plan, f.pr, "")
}

// end records the outcome, the result of a create, the audit line and the
// final message; the follow-up is over.
func (f *follower) end(ctx context.Context, gc *gandi.Client, outcome, why string) {
	c := f.c
	ctx = context.WithoutCancel(ctx)
	var result *instanceResult
	if outcome == outcomeDone && f.plan.Action == ActionCreate && gc != nil {
		result = c.createdInstance(ctx, gc, f.pr)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := c.now()
	f.pr.Outcome, f.pr.Error, f.pr.Ended, f.pr.Instance = outcome, why, &now, result
	f.saveLocked(ctx, true)
	state := string(store.StateDone)
	switch outcome {
	case outcomeDone:
	case outcomeGaveUp:
		state = "unknown"
	default:
		state = string(store.StateFailed)
		if err := c.cfg.Store.FailOperations(ctx, f.a.ID, human.OrDefault(why, outcome)); err != nil {
			c.log.WarnContext(ctx, "cannot mark an approval failed after its operations failed", "id", f.a.ID, "err", err)
		} else {
			f.a.State = store.StateFailed
		}
	}
	c.observeApproval(state)
	c.audit(ctx, f.a.Team, systemActor, auditAction("result", &f.a), f.a.Summary, human.OrDefault(joinOutcome(outcome, why), outcome), nil)
	if c.publish(ctx, &f.a, f.plan, f.pr, "") || c.cfg.Notifier == nil {
		return
	}
	// No message to update (the confirm flow, or a post that failed): tell
	// the requester privately how it ended.
	m := c.approvalMessage(&f.a, f.plan, f.pr, "")
	m.Visibility = reply.Private
	if err := c.cfg.Notifier.PostPrivate(ctx, f.a.Channel, f.a.Requester, m); err != nil {
		c.log.WarnContext(ctx, "cannot tell the requester how the request ended", "id", f.a.ID, "err", err)
	}
}

func joinOutcome(outcome, why string) string {
	if why == "" {
		return outcome
	}
	return outcome + ": " + why
}

// createdInstance reads the new instance (paas.info on the paas_id of the
// create's operations): its id, servers and vhosts.
func (c *Core) createdInstance(ctx context.Context, gc *gandi.Client, pr *progress) *instanceResult {
	id := 0
	for _, op := range pr.Ops {
		if op.PaasID != 0 {
			id = op.PaasID
			break
		}
	}
	if id == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	info, err := gc.PaaS.Info(ctx, id)
	if err != nil {
		c.log.WarnContext(ctx, "created instance not readable", "paas_id", id, "err", err)
		return &instanceResult{ID: id}
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

func (f *follower) saveLocked(ctx context.Context, done bool) {
	raw, err := json.Marshal(f.pr)
	if err == nil {
		err = f.c.cfg.Store.SetProgress(ctx, f.a.ID, raw, done)
	}
	if err != nil {
		f.c.log.WarnContext(ctx, "cannot save the progress of an approval", "id", f.a.ID, "err", err)
	}
}
