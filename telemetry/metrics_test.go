package telemetry

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// codedFault has the method by which IsFault knows gandi's *Fault.
type codedFault struct{ code int }

func (f *codedFault) Error() string  { return fmt.Sprintf("fault %d", f.code) }
func (f *codedFault) FaultCode() int { return f.code }

func TestIsFault(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("connection refused"), false},
		{"fault", &codedFault{537542}, true},
		{"wrapped fault", fmt.Errorf("paas.info: %w", &codedFault{537542}), true},
		{"joined", errors.Join(errors.New("x"), fmt.Errorf("y: %w", &codedFault{510150})), true},
		{"wrapped plain", fmt.Errorf("a: %w", errors.New("timeout")), false},
	}
	for _, tt := range tests {
		if got := IsFault(tt.err); got != tt.want {
			t.Errorf("%s: IsFault = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMetrics_NilReceiverDoesNothing(t *testing.T) {
	var m *Metrics
	m.ObserveCommand("list", "ok")
	m.ObserveGandiCall("paas.list", time.Second, nil)
	m.ObserveApproval("pending")
	m.SetApprovalCounts(map[string]int{"pending": 1})
	m.ObserveReport("expiry")
	m.ObserveReconnect()
	m.ObserveAck(time.Millisecond)
}

func TestMetrics_Exposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.ObserveCommand("list", "ok")
	m.ObserveCommand("list", "ok")
	m.ObserveCommand("renew", "refused")
	m.ObserveGandiCall("paas.list", 40*time.Millisecond, nil)
	m.ObserveGandiCall("paas.info", 200*time.Millisecond, fmt.Errorf("paas.info: %w", &codedFault{537542}))
	m.ObserveGandiCall("paas.info", 3*time.Second, errors.New("context deadline exceeded"))
	m.ObserveApproval("pending")
	m.ObserveApproval("approved")
	m.ObserveApproval("pending")
	m.SetApprovalCounts(map[string]int{"pending": 3, "done": 1})
	m.SetApprovalCounts(map[string]int{"pending": 2})
	m.ObserveReport("expiry")
	m.ObserveReconnect()
	m.ObserveReconnect()
	m.ObserveAck(4 * time.Millisecond)
	m.ObserveAck(700 * time.Millisecond)

	want := `
# HELP paasbot_commands_total /paas commands handled, by command name and outcome.
# TYPE paasbot_commands_total counter
paasbot_commands_total{command="list",outcome="ok"} 2
paasbot_commands_total{command="renew",outcome="refused"} 1
# HELP paasbot_gandi_calls_total Gandi XML-RPC calls, by method and outcome (ok, fault, error).
# TYPE paasbot_gandi_calls_total counter
paasbot_gandi_calls_total{method="paas.info",outcome="error"} 1
paasbot_gandi_calls_total{method="paas.info",outcome="fault"} 1
paasbot_gandi_calls_total{method="paas.list",outcome="ok"} 1
# HELP paasbot_approval_transitions_total Approval requests entering each state (pending, approved, denied, executing, done, failed, expired, interrupted…).
# TYPE paasbot_approval_transitions_total counter
paasbot_approval_transitions_total{state="approved"} 1
paasbot_approval_transitions_total{state="pending"} 2
# HELP paasbot_approvals Approval requests currently in each state, as last counted in the store.
# TYPE paasbot_approvals gauge
paasbot_approvals{state="pending"} 2
# HELP paasbot_reports_posted_total Scheduled reports posted to channels, by kind (expiry, upgrade, snapshots).
# TYPE paasbot_reports_posted_total counter
paasbot_reports_posted_total{kind="expiry"} 1
# HELP paasbot_socket_reconnects_total Slack socket-mode reconnections.
# TYPE paasbot_socket_reconnects_total counter
paasbot_socket_reconnects_total 2
# HELP paasbot_ack_latency_seconds Time from receiving a Slack envelope to acknowledging it (Slack retries after 3 s).
# TYPE paasbot_ack_latency_seconds histogram
paasbot_ack_latency_seconds_bucket{le="0.001"} 0
paasbot_ack_latency_seconds_bucket{le="0.005"} 1
paasbot_ack_latency_seconds_bucket{le="0.01"} 1
paasbot_ack_latency_seconds_bucket{le="0.025"} 1
paasbot_ack_latency_seconds_bucket{le="0.05"} 1
paasbot_ack_latency_seconds_bucket{le="0.1"} 1
paasbot_ack_latency_seconds_bucket{le="0.25"} 1
paasbot_ack_latency_seconds_bucket{le="0.5"} 1
paasbot_ack_latency_seconds_bucket{le="1"} 2
paasbot_ack_latency_seconds_bucket{le="2"} 2
paasbot_ack_latency_seconds_bucket{le="3"} 2
paasbot_ack_latency_seconds_bucket{le="5"} 2
paasbot_ack_latency_seconds_bucket{le="+Inf"} 2
paasbot_ack_latency_seconds_sum 0.704
paasbot_ack_latency_seconds_count 2
`
	names := []string{
		"paasbot_commands_total", "paasbot_gandi_calls_total", "paasbot_approval_transitions_total",
		"paasbot_approvals", "paasbot_reports_posted_total", "paasbot_socket_reconnects_total",
		"paasbot_ack_latency_seconds",
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}

	// The duration histogram, by method, counts every outcome.
	wantDuration := `
# HELP paasbot_gandi_call_duration_seconds Duration of Gandi XML-RPC calls, by method, whatever their outcome.
# TYPE paasbot_gandi_call_duration_seconds histogram
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.01"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.025"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.05"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.1"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.25"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="0.5"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="1"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="2.5"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="5"} 2
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="10"} 2
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="30"} 2
paasbot_gandi_call_duration_seconds_bucket{method="paas.info",le="+Inf"} 2
paasbot_gandi_call_duration_seconds_sum{method="paas.info"} 3.2
paasbot_gandi_call_duration_seconds_count{method="paas.info"} 2
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.01"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.025"} 0
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.05"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.1"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.25"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="0.5"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="1"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="2.5"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="5"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="10"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="30"} 1
paasbot_gandi_call_duration_seconds_bucket{method="paas.list",le="+Inf"} 1
paasbot_gandi_call_duration_seconds_sum{method="paas.list"} 0.04
paasbot_gandi_call_duration_seconds_count{method="paas.list"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantDuration), "paasbot_gandi_call_duration_seconds"); err != nil {
		t.Error(err)
	}
}

func TestMetrics_Lint(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	// Every vector needs a child to be gathered and linted.
	m.ObserveCommand("list", "ok")
	m.ObserveGandiCall("paas.list", time.Millisecond, nil)
	m.ObserveApproval("pending")
	m.SetApprovalCounts(map[string]int{"pending": 1})
	m.ObserveReport("expiry")
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestNewMetrics_RegisterTwiceReuses(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := NewMetrics(reg)
	b := NewMetrics(reg)
	a.ObserveReconnect()
	b.ObserveReconnect()
	if got := testutil.ToFloat64(a.reconnects); got != 2 {
		t.Errorf("reconnects = %v, want 2 (both Metrics share the registered counter)", got)
	}
}

func TestNewMetrics_Unregistered(t *testing.T) {
	m := NewMetrics(nil)
	m.ObserveCommand("help", "ok")
	if got := testutil.ToFloat64(m.commands.WithLabelValues("help", "ok")); got != 1 {
		t.Errorf("commands = %v, want 1", got)
	}
}
