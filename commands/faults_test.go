package commands_test

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

const (
	faultsKey  = "faults0key00000000000001"
	faultsTeam = "T1"
	faultsUser = "UDANA"
)

// faultyGandi is the simulator behind an HTTP server that can be told to
// misbehave for the next requests: garbage, HTML, hangs, rate limits.
type faultyGandi struct {
	sim *gandisim.Server
	mu  sync.Mutex
	bad http.HandlerFunc
	n   int // requests the bad handler still answers; -1: all
	hit int // requests it answered
}

func (f *faultyGandi) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	bad := f.bad
	if bad != nil {
		f.hit++
		if f.n > 0 {
			f.n--
			if f.n == 0 {
				f.bad = nil
			}
		}
	}
	f.mu.Unlock()
	if bad != nil {
		bad(w, r)
		return
	}
	f.sim.ServeHTTP(w, r)
}

// misbehave answers the next n requests (-1: all, until behave) with h.
func (f *faultyGandi) misbehave(n int, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bad, f.n, f.hit = h, n, 0
}

func (f *faultyGandi) behave() (hits int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bad = nil
	return f.hit
}

type faultsEnv struct {
	core  *commands.Core
	gandi *faultyGandi
	logs  *testutil.LogBuffer
}

// faultsSetup builds a core on a real store whose Gandi is a faultyGandi
// over the simulator with 3 demo instances. Calls time out after
// callTimeout so that a hang ends the test quickly.
func faultsSetup(t *testing.T, callTimeout time.Duration) *faultsEnv {
	t.Helper()
	sim := gandisim.New(gandisim.Options{Seed: 1})
	sim.SeedDemo(faultsKey, 3)
	fg := &faultyGandi{sim: sim}
	srv := httptest.NewServer(fg)
	t.Cleanup(srv.Close)
	ctx := t.Context()
	db := testutil.OpenStore(t, nil)
	if _, err := db.PutAPIKey(ctx, store.Identity{Team: faultsTeam, User: faultsUser}, faultsKey); err != nil {
		t.Fatal(err)
	}
	logs := &testutil.LogBuffer{}
	core, _ := commands.Wire(t, commands.Wiring{DB: db,
		Client: func(k secret.Value) *gandi.Client {
			return gandi.NewClient(k, gandi.WithEndpoint(srv.URL+"/xmlrpc/"), gandi.WithTimeout(callTimeout))
		},
		Notifier: &alertsPoster{},
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return &faultsEnv{core: core, gandi: fg, logs: logs}
}

func (e *faultsEnv) run(t *testing.T, text string) reply.Message {
	t.Helper()
	return e.core.Handle(t.Context(), commands.Request{Team: faultsTeam, User: faultsUser, Channel: "C1", Text: text})
}

func answer(status int, retryAfter, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func faultAnswer(code int, text string) http.HandlerFunc {
	return answer(200, "", fmt.Sprintf(`<?xml version='1.0'?><methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>%d</int></value></member>
<member><name>faultString</name><value><string>%s</string></value></member>
</struct></value></fault></methodResponse>`, code, text))
}

// TestFaults_EachCommandSaysWhatHappened: every way Gandi can fail is told
// for what it is, and the next command works.
func TestFaults_EachCommandSaysWhatHappened(t *testing.T) {
	const unreadable = "Gandi sent an answer paasbot could not read"
	htmlPage := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
	countAnswer := "<?xml version='1.0'?><methodResponse><params><param><value><int>3</int></value></param></params></methodResponse>"
	tests := []struct {
		name     string
		command  string
		n        int // requests answered badly; -1: all
		bad      http.HandlerFunc
		want     string
		wantHits int // requests the bad answer got (retries); 0: not checked
		timeout  time.Duration
		refusal  bool // Gandi refused: logged at debug, not as Gandi failing
	}{
		{"garbage", "count", -1, answer(200, "", "\x00\x7fgarbage{}"), unreadable, 1, 0, false},
		{"truncated XML", "count", -1, answer(200, "", countAnswer[:len(countAnswer)-30]), unreadable, 1, 0, false},
		{"HTML with 200", "list", -1, answer(200, "", htmlPage), unreadable, 1, 0, false},
		{"HTML with 502", "info shop-prod", -1, answer(502, "", htmlPage), unreadable + " (HTTP 502)", 1, 0, false},
		{"empty body", "count", -1, answer(200, "", ""), unreadable, 1, 0, false},
		{"invalid UTF-8", "count", -1, answer(200, "", "<?xml version='1.0'?><methodResponse><params><param><value><string>\xff\xfe</string></value></param></params></methodResponse>"), unreadable, 1, 0, false},
		{"body over the limit", "count", -1, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<?xml version='1.0'?><methodResponse><params><param><value><string>"))
			chunk := bytes.Repeat([]byte("x"), 1<<20)
			for range gandi.DefaultMaxResponseSize>>20 + 1 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, unreadable, 1, 0, false},
		{"a hang", "count", -1, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server sees the client leave
			<-r.Context().Done()
		}, "Gandi is not answering right now; try again in a minute.", 1, 300 * time.Millisecond, false},
		// The pauses between attempts never pass the call's deadline: with
		// 600 ms, the 500 ms pause after the second attempt (at about 250 ms)
		// is not taken.
		{"TOOMANY, deadline before the third attempt", "count", -1, faultAnswer(510199, "Error on object : OBJECT_ACCOUNT (CAUSE_TOOMANY) [Too many requests]"),
			"Gandi asks to slow down; try again in 1 s.", 2, 600 * time.Millisecond, false},
		{"429 with a long Retry-After", "count", -1, answer(429, "120", "slow down"), "Gandi asks to slow down; try again in 120 s.", 1, 0, false},
		{"503 on every attempt", "list", -1, answer(503, "0", "busy"), "Gandi asks to slow down; try again in 1 s.", gandi.ReadAttempts, 0, false},
		{"429 once: retried", "count", 1, answer(429, "0", ""), "3 instances.", 1, 0, false},
		{"a fault code paasbot does not map", "info shop-prod", -1,
			faultAnswer(581234, "Error on object : OBJECT_812 (CAUSE_34) [This account is frozen for audit]"),
			"Gandi says: This account is frozen for audit (fault 581234).", 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := faultsSetup(t, cmp.Or(tt.timeout, 10*time.Second))
			e.gandi.misbehave(tt.n, tt.bad)
			m := e.run(t, tt.command)
			hits := e.gandi.behave()
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("%s answered %q, want %q", tt.command, m.Text, tt.want)
			}
			if strings.Contains(m.Text, "internal error") || strings.Contains(m.Text, "gandi:") {
				t.Errorf("a Gandi failure shown as paasbot's: %q", m.Text)
			}
			if tt.wantHits != 0 && hits != tt.wantHits {
				t.Errorf("the bad answer was asked %d times, want %d", hits, tt.wantHits)
			}
			if next := e.run(t, "count"); next.Text != "3 instances." {
				t.Errorf("the next command answered %q", next.Text)
			}
			if tt.want != "3 instances." && !tt.refusal && !strings.Contains(e.logs.String(), "command failed at Gandi") {
				t.Errorf("the failure is not logged for operators:\n%s", e.logs.String())
			}
			if strings.Contains(e.logs.String(), faultsKey) {
				t.Error("the API key reached the log")
			}
		})
	}
}

// TestFaults_WhoamiShowsTheSentence: whoami reports Gandi's state in a
// field, with the same sentences.
func TestFaults_WhoamiShowsTheSentence(t *testing.T) {
	e := faultsSetup(t, time.Second)
	e.gandi.misbehave(-1, answer(429, "30", ""))
	m := e.run(t, "whoami")
	var gandiField string
	for _, f := range m.Fields {
		if f.Label == "Gandi" {
			gandiField = f.Value
		}
	}
	if gandiField != "Gandi asks to slow down; try again in 30 s." {
		t.Errorf("whoami's Gandi field = %q (fields %+v)", gandiField, m.Fields)
	}
}
