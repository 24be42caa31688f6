package alerts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/secret"
)

func TestScanAccount_Paging(t *testing.T) {
	t.Parallel() // own simulator and database
	tests := []struct {
		name      string
		instances int
		pages     int
	}{
		{"empty account", 0, 0},
		{"one short page", 3, 1},
		{"exactly one page", 500, 1},
		{"one more", 501, 2},
		{"three pages", 1001, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
			sim, url, hc := testutil.Sim(t, gandisim.Options{Now: func() time.Time { return now }, Seed: 1})
			sim.AddAccount(keyA, "A-GANDI")
			sim.SeedDemo(keyA, tc.instances)
			sim.ResetCalls()
			c := simGandi(keyA, url, hc)
			acct, err := ScanAccount(context.Background(), c, ScanOptions{Snapshots: true, PageConcurrency: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(acct.Instances) != tc.instances {
				t.Errorf("%d instances, want %d", len(acct.Instances), tc.instances)
			}
			seen := map[int]bool{}
			for _, in := range acct.Instances {
				if seen[in.ID] {
					t.Fatalf("instance %d twice", in.ID)
				}
				seen[in.ID] = true
			}
			if got := sim.Calls("paas.list"); got != tc.pages {
				t.Errorf("paas.list calls = %d, want %d (one per page of 500)", got, tc.pages)
			}
			if got := sim.Calls("paas.count"); got != 1 {
				t.Errorf("paas.count calls = %d, want 1", got)
			}
			snapPages := (len(acct.Snapshots) + 499) / 500
			if got := sim.Calls("paas.snapshot.list"); got != snapPages {
				t.Errorf("paas.snapshot.list calls = %d for %d snapshots, want %d", got, len(acct.Snapshots), snapPages)
			}
			if want := 2 + tc.pages + snapPages; acct.Calls != want {
				t.Errorf("Calls = %d, want %d", acct.Calls, want)
			}
		})
	}
}

func TestScanAccount_FailingPage(t *testing.T) {
	t.Parallel() // own simulator and database
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	sim, url, hc := testutil.Sim(t, gandisim.Options{Now: func() time.Time { return now }})
	sim.SeedDemo(keyA, 2000)
	sim.SetFault(gandisim.FaultRule{Method: "paas.list", Code: gandisim.CodeTooMany})
	_, err := ScanAccount(context.Background(), simGandi(keyA, url, hc), ScanOptions{})
	if !errors.Is(err, gandi.ErrTooManyRequests) {
		t.Errorf("err = %v, want ErrTooManyRequests", err)
	}
	_, err = ScanAccount(context.Background(), simGandi("dddddddddddddddddddddddd", url, hc), ScanOptions{})
	if !errors.Is(err, gandi.ErrBadAPIKey) {
		t.Errorf("unknown key: err = %v, want ErrBadAPIKey", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sim.ClearFaults()
	if _, err := ScanAccount(ctx, simGandi(keyA, url, hc), ScanOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// TestScheduler_LargeAccount: a scheduled run over an account of several
// pages costs one paas.count and one paas.list per page, shared by two
// reports, and each report is one channel message plus at most 10 thread
// replies, its counts those of the account (counted here from the
// instances). (BenchmarkScanAndBuild10k scans 10,000 instances.)
func TestScheduler_LargeAccount(t *testing.T) {
	t.Parallel() // own simulator and database
	loc := paris(t)
	now := at(loc, 2026, 11, 23, 9, 0)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 1501)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.subscribe(userA, "C_OPS", KindUpgrade, "0 9 * * *", Params{Quiet: true})
	all, err := ScanAccount(t.Context(), e.client(keyA), ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.sim.ResetCalls()
	e.runDue(now)
	if got := e.sim.Calls("paas.list"); got != 4 {
		t.Errorf("paas.list calls = %d, want 4", got)
	}
	if got := e.sim.Calls("paas.count"); got != 1 {
		t.Errorf("paas.count calls = %d, want 1", got)
	}

	// The expected counts, from the instances themselves.
	var expired, week, month, upgrade int
	for _, in := range all.Instances {
		if in.State == gandi.StateDeleted || in.State == gandi.StateBeingDeleted {
			continue
		}
		if in.NeedUpgrade {
			upgrade++
		}
		if in.DateEnd == nil {
			continue
		}
		y, m, d := in.DateEnd.In(loc).Date()
		days := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		switch {
		case !in.DateEnd.After(now):
			expired++
		case days <= 7:
			week++
		case days <= 30:
			month++
		}
	}
	renew := expired + week + month
	if renew <= HeadRows+MaxThreadReplies*ReplyRows || upgrade <= HeadRows {
		t.Fatalf("the demo account has %d to renew and %d to upgrade: too few for this test", renew, upgrade)
	}
	heads := map[string]posted{}
	replies := map[string][]posted{}
	for _, p := range e.poster.Posts() {
		if p.Thread == "" {
			heads[p.ID] = p
		} else {
			replies[p.Thread] = append(replies[p.Thread], p)
		}
		if len(p.Msg.Buttons) > MaxButtonsPerMessage {
			t.Errorf("a message carries %d buttons", len(p.Msg.Buttons))
		}
	}
	if len(heads) != 2 || len(e.poster.Posts()) > 2*(1+MaxThreadReplies) {
		t.Fatalf("%d channel messages and %d posts, want 2 reports of at most %d posts", len(heads), len(e.poster.Posts()), 1+MaxThreadReplies)
	}
	for id, h := range heads {
		thread := replies[id]
		if len(thread) > MaxThreadReplies {
			t.Errorf("%d replies in a report's thread", len(thread))
		}
		if !strings.Contains(text(h.Msg), "stops it") {
			t.Error("the channel message does not say how to stop the alert")
		}
		want, left := fmt.Sprintf("%d instances to renew (expired %d, ≤ 7 days %d, ≤ 30 days %d)", renew, expired, week, month), renew-215
		if strings.HasPrefix(h.Msg.Title, "Upgrade") {
			want, left = fmt.Sprintf("%d instances need an upgrade", upgrade), upgrade-HeadRows-min(upgrade-HeadRows, MaxThreadReplies*ReplyRows)
		}
		if !strings.HasPrefix(h.Msg.Text, want) {
			t.Errorf("summary %q, want it to start %q", h.Msg.Text, want)
		}
		last := h.Msg
		if len(thread) > 0 {
			last = thread[len(thread)-1].Msg
		}
		if more := fmt.Sprintf("%d more instances not shown", left); left > 0 && !strings.Contains(text(last), more) {
			t.Errorf("the report's last message does not say %q:\n%s", more, text(last))
		}
	}
}

// BenchmarkScanAndBuild10k scans a simulated account of 10,000 instances
// over real HTTP (1 count + 20 pages of 500) and builds and renders the
// expiry report. calls/op is the number of API calls of one scan.
func BenchmarkScanAndBuild10k(b *testing.B) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	sim, url, hc := testutil.Sim(b, gandisim.Options{Now: func() time.Time { return now }, Seed: 1})
	sim.SeedDemo(keyA, 10000)
	c := simGandi(keyA, url, hc)
	loc, _ := time.LoadLocation("Europe/Paris")
	ctx := context.Background()
	sim.ResetCalls()
	b.ReportAllocs()
	calls := 0
	for b.Loop() {
		acct, err := ScanAccount(ctx, c, ScanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		calls = acct.Calls
		r := BuildExpiry(acct.Instances, now, loc, ExpiryParams{Days: 30})
		if len(r.Posting().Messages()) == 0 {
			b.Fatal("no message")
		}
	}
	b.ReportMetric(float64(calls), "calls/op")
	b.ReportMetric(float64(sim.Calls("paas.list"))/float64(b.N), "paas.list/op")
}

// BenchmarkBuildExpiry10k measures the pure builder and renderer alone.
func BenchmarkBuildExpiry10k(b *testing.B) {
	loc, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc)
	ins := make([]gandi.Instance, 10000)
	for i := range ins {
		end := now.Add(time.Duration(i%400-20) * 24 * time.Hour)
		ins[i] = gandi.Instance{ID: i + 1, Name: "site", DateEnd: &end, Size: gandi.SizeS, Type: "phpmysql"}
	}
	b.ReportAllocs()
	for b.Loop() {
		r := BuildExpiry(ins, now, loc, ExpiryParams{Days: 30})
		_ = r.Posting()
	}
}

// simGandi is what a scan asks of the simulator at url with key (cmd/paasbot
// wires the same services of one *gandi.Client).
func simGandi(key secret.Value, url string, hc *http.Client) Gandi {
	c := gandi.NewClient(key, gandi.WithEndpoint(url), gandi.WithTimeout(10*time.Second), gandi.WithHTTPClient(hc))
	return Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
}
