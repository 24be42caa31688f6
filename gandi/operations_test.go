package gandi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"
)

func opAnswer(id int, step Step, lastError string) string {
	return fmt.Sprintf(`<?xml version='1.0'?><methodResponse><params><param><value><struct>
<member><name>id</name><value><int>%d</int></value></member>
<member><name>type</name><value><string>paas_vm_create</string></value></member>
<member><name>step</name><value><string>%s</string></value></member>
<member><name>last_error</name><value><string>%s</string></value></member>
<member><name>date_start</name><value><nil/></value></member>
</struct></value></param></params></methodResponse>`, id, step, lastError)
}

// script answers operation.info with one reply per poll, repeating the last.
func script(replies ...reply) reply {
	var mu sync.Mutex
	i := 0
	return func(w http.ResponseWriter, c call) {
		mu.Lock()
		r := replies[min(i, len(replies)-1)]
		i++
		mu.Unlock()
		r(w, c)
	}
}

func stepReply(step Step, lastError string) reply {
	return answerText(200, opAnswer(77, step, lastError))
}

// fakeSleep records the pauses asked for and never sleeps.
type fakeSleep struct{ pauses []time.Duration }

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.pauses = append(f.pauses, d)
	return ctx.Err()
}

func TestWait(t *testing.T) {
	tests := []struct {
		name      string
		replies   []reply
		opts      WaitOptions
		wantStep  Step
		wantErr   error  // matched with errors.Is; nil: success
		lastError string // for an *OperationError
		progress  []Step
		pauses    []time.Duration
		// clientPauses are the client's own pauses between attempts.
		clientPauses []time.Duration
	}{
		{
			name:     "done after back-off",
			replies:  []reply{stepReply(StepBill, ""), stepReply(StepBill, ""), stepReply(StepWait, ""), stepReply(StepRun, ""), stepReply(StepRun, ""), stepReply(StepDone, "")},
			opts:     WaitOptions{InitialInterval: time.Second, MaxInterval: 5 * time.Second},
			wantStep: StepDone,
			progress: []Step{StepBill, StepWait, StepRun, StepDone},
			pauses:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		{
			name:      "error carries last_error",
			replies:   []reply{stepReply(StepRun, ""), stepReply(StepError, "disk quota exceeded")},
			wantStep:  StepError,
			wantErr:   ErrOperationFailed,
			lastError: "disk quota exceeded",
			progress:  []Step{StepRun, StepError},
			pauses:    []time.Duration{DefaultWaitInitial},
		},
		{
			name:      "support",
			replies:   []reply{stepReply(StepSupport, "ask support")},
			wantStep:  StepSupport,
			wantErr:   ErrOperationFailed,
			lastError: "ask support",
			progress:  []Step{StepSupport},
		},
		{
			name:      "cancel",
			replies:   []reply{stepReply(StepCancel, "")},
			wantStep:  StepCancel,
			wantErr:   ErrOperationFailed,
			progress:  []Step{StepCancel},
			lastError: "",
		},
		{
			name:     "a transient error is retried",
			replies:  []reply{stepReply(StepRun, ""), answerText(502, ""), stepReply(StepDone, "")},
			opts:     WaitOptions{InitialInterval: time.Second, MaxInterval: time.Second},
			wantStep: StepDone,
			progress: []Step{StepRun, StepDone},
			pauses:   []time.Duration{time.Second, time.Second},
		},
		{
			// operation.info is a read: the client itself retries it.
			name:         "HTTP 503 and TOOMANY are retried by the client",
			replies:      []reply{answerText(503, ""), answerText(200, faultBody(510299, "x (CAUSE_TOOMANY) [slow]")), stepReply(StepDone, "")},
			opts:         WaitOptions{InitialInterval: time.Second, MaxInterval: time.Second},
			wantStep:     StepDone,
			progress:     []Step{StepDone},
			clientPauses: []time.Duration{RetryBackoff, 2 * RetryBackoff},
		},
		{
			name:     "too many transient errors",
			replies:  []reply{answerText(503, "")},
			opts:     WaitOptions{InitialInterval: time.Second, MaxInterval: time.Second, MaxTransientErrors: 2},
			wantErr:  ErrTooManyRequests,
			progress: nil,
			pauses:   []time.Duration{time.Second, time.Second},
		},
		{
			name:    "not found stops at once",
			replies: []reply{answerText(200, faultBody(510242, "Error on object : OBJECT_OPERATION (CAUSE_NOTFOUND) [no]"))},
			wantErr: ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, script(tt.replies...))
			fs := &fakeSleep{}
			var progress []Step
			opts := tt.opts
			opts.Sleep = fs.sleep
			opts.OnProgress = func(op Operation) { progress = append(progress, op.Step) }
			op, err := c.Operations.Wait(context.Background(), 77, opts)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.wantStep != "" && (op == nil || op.Step != tt.wantStep) {
				t.Errorf("op = %+v, want step %s", op, tt.wantStep)
			}
			if errors.Is(tt.wantErr, ErrOperationFailed) {
				var oe *OperationError
				if !errors.As(err, &oe) || oe.Operation.LastError != tt.lastError || oe.Operation.ID != 77 {
					t.Errorf("error %#v, want *OperationError with last_error %q", err, tt.lastError)
				}
			}
			if !reflect.DeepEqual(progress, tt.progress) {
				t.Errorf("progress %v, want %v", progress, tt.progress)
			}
			if !reflect.DeepEqual(fs.pauses, tt.pauses) {
				t.Errorf("pauses %v, want %v", fs.pauses, tt.pauses)
			}
			if tt.clientPauses != nil && !reflect.DeepEqual(srv.pauses(), tt.clientPauses) {
				t.Errorf("client pauses %v, want %v", srv.pauses(), tt.clientPauses)
			}
			if got := srv.lastCall(); got.Method != "operation.info" || !reflect.DeepEqual(got.Params, []any{77}) {
				t.Errorf("polled %s %v", got.Method, got.Params)
			}
		})
	}
}

func TestWaitMalformedAnswerEnds(t *testing.T) {
	c, _ := setup(t, script(stepReply(StepRun, ""), answerText(200, "garbage")))
	fs := &fakeSleep{}
	op, err := c.Operations.Wait(context.Background(), 77, WaitOptions{Sleep: fs.sleep})
	var de *DecodeError
	if !errors.As(err, &de) || op == nil || op.Step != StepRun {
		t.Fatalf("got %+v, %v; want the last operation and a *DecodeError", op, err)
	}
}

// TestWaitDeadline: with the real sleep, a context deadline ends the wait
// with the last operation seen.
func TestWaitDeadline(t *testing.T) {
	c, _ := setup(t, stepReply(StepRun, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	op, err := c.Operations.Wait(ctx, 77, WaitOptions{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want context.DeadlineExceeded", err)
	}
	if op == nil || op.Step != StepRun {
		t.Errorf("op = %+v, want the last RUN operation", op)
	}
}

func TestStep(t *testing.T) {
	for _, tt := range []struct {
		step              Step
		terminal, failure bool
	}{
		{StepBill, false, false}, {StepWait, false, false}, {StepRun, false, false},
		{StepDone, true, false}, {StepError, true, true}, {StepSupport, true, true}, {StepCancel, true, true},
		{"WHATEVER", false, false},
	} {
		if tt.step.IsTerminal() != tt.terminal || tt.step.IsFailure() != tt.failure {
			t.Errorf("%s: terminal %v failure %v", tt.step, tt.step.IsTerminal(), tt.step.IsFailure())
		}
	}
}
