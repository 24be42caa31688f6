package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/gandi"
)

func TestGandiErr(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode Code
		wantMsg  string
	}{
		{"bad key", &gandi.Fault{Code: 510150, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"}, EUNAUTHORIZED, "Your API key was refused: run `/paas login` again."},
		{"not found", &gandi.Fault{Code: 537542, Message: "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '42' doesn't exist.]"}, ENOTFOUND, "No instance 42 in your account."},
		{"no credit", &gandi.Fault{Code: 530040, Message: "no credit"}, ECONFLICT, "Not enough prepaid credit"},
		{"too many", &gandi.Fault{Code: 510199, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_TOOMANY) [slow down]"}, EUNAVAILABLE, "Gandi is not answering right now; try again in a minute."},
		{"http 503", &gandi.HTTPError{Method: "paas.list", StatusCode: 503}, EUNAVAILABLE, "try again in a minute"},
		{"http 500", &gandi.HTTPError{Method: "paas.list", StatusCode: 500}, EUNAVAILABLE, "try again in a minute"},
		{"transport", &gandi.TransportError{Method: "paas.list", Err: errors.New("connection refused")}, EUNAVAILABLE, "try again in a minute"},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), EUNAVAILABLE, "try again in a minute"},
		{"bad state", &gandi.Fault{Code: 537560, Message: "Error on object : OBJECT_PAAS (CAUSE_STATE) [being created]"}, ECONFLICT, "being created"},
		{"bad parameter", &gandi.Fault{Code: 537537, Message: "Error on object : OBJECT_PAAS (CAUSE_BADPARAMETER) [size is wrong]"}, EINVALID, "Gandi refused the request: size is wrong."},
		{"decode", &gandi.DecodeError{Method: "paas.list", Err: errors.New("bad xml")}, EINTERNAL, ""},
		{"already ours", Errorf(EINVALID, "mine"), EINVALID, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gandiErr(tt.err, "no instance 42 in your account")
			if ErrorCode(err) != tt.wantCode {
				t.Fatalf("code = %s, want %s (%v)", ErrorCode(err), tt.wantCode, err)
			}
			msg, ref := ErrorMessage(err)
			if tt.wantCode == EINTERNAL {
				if ref == "" || strings.Contains(msg, "bad xml") {
					t.Errorf("internal error shown as %q (ref %q)", msg, ref)
				}
				return
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q lacks %q", msg, tt.wantMsg)
			}
			if !errors.Is(err, tt.err) && tt.name != "already ours" {
				t.Errorf("the cause is lost: %v", err)
			}
		})
	}
	if gandiErr(nil, "") != nil {
		t.Error("nil error mapped to non-nil")
	}
}

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
