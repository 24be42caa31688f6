package telemetry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestHTTPHandler_Endpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var readyErr atomic.Pointer[error]
	notConnected := errors.New("slack: not connected (token xoxb-1234-SECRETPART)\nsecond line")
	readyErr.Store(&notConnected)
	ready := func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("ready called without a deadline")
		}
		return *readyErr.Load()
	}
	srv := httptest.NewServer(NewHTTPHandler(m, reg, ready))
	defer srv.Close()

	tests := []struct {
		name     string
		path     string
		setReady error
		wantCode int
		wantBody string
	}{
		{"healthz while not ready", "/healthz", notConnected, 200, "ok\n"},
		{"readyz not ready", "/readyz", notConnected, 503, "not ready: slack: not connected (token xoxb-[redacted])\n"},
		{"readyz ready", "/readyz", nil, 200, "ready\n"},
		{"readyz not ready again", "/readyz", errors.New("store: database is locked"), 503, "not ready: store: database is locked\n"},
		{"unknown path", "/nope", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.setReady
			readyErr.Store(&e)
			code, body := get(t, srv.URL+tt.path)
			if code != tt.wantCode {
				t.Errorf("status = %d, want %d (body %q)", code, tt.wantCode, body)
			}
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}

	m.ObserveCommand("list", "ok")
	m.ObserveReconnect()
	want := `
# HELP paasbot_commands_total /paas commands handled, by command name and outcome.
# TYPE paasbot_commands_total counter
paasbot_commands_total{command="list",outcome="ok"} 1
# HELP paasbot_socket_reconnects_total Slack socket-mode reconnections.
# TYPE paasbot_socket_reconnects_total counter
paasbot_socket_reconnects_total 1
`
	if err := testutil.ScrapeAndCompare(srv.URL+"/metrics", strings.NewReader(want), "paasbot_commands_total", "paasbot_socket_reconnects_total"); err != nil {
		t.Error(err)
	}
}

func TestHTTPHandler_Defaults(t *testing.T) {
	// No ready func: always ready. No gatherer: the registry of m.
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.ObserveReport("upgrade")
	srv := httptest.NewServer(NewHTTPHandler(m, nil, nil))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz = %d %q", code, body)
	}
	code, body := get(t, srv.URL+"/metrics")
	if code != 200 || !strings.Contains(body, `paasbot_reports_posted_total{kind="upgrade"} 1`) {
		t.Errorf("metrics = %d\n%s", code, body)
	}
}

func TestServeListener_StopsWhenContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, NewHTTPHandler(nil, prometheus.NewRegistry(), nil), logger) }()

	url := "http://" + ln.Addr().String()
	if code, body := get(t, url+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz = %d %q", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeListener returned %v, want nil after a clean stop", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeListener did not return after its context ended")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("the server still answers after stopping")
	}
	if !strings.Contains(logs.String(), "listening") || !strings.Contains(logs.String(), "stopped") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
