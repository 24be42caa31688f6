package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

// newPoster returns a poster bound to fake (or to apiURL when set), its
// logs captured.
func newPoster(t *testing.T, fake *slacktest.Server, apiURL string) (*SlackPoster, *testutil.LogBuffer) {
	t.Helper()
	logs := &testutil.LogBuffer{}
	logger, err := telemetry.NewLogger(logs, telemetry.FormatJSON, "debug")
	if err != nil {
		t.Fatal(err)
	}
	if apiURL == "" {
		apiURL = fake.APIURL()
	}
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(apiURL), slack.OptionAppLevelToken(fake.AppToken()))
	return NewSlackPoster(api, SlackPosterConfig{Logger: logger, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}), logs
}

func TestSlackPoster_Notifier(t *testing.T) {
	fake := slacktest.New(t)
	p, logs := newPoster(t, fake, "")
	ctx := t.Context()

	ref, err := p.Post(ctx, "C1", reply.Message{Visibility: reply.Shared, Text: "approval #1: pending"})
	if err != nil || ref.Channel != "C1" || ref.ID == "" {
		t.Fatalf("Post = %+v, %v", ref, err)
	}
	if err := p.Update(ctx, ref, reply.Message{Text: "approval #1: done"}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	m, _ := fake.Message("C1", ref.ID)
	if m.Text != "approval #1: done" || len(m.Versions) != 2 || m.Versions[1].Method != "chat.update" {
		t.Errorf("message after Update = %q, versions %+v", m.Text, m.Versions)
	}
	if err := p.Update(ctx, reply.Ref{Channel: "C1"}, reply.Message{Text: "x"}); err == nil {
		t.Error("Update of a ref without ts succeeded")
	}

	// PostPrivate: ephemeral in the channel; when the bot is not there,
	// in the person's DM with the app (conversations.open, then the IM).
	if err := p.PostPrivate(ctx, "C1", "U1", reply.Message{Text: "your password"}); err != nil {
		t.Fatal(err)
	}
	fake.FailChannel("C2", slacktest.ErrNotInChannel)
	if err := p.PostPrivate(ctx, "C2", "U1", reply.Message{Text: "your other password"}); err != nil {
		t.Fatal(err)
	}
	var eph, dm bool
	for _, m := range fake.Messages("") {
		eph = eph || (m.Channel == "C1" && m.Ephemeral && m.User == "U1" && m.Text == "your password")
		dm = dm || (m.Channel == fake.IMWith("U1") && m.Visibility == slacktest.VisibleInDM && m.Text == "your other password")
	}
	if !eph || !dm {
		t.Errorf("ephemeral %v, DM %v; messages %+v", eph, dm, fake.Messages(""))
	}
	if c := fake.CallsTo("conversations.open"); len(c) != 1 || c[0].Params.Get("users") != "U1" {
		t.Errorf("conversations.open calls = %+v, want one for U1", c)
	}

	// Post where the bot is not a member, outside any interaction: an
	// error the core can show, naming the invite command.
	_, err = p.Post(ctx, "C2", reply.Message{Text: "report"})
	var ce *apperr.Error
	var se *SlackError
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "/invite @paasbot") || !errors.As(err, &se) || se.Code != SlackNotInChannel {
		t.Errorf("Post in a channel without the bot = %v", err)
	}
	fake.FailChannel("C3", slacktest.ErrChannelNotFound)
	if _, err := p.Post(ctx, "C3", reply.Message{Text: "report"}); !errors.As(err, &ce) || !strings.Contains(ce.Message, "cannot see channel") {
		t.Errorf("Post in an unknown channel = %v", err)
	}
	if strings.Contains(logs.String(), fake.BotToken()) {
		t.Error("the bot token reached the logs")
	}
}

