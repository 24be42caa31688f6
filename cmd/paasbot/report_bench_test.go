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

// BenchmarkReport_Scan runs `alerts run` of an expiry report (30 days) over
// an account of 10,000 and of 50,000 instances: the scheduler's scan pages
// the simulator over real HTTP, and the report goes through the real Slack
// poster to the fake Slack. It reports the Gandi calls, the Slack posts
// (chat.postMessage, thread replies included), the wall time of one run
// (ns/op) and the process's peak RSS (MB, simulator and fake included).
//
//	go test ./cmd/paasbot -run '^$' -bench Report_Scan -benchtime 3x -timeout 20m
func BenchmarkReport_Scan(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			fake := slacktest.New(b)
			sim, simURL := gandisim.NewTestServer(b, gandisim.Options{Seed: 11})
			sim.SeedDemo(gandisim.DemoAPIKey, n)
			dbSecret, _, err := store.NewSecret()
			if err != nil {
				b.Fatal(err)
			}
			db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "paasbot.db"), dbSecret)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			owner := store.Identity{Team: fake.TeamID(), User: "U0SAM"}
			if _, err := db.PutAPIKey(b.Context(), owner, gandisim.DemoAPIKey); err != nil {
				b.Fatal(err)
			}
			id, err := db.CreateSubscription(b.Context(), &store.Subscription{Team: owner.Team, Channel: "C0OPS", Owner: owner.User,
				Kind: "expiry", Schedule: "0 9 * * 1-5", TZ: "Europe/Paris", Params: alerts.Params{Days: 30, Quiet: true}.JSON()})
			if err != nil {
				b.Fatal(err)
			}
			api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()))
			poster := bot.NewSlackPoster(api, bot.SlackPosterConfig{})
			var calls atomic.Int64
			sched := alerts.New(alerts.Config{Store: db, Poster: poster, Gandi: func(key secret.Value) alerts.Gandi {
				c := gandi.NewClient(key, gandi.WithEndpoint(simURL), gandi.WithObserver(func(string, time.Duration, error) { calls.Add(1) }))
				return alerts.Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}
			}})
			resetPeakRSS()
			b.ResetTimer()
			for range b.N {
				if err := sched.RunNow(context.Background(), id); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(peakRSS(), "peak-RSS-MB")
			b.ReportMetric(float64(calls.Load())/float64(b.N), "gandi-calls/op")
			b.ReportMetric(float64(len(fake.CallsTo("chat.postMessage")))/float64(b.N), "slack-posts/op")
		})
	}
}
