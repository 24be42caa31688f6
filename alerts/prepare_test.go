package alerts

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/paasbot/paasbot/store"
)

func TestScheduler_Prepare(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 20, 10, 0) // Friday
	s := New(Config{Now: func() time.Time { return now }, DefaultTZ: "Europe/Paris"})
	seven, off := 7, false
	tests := []struct {
		name        string
		in          store.Subscription
		days        *int
		quiet       *bool
		kind, sched string
		tz, params  string
		next        []string
		is          error
	}{
		{name: "defaults", in: store.Subscription{Kind: "Expiry"},
			kind: "expiry", sched: "0 9 * * 1-5", tz: "Europe/Paris", params: `{"days":30,"quiet":true}`,
			next: []string{"Mon 2026-11-23 09:00 CET", "Tue 2026-11-24 09:00 CET", "Wed 2026-11-25 09:00 CET"}},
		{name: "everything given", in: store.Subscription{Kind: "snapshots", Schedule: " @daily ", TZ: "America/New_York"},
			days: &seven, quiet: &off,
			kind: "snapshots", sched: "@daily", tz: "America/New_York", params: `{"days":7,"quiet":false}`,
			next: []string{"Sat 2026-11-21 00:00 EST", "Sun 2026-11-22 00:00 EST", "Mon 2026-11-23 00:00 EST"}},
		{name: "bad kind", in: store.Subscription{Kind: "backup"}, is: ErrBadKind},
		{name: "bad schedule", in: store.Subscription{Kind: "upgrade", Schedule: "CRON_TZ="}, is: ErrBadSchedule},
		{name: "bad zone", in: store.Subscription{Kind: "upgrade", TZ: "Mars/Olympus"}, is: ErrBadZone},
		{name: "bad days", in: store.Subscription{Kind: "snapshots"}, days: new(int), is: ErrBadParams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := tc.in
			next, err := s.Prepare(&sub, tc.days, tc.quiet, 3)
			if tc.is != nil {
				if !errors.Is(err, tc.is) {
					t.Fatalf("err = %v, want %v", err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sub.Kind != tc.kind || sub.Schedule != tc.sched || sub.TZ != tc.tz || string(sub.Params) != tc.params {
				t.Errorf("prepared %+v", sub)
			}
			var got []string
			for _, n := range next {
				got = append(got, n.Format("Mon 2006-01-02 15:04 MST"))
			}
			if !slices.Equal(got, tc.next) {
				t.Errorf("next = %q, want %q", got, tc.next)
			}
			params, _, err := s.Describe(sub, 1)
			if err != nil || !strings.Contains(params, "quiet") {
				t.Errorf("Describe = %q, %v", params, err)
			}
		})
	}
}

func TestScheduler_RequiresConfig(t *testing.T) {
	s := New(Config{})
	if err := s.RunDue(t.Context(), time.Now()); err == nil || !strings.Contains(err.Error(), "Config.Store") {
		t.Errorf("RunDue without a store: %v", err)
	}
	if err := s.Start(t.Context()); err == nil {
		t.Error("Start without a store succeeded")
	}
}

// TestCronLogger_RecoverLogsPanics checks the adapter given to
// cron.Recover: a panicking tick is logged, not fatal.
func TestCronLogger_RecoverLogsPanics(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	job := cron.Recover(cronLogger{logger})(cron.FuncJob(func() { panic("tick exploded") }))
	job.Run() // must return
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "tick exploded") || !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("log = %q", buf.String())
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
