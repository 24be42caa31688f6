package telemetry

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Outcomes of a Gandi call, as ObserveGandiCall labels them.
const (
	OutcomeOK    = "ok"
	OutcomeFault = "fault" // the API answered with an XML-RPC fault
	OutcomeError = "error" // transport, HTTP or decoding failure, timeout
)

// Metrics are paasbot's Prometheus metrics. Build them once with
// NewMetrics in cmd and pass them down; every method is safe on a nil
// *Metrics (it does nothing), so packages and tests that do not care pass
// nil. Label values must come from a small fixed set (command names,
// API method names, approval states), never from user input.
type Metrics struct {
	commands       *prometheus.CounterVec
	gandiCalls     *prometheus.CounterVec
	gandiDuration  *prometheus.HistogramVec
	approvals      *prometheus.CounterVec
	approvalsGauge *prometheus.GaugeVec
	reports        *prometheus.CounterVec
	reconnects     prometheus.Counter
	ack            prometheus.Histogram
	refused        prometheus.Counter

	// gatherer is the registry the metrics were registered with when it
	// can also gather; NewHTTPHandler falls back to it.
	gatherer prometheus.Gatherer
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, still usable). Registering twice with the same registry
// reuses the collectors already there. It panics only on a registration
// conflict with a different metric of the same name, a wiring mistake
// found at start-up.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paasbot_commands_total",
			Help: "/paas commands handled, by command name and outcome.",
		}, []string{"command", "outcome"}),
		gandiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paasbot_gandi_calls_total",
			Help: "Gandi XML-RPC calls, by method and outcome (ok, fault, error).",
		}, []string{"method", "outcome"}),
		gandiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "paasbot_gandi_call_duration_seconds",
			Help:    "Duration of Gandi XML-RPC calls, by method, whatever their outcome.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		approvals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paasbot_approval_transitions_total",
			Help: "Approval requests entering each state (pending, approved, denied, executing, done, failed, expired, interrupted…).",
		}, []string{"state"}),
		approvalsGauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "paasbot_approvals",
			Help: "Approval requests currently in each state, as last counted in the store.",
		}, []string{"state"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paasbot_reports_posted_total",
			Help: "Scheduled reports posted to channels, by kind (expiry, upgrade, snapshots).",
		}, []string{"kind"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "paasbot_socket_reconnects_total",
			Help: "Slack socket-mode reconnections.",
		}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "paasbot_ack_latency_seconds",
			Help:    "Time from receiving a Slack envelope to acknowledging it (Slack retries after 3 s).",
			Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5},
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "paasbot_commands_refused_total",
			Help: "Acknowledged Slack commands and clicks refused because the queue was full (each person was told when to retry).",
		}),
	}
	if reg == nil {
		return m
	}
	m.commands = register(reg, m.commands)
	m.gandiCalls = register(reg, m.gandiCalls)
	m.gandiDuration = register(reg, m.gandiDuration)
	m.approvals = register(reg, m.approvals)
	m.approvalsGauge = register(reg, m.approvalsGauge)
	m.reports = register(reg, m.reports)
	m.reconnects = register(reg, m.reconnects)
	m.ack = register(reg, m.ack)
	m.refused = register(reg, m.refused)
	if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	}
	return m
}

// register registers c, or returns the equal collector already registered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic("telemetry: registering metrics: " + err.Error())
}

// NewRegistry returns a registry holding the Go runtime and process
// collectors, ready for NewMetrics and NewHTTPHandler.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// ObserveCommand counts one handled command. outcome is the caller's
// vocabulary (for example ok, invalid, refused, error); keep it small.
func (m *Metrics) ObserveCommand(name, outcome string) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(name, outcome).Inc()
}

// ObserveGandiCall records one Gandi API call: its duration and its
// outcome, "ok" when err is nil, "fault" when the API answered with a fault
// (see IsFault), "error" otherwise. Its signature matches the gandi
// client's observer hook: gandi.WithObserver(m.ObserveGandiCall).
func (m *Metrics) ObserveGandiCall(method string, took time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := OutcomeOK
	switch {
	case err == nil:
	case IsFault(err):
		outcome = OutcomeFault
	default:
		outcome = OutcomeError
	}
	m.gandiCalls.WithLabelValues(method, outcome).Inc()
	m.gandiDuration.WithLabelValues(method).Observe(took.Seconds())
}

// IsFault reports whether err is, or wraps, an XML-RPC fault answered by the
// API rather than a failure to reach or understand it: an error with a
// FaultCode() int method, as gandi's *Fault has.
func IsFault(err error) bool {
	var f interface{ FaultCode() int }
	return errors.As(err, &f)
}

// ObserveApproval counts an approval request entering state.
func (m *Metrics) ObserveApproval(state string) {
	if m == nil {
		return
	}
	m.approvals.WithLabelValues(state).Inc()
}

// SetApprovalCounts sets the paasbot_approvals gauge from a count of
// requests per state taken from the store; states absent from counts are
// removed.
func (m *Metrics) SetApprovalCounts(counts map[string]int) {
	if m == nil {
		return
	}
	m.approvalsGauge.Reset()
	for state, n := range counts {
		m.approvalsGauge.WithLabelValues(state).Set(float64(n))
	}
}

// ObserveReport counts one scheduled report posted to a channel.
func (m *Metrics) ObserveReport(kind string) {
	if m == nil {
		return
	}
	m.reports.WithLabelValues(kind).Inc()
}

// ObserveReconnect counts one Slack socket-mode reconnection.
func (m *Metrics) ObserveReconnect() {
	if m == nil {
		return
	}
	m.reconnects.Inc()
}

// ObserveAck records how long an envelope waited for its ack.
func (m *Metrics) ObserveAck(took time.Duration) {
	if m == nil {
		return
	}
	m.ack.Observe(took.Seconds())
}

// ObserveRefused counts one command refused because the queue was full.
func (m *Metrics) ObserveRefused() {
	if m == nil {
		return
	}
	m.refused.Inc()
}
