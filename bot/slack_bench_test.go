package bot

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
)

// BenchmarkSlack_AckUnderLoad sends b.N slash commands through slack-go's
// socket-mode client while the workers are busy answering earlier ones
// (each takes 2 ms plus its response_url post), and reports the ack
// latency the fake Slack measured, from the write of an envelope to the
// arrival of its ack: the figure Slack's 3-second rule is about. "burst"
// sends as fast as the socket takes them (a backlog builds in the client's
// buffers, on the same 2 cores as the fake); "paced" sends one every
// 200 µs, already far above a real workspace's rate.
//
//	go test -run '^$' -bench AckUnderLoad -benchtime 2000x ./bot
func BenchmarkSlack_AckUnderLoad(b *testing.B) {
	for _, bc := range []struct {
		name string
		gap  time.Duration
	}{{"burst", 0}, {"paced", 200 * time.Microsecond}} {
		b.Run(bc.name, func(b *testing.B) {
			core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
				time.Sleep(2 * time.Millisecond) // a Gandi call's worth of work
				return reply.Message{Text: "ok"}
			}}
			h := newHarness(b, withCore(core), nil, func(c *SlackConfig) { c.QueueSize = 4096 })
			b.ResetTimer()
			ids := make([]string, 0, b.N)
			for range b.N {
				if bc.gap > 0 {
					time.Sleep(bc.gap)
				}
				ids = append(ids, h.fake.SendSlashCommand(b.Context(), slacktest.SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"}))
			}
			h.fake.WaitForAck(b, ids[len(ids)-1], wait)
			b.StopTimer()
			reportAckLatency(b, h.fake.Acks())
		})
	}
}

func reportAckLatency(b *testing.B, acks []slacktest.Ack) {
	var lat []time.Duration
	for _, a := range acks {
		if a.Known {
			lat = append(lat, a.Latency)
		}
	}
	if len(lat) == 0 {
		b.Fatal("no acks")
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	b.ReportMetric(float64(sum.Microseconds())/float64(len(lat)), "µs-mean-ack")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "µs-p99-ack")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "µs-max-ack")
}
