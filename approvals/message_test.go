package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

func TestApprovalMessage_States(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := &Engine{cfg: Config{Approvers: []string{"USAM"}, Now: func() time.Time { return now }}}
	decided := now.Add(time.Minute)
	p := Plan{Action: ActionRenew, InstanceID: 42, Target: "shop-prod (#42)", Summary: []reply.Field{{Label: "Duration", Value: "12m"}}}
	base := store.Approval{ID: 7, Requester: "UDANA", Action: ActionRenew, Summary: "renew shop-prod (#42)", ExpiresAt: now.Add(24 * time.Hour)}
	ops := &progress{Ops: []opState{{ID: 1, Type: "paas_vm_renew", Step: "RUN", Trail: []string{"BILL", "RUN"}}}}
	tests := []struct {
		name    string
		state   store.ApprovalState
		pr      *progress
		err     string
		tone    reply.Tone
		want    []string
		buttons int
	}{
		{"Pending", store.StatePending, nil, "", reply.Warning, []string{"Approval #7: Renew shop-prod (#42)", "{@UDANA} asks to *renew shop-prod (#42)*",
			"Approvers: {@USAM}", "Expires 2026-11-23 10:00 CET (in 24 h)", "Duration: 12m", "Requested by: {@UDANA}"}, 3},
		{"Approved", store.StateApproved, nil, "", reply.Info, []string{"Approved by {@USAM} at 2026-11-22 10:01 CET; running it with {@UDANA}'s API key"}, 0},
		{"Following", store.StateDone, ops, "", reply.Info, []string{"following 1 operation…", "1 | paas_vm_renew | BILL → RUN"}, 0},
		{"Done", store.StateDone, &progress{Outcome: outcomeDone, Ended: &decided}, "", reply.Success, []string{"Done at 2026-11-22 10:01 CET. Approved by {@USAM}"}, 0},
		{"OperationFailed", store.StateDone, &progress{Outcome: outcomeFailed, Error: "operation 1 (paas_vm_renew) ended in ERROR: boom"}, "", reply.Error,
			[]string{"Failed: operation 1 (paas_vm_renew) ended in ERROR: boom", "Check `/paas info 42`"}, 0},
		{"GaveUp", store.StateDone, &progress{Outcome: outcomeGaveUp, Error: "operation 1 is still RUN after 2 h."}, "", reply.Warning,
			[]string{"stopped following its operations: operation 1 is still RUN after 2 h."}, 0},
		{"Failed", store.StateFailed, nil, "Not enough prepaid credit.", reply.Error, []string{"Failed: Not enough prepaid credit.", "nothing changed"}, 0},
		{"Denied", store.StateDenied, nil, "", reply.Info, []string{"Denied by {@USAM} at 2026-11-22 10:01 CET. Nothing was done."}, 0},
		{"Expired", store.StateExpired, nil, "", reply.Info, []string{"Expired at 2026-11-23 10:00 CET without a decision"}, 0},
		{"Interrupted", store.StateInterrupted, nil, "", reply.Warning, []string{"⚠ Interrupted: paasbot cannot tell whether it ran", "Check in Gandi (`/paas info 42`) before asking again; it will not be re-run."}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base
			a.State, a.Error = tt.state, tt.err
			if tt.state != store.StatePending && tt.state != store.StateExpired {
				a.DecidedBy, a.DecidedAt = "USAM", &decided
			}
			m := c.approvalMessage(&a, p, tt.pr, "")
			text := testutil.Text(m)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			if m.Tone != tt.tone || len(m.Buttons) != tt.buttons || m.Visibility != reply.Shared {
				t.Errorf("tone %v, %d buttons, visibility %v; want %v, %d, shared", m.Tone, len(m.Buttons), m.Visibility, tt.tone, tt.buttons)
			}
		})
	}
}

func TestApprovalMessage_NoApproversAndNames(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := &Engine{cfg: Config{Now: func() time.Time { return now }}}
	a := store.Approval{ID: 3, Requester: "dana", Action: ActionCreate, Summary: "create blog", State: store.StatePending, ExpiresAt: now.Add(time.Hour)}
	text := testutil.Text(c.approvalMessage(&a, Plan{Action: ActionCreate, Target: "blog"}, nil, ""))
	for _, w := range []string{"dana asks to *create blog*", "No approvers are configured: dana confirms their own request."} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "{@") {
		t.Errorf("a shell name became a Slack mention token:\n%s", text)
	}
}

func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&gandi.Fault{Code: 530040, Message: "no credit"}, false},
		{fmt.Errorf("wrapped: %w", &gandi.Fault{Code: 537542}), false},
		{&gandi.HTTPError{StatusCode: 429}, false},
		{&gandi.HTTPError{StatusCode: 502}, true},
		{&gandi.TransportError{Method: "paas.renew", Err: context.DeadlineExceeded}, true},
		{&gandi.DecodeError{Method: "paas.renew", Err: errors.New("truncated")}, true},
		{context.Canceled, true},
		{errBadPlan, false},
		{errors.New("something else"), false},
	}
	for _, tt := range tests {
		if got := outcomeUnknown(tt.err); got != tt.want {
			t.Errorf("outcomeUnknown(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
