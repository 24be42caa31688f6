package main

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// reportRig is the alerts scheduler wired as `run` wires it (the real
// Slack poster, the Gandi client over HTTP) to the fake Slack and a
// simulator account of n instances, with one expiry subscription (30
// days) in #C0OPS. The poster's pace is off (PostEvery 1ns): Slack's pace
// adds about a second per post past the burst, by design, and is measured
// in package bot.
type reportRig struct {
	fake  *slacktest.Server
	sim   *gandisim.Server
	url   string
	sched *alerts.Scheduler
	sub   int64
	calls atomic.Int64
}

func newReportRig(tb testing.TB, n int, now func() time.Time) *reportRig {
	tb.Helper()
	r := &reportRig{fake: slacktest.New(tb)}
	r.sim, r.url = gandisim.NewTestServer(tb, gandisim.Options{Seed: 11, Now: now})
	r.sim.SeedDemo(gandisim.DemoAPIKey, n)
	dbSecret, _, err := store.NewSecret()
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "paasbot.db"), dbSecret, store.WithClock(now))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	owner := store.Identity{Team: r.fake.TeamID(), User: "U0SAM"}
	if _, err := db.PutAPIKey(context.Background(), owner, gandisim.DemoAPIKey); err != nil {
		tb.Fatal(err)
	}
	r.sub, err = db.CreateSubscription(context.Background(), &store.Subscription{Team: owner.Team, Channel: "C0OPS", Owner: owner.User,
		Kind: "expiry", Schedule: "0 9 * * 1-5", TZ: "Europe/Paris", Params: alerts.Params{Days: 30, Quiet: true}.JSON()})
	if err != nil {
		tb.Fatal(err)
	}
	api := slack.New(r.fake.BotToken(), slack.OptionAPIURL(r.fake.APIURL()))
	poster := bot.NewSlackPoster(api, bot.SlackPosterConfig{PostEvery: time.Nanosecond})
	limiter := gandi.NewKeyLimiter(gandiCallsPerKey)
	r.sched = alerts.New(alerts.Config{Store: db, Poster: poster, Now: now, Gandi: func(key secret.Value) alerts.Gandi {
		c := gandi.NewClient(key, gandi.WithEndpoint(r.url), gandi.WithKeyLimiter(limiter),
			gandi.WithObserver(func(string, time.Duration, error) { r.calls.Add(1) }))
		return alerts.Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
	}})
	return r
}

// BenchmarkReport_Scan runs `alerts run` of an expiry report (30 days) over
// an account of 10,000 and of 50,000 instances: the scheduler's scan pages
// the simulator over real HTTP (4 pages at once, within the per-key
// limit), and the report goes through the real Slack poster to the fake
// Slack. It reports the Gandi calls, the Slack posts (chat.postMessage,
// thread replies included), the wall time of one run (ns/op, Slack's pace
// left out) and the process's peak RSS (MB, simulator and fake included).
//
//	go test ./cmd/paasbot -run '^$' -bench Report_Scan -benchtime 3x -timeout 20m
func BenchmarkReport_Scan(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			r := newReportRig(b, n, time.Now)
			resetPeakRSS()
			b.ResetTimer()
			for range b.N {
				if err := r.sched.RunNow(context.Background(), r.sub); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(peakRSS(), "peak-RSS-MB")
			b.ReportMetric(float64(r.calls.Load())/float64(b.N), "gandi-calls/op")
			b.ReportMetric(float64(len(r.fake.CallsTo("chat.postMessage")))/float64(b.N), "slack-posts/op")
		})
	}
}