func TestSlackPoster_PrivateRepliesBeyondFiveUses(t *testing.T) {
	fake := slacktest.New(t)
	p, _ := newPoster(t, fake, "")
	rows := make([][]string, 3000)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("row-%03d", i), strings.Repeat("v", 30)}
	}
	m := reply.Message{Table: &reply.Table{Columns: []string{"name", "value"}, Rows: rows}}
	parts, err := RenderBlocks(m)
	if err != nil || len(parts) <= responseURLUses {
		t.Fatalf("test needs more than %d parts, got %d (%v)", responseURLUses, len(parts), err)
	}
	// A real response_url from the fake: one slash command's.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	startSocket(t, fake)
	id := fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
	env, _ := fake.Envelope(id)
	r := &responder{url: env.ResponseURL, channel: "C1", user: "U1"}
	p.deliver(ctx, r, m, replaceNothing)

	posts := fake.ResponseURLPosts()
	if len(posts) != responseURLUses {
		t.Fatalf("%d response_url posts, want %d", len(posts), responseURLUses)
	}
	eph := fake.Messages("C1")
	if len(posts)+len(eph) != len(parts) {
		t.Fatalf("%d posts + %d ephemerals, want %d parts", len(posts), len(eph), len(parts))
	}
	var got []string
	for _, p := range posts {
		got = append(got, p.Text)
	}
	for _, m := range eph {
		if !m.Ephemeral || m.User != "U1" {
			t.Errorf("overflow part not ephemeral to U1: %+v", m)
		}
		got = append(got, m.Text)
	}
	for i := range parts {
		if got[i] != parts[i].Text {
			t.Errorf("part %d out of order", i)
		}
	}
}

// startSocket connects a bare socket-mode client so the fake can deliver
// envelopes (their response_urls are what a test needs).
func startSocket(t *testing.T, fake *slacktest.Server) *Slack {
	t.Helper()
	api := slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(fake.AppToken()))
	s, err := NewSlack(SlackConfig{API: api, Core: &fakeCore{handle: func(context.Context, commands.Request) reply.Message { return reply.Message{} }}, Dedup: openStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	fake.WaitForConnections(t, 1, wait)
	return s
}

// flakyProxy forwards to target after cutting the first n connections
// (like a network failure before any answer).
func flakyProxy(t *testing.T, target string, n int64) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= n {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/", &hits
}

func TestSlackPoster_NetworkErrors(t *testing.T) {
	fake := slacktest.New(t)
	t.Run("retried then posted", func(t *testing.T) {
		api, hits := flakyProxy(t, fake.APIURL(), 2)
		p, logs := newPoster(t, fake, api)
		ref, err := p.Post(t.Context(), "C1", reply.Message{Text: "through a flaky network"})
		if err != nil || ref.ID == "" {
			t.Fatalf("Post = %+v, %v", ref, err)
		}
		if hits.Load() != 3 {
			t.Errorf("%d attempts, want 3", hits.Load())
		}
		if !strings.Contains(logs.String(), "retrying") {
			t.Error("retries are not logged")
		}
	})
	t.Run("bounded, then logged with a reference", func(t *testing.T) {
		api, hits := flakyProxy(t, fake.APIURL(), 1000)
		p, logs := newPoster(t, fake, api)
		_, err := p.Post(t.Context(), "C1", reply.Message{Text: "lost"})
		if err == nil || !strings.Contains(err.Error(), "gave up after 4 attempts") {
			t.Errorf("Post = %v, want a bounded failure", err)
		}
		if hits.Load() != 4 {
			t.Errorf("%d attempts, want 4", hits.Load())
		}
		dead := httptest.NewServer(http.NotFoundHandler())
		deadURL := dead.URL + "/response/r1"
		dead.Close()
		p.deliver(t.Context(), &responder{url: deadURL, channel: "C1", user: "U1"}, reply.Message{Text: "lost too"}, replaceNothing)
		out := logs.String()
		if !strings.Contains(out, "cannot deliver a reply") || !strings.Contains(out, `"ref"`) {
			t.Errorf("the lost reply is not logged with a reference:\n%s", out)
		}
		if strings.Contains(out, deadURL) || strings.Contains(out, fake.BotToken()) {
			t.Error("a response_url or the token reached the logs")
		}
	})
}

// TestLinkCache: the latest maxLinks permalinks are kept, the oldest
// dropped first.
func TestLinkCache(t *testing.T) {
	var c linkCache
	ref := func(i int) reply.Ref { return reply.Ref{Channel: "C1", ID: fmt.Sprintf("%d.000001", i)} }
	for i := range maxLinks + 10 {
		c.put(ref(i), fmt.Sprint("link-", i))
	}
	for _, tc := range []struct {
		i    int
		kept bool
	}{{0, false}, {9, false}, {10, true}, {maxLinks + 9, true}} {
		if l, ok := c.get(ref(tc.i)); ok != tc.kept || (ok && l != fmt.Sprint("link-", tc.i)) {
			t.Errorf("link %d: %q kept %v, want kept %v", tc.i, l, ok, tc.kept)
		}
	}
	if len(c.links) != maxLinks {
		t.Errorf("%d links kept, want %d", len(c.links), maxLinks)
	}
}
