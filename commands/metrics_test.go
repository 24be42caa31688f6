package commands

import (
	"context"
	"strings"
	"sync"
	"testing"
)

type countingMetrics struct {
	mu  sync.Mutex
	got []string
}

func (m *countingMetrics) ObserveCommand(name, outcome string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, name+"="+outcome)
}

func (m *countingMetrics) ObserveApproval(string) {}

func TestHandle_Metrics(t *testing.T) {
	e := setup(t, 3)
	m := &countingMetrics{}
	e.core.cfg.Metrics = m
	e.run(t, "count")
	e.run(t, "info nobody")
	e.run(t, "lsit")
	_, _ = e.core.SubmitForm(context.Background(), Submission{Team: testTeam, User: "UNEW", FormID: FormLogin, Value: "refused00000000000000key"})
	want := []string{"count=ok", "info=not_found", "unknown=invalid", "login=invalid"}
	if strings.Join(m.got, " ") != strings.Join(want, " ") {
		t.Errorf("observed %v, want %v", m.got, want)
	}
}
