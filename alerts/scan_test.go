package alerts

import (
	"context"
	"errors"
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
// reports. (BenchmarkScanAndBuild10k scans 10,000 instances.)
func TestScheduler_LargeAccount(t *testing.T) {
	t.Parallel() // own simulator and database
	loc := paris(t)
	e := newEnv(t, at(loc, 2026, 11, 23, 8, 0))
	e.sim.SeedDemo(keyA, 1501)
	e.putKey(userA, keyA)
	e.subscribe(userA, "C_OPS", KindExpiry, "0 9 * * *", Params{Days: 30, Quiet: true})
	e.subscribe(userA, "C_OPS", KindUpgrade, "0 9 * * *", Params{Quiet: true})
	e.sim.ResetCalls()
	e.runDue(at(loc, 2026, 11, 23, 9, 0))
	if got := e.sim.Calls("paas.list"); got != 4 {
		t.Errorf("paas.list calls = %d, want 4", got)
	}
	if got := e.sim.Calls("paas.count"); got != 1 {
		t.Errorf("paas.count calls = %d, want 1", got)
	}
	posts := e.poster.Posts()
	if len(posts) < 2 {
		t.Fatalf("%d posts", len(posts))
	}
	rows, footers := 0, 0
	for _, p := range posts {
		for _, n := range p.Msg.Notes {
			if strings.Contains(n, "stops it") {
				footers++
			}
		}
		if len(p.Msg.Buttons) > MaxButtonsPerMessage {
			t.Errorf("a message carries %d buttons", len(p.Msg.Buttons))
		}
		if p.Msg.Table != nil {
			rows += len(p.Msg.Table.Rows)
		}
	}
	if footers != 2 {
		t.Errorf("%d footers, want one at the end of each of the 2 reports", footers)
	}
	t.Logf("1,501 instances: %d messages, %d rows", len(posts), rows)
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
		if len(r.Messages(0)) == 0 {
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
		_ = r.Messages(0)
	}
}

// simGandi is what a scan asks of the simulator at url with key (cmd/paasbot
// wires the same services of one *gandi.Client).
func simGandi(key secret.Value, url string, hc *http.Client) Gandi {
	c := gandi.NewClient(key, gandi.WithEndpoint(url), gandi.WithTimeout(10*time.Second), gandi.WithHTTPClient(hc))
	return Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
}
