package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/commands"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// answers returns the successful response_url posts of envelope id.
func (h *harness) answers(id string) []slacktest.ResponseURLPost {
	var out []slacktest.ResponseURLPost
	for _, p := range h.fake.ResponseURLPosts() {
		if p.EnvelopeID == id && p.Error == "" {
			out = append(out, p)
		}
	}
	return out
}

// TestSlack_ThousandCommandsAnsweredOnce: 1,000 `/paas list` from 100
// people, sent as fast as the socket takes them, through the real core to
// a simulator that answers in 50 ms: every one is answered exactly once
// with its list; none is refused and none is lost.
func TestSlack_ThousandCommandsAnsweredOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 commands through the real core: skipped with -short")
	}
	const people, commandsSent = 100, 1000
	e := newE2EWith(t, e2eOptions{latency: 50 * time.Millisecond})
	var users []string
	for i := range people {
		key := fmt.Sprintf("load%04dkey0000000000000", i)
		e.sim.SeedDemo(key, 3)
		u := fmt.Sprintf("U%04dLOAD", i)
		if _, err := e.db.PutAPIKey(t.Context(), store.Identity{Team: e.fake.TeamID(), User: u}, secret.Value(key)); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	ids := make([]string, commandsSent)
	for i := range ids {
		ids[i] = e.slash(users[i%people], devChan, "list")
	}
	for _, id := range ids {
		e.postFor(id)
	}
	e.stop() // drains: nothing more can be posted after this
	for i, id := range ids {
		posts := e.answers(id)
		if len(posts) != 1 {
			t.Fatalf("command %d answered %d times, want once", i, len(posts))
		}
		if text := posts[0].AllText(); !strings.Contains(text, "shop-prod") || strings.Contains(text, "busy") {
			t.Fatalf("command %d answered %q, want its list", i, text)
		}
	}
	if n := e.metric("paasbot_commands_refused_total"); n != 0 {
		t.Errorf("%v commands refused", n)
	}
	if got := e.sim.Calls("paas.list"); got != commandsSent {
		t.Errorf("paas.list called %d times, want %d (one per command)", got, commandsSent)
	}
}

// heldCore answers every command, holding those whose text is "hold" until
// release is closed; started receives the text of each command as it
// begins.
type heldCore struct {
	*fakeCore
	started chan string
	release chan struct{}
}

func newHeldCore() *heldCore {
	h := &heldCore{started: make(chan string, 100), release: make(chan struct{})}
	h.fakeCore = &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		h.started <- r.Text
		if r.Text == "hold" {
			<-h.release
		}
		return reply.Message{Text: "done " + r.Text}
	}}
	return h
}

// TestSlack_FullQueueRefusalsDelivered: with one worker busy and the queue
// full, every further command is refused, and every refusal reaches its
// person, once, saying when to retry; the queued command still runs.
func TestSlack_FullQueueRefusalsDelivered(t *testing.T) {
	core := newHeldCore()
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.Workers, c.QueueSize = 1, 1 })
	running := h.slash("U1", "C1", "hold")
	if got := <-core.started; got != "hold" {
		t.Fatalf("started %q", got)
	}
	queued := h.slash("U2", "C1", "queued")
	var refused []string
	for i := range 40 {
		refused = append(refused, h.slash(fmt.Sprintf("U%dX", i), "C1", "one more"))
	}
	for _, id := range refused {
		p := h.postFor(id)
		if !strings.Contains(p.AllText(), "busy") || !strings.Contains(p.AllText(), "Try again in about") {
			t.Errorf("refusal = %q, want busy and when to retry", p.AllText())
		}
	}
	close(core.release)
	if p := h.postFor(running); p.Text != "done hold" {
		t.Errorf("running command answered %q", p.Text)
	}
	if p := h.postFor(queued); p.Text != "done queued" {
		t.Errorf("queued command answered %q", p.Text)
	}
	h.stop()
	for _, id := range append(refused, running, queued) {
		if n := len(h.answers(id)); n != 1 {
			t.Errorf("envelope %s answered %d times, want once", id, n)
		}
	}
	if n := h.metric("paasbot_commands_refused_total"); n != float64(len(refused)) {
		t.Errorf("refusals counted %v, want %d", n, len(refused))
	}
	if got := len(core.handled()); got != 2 {
		t.Errorf("core ran %d commands, want 2 (the refused ones never run)", got)
	}
}

// redeliver sends envelope id again, as Slack does after a lost ack: same
// id and payload, retry_attempt 1.
func (h *harness) redeliver(id string) {
	h.t.Helper()
	env, ok := h.fake.Envelope(id)
	if !ok {
		h.t.Fatalf("no envelope %s", id)
	}
	raw, err := json.Marshal(map[string]any{
		"envelope_id": id, "type": env.Type, "payload": env.Payload,
		"accepts_response_payload": false, "retry_attempt": 1, "retry_reason": "timeout",
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.SendRawEnvelope(h.t.Context(), raw)
}

// TestSlack_RedeliveredEnvelopesUnderFullQueue: copies of a running and
// of a queued envelope that arrive while the queue is full are recognised
// before anything is answered: each command runs once and is answered
// once, and only a new command is refused.
func TestSlack_RedeliveredEnvelopesUnderFullQueue(t *testing.T) {
	core := newHeldCore()
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.Workers, c.QueueSize = 1, 1 })
	running := h.slash("U1", "C1", "hold")
	<-core.started
	queued := h.slash("U2", "C1", "queued")
	h.redeliver(running)
	h.redeliver(queued)
	h.waitAcks(running, 2)
	h.waitAcks(queued, 2)
	fresh := h.slash("U3", "C1", "fresh")
	if p := h.postFor(fresh); !strings.Contains(p.AllText(), "busy") {
		t.Fatalf("a new command while the queue is full got %q, want busy", p.AllText())
	}
	close(core.release)
	h.postFor(running)
	h.postFor(queued)
	h.stop()
	for _, id := range []string{running, queued, fresh} {
		if n := len(h.answers(id)); n != 1 {
			t.Errorf("envelope %s answered %d times, want once", id, n)
		}
	}
	texts := map[string]int{}
	for _, r := range core.handled() {
		texts[r.Text]++
	}
	if texts["hold"] != 1 || texts["queued"] != 1 || texts["fresh"] != 0 {
		t.Errorf("core ran %v, want hold and queued once each, fresh never", texts)
	}
}

// responseRecorder is a response_url endpoint outside the fake Slack that
// counts the posts it gets.
type responseRecorder struct {
	srv *httptest.Server
	mu  sync.Mutex
	n   int
}

func newResponseRecorder(t *testing.T) *responseRecorder {
	r := &responseRecorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *responseRecorder) posts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// sendCopy sends, under envelope id, the slash command of envelope like
// whose response_url is url: a delivery Slack made to another replica
// first, as this process sees it.
func (h *harness) sendCopy(like, id, url string) {
	h.t.Helper()
	env, _ := h.fake.Envelope(like)
	var payload map[string]any
	if err := json.Unmarshal(env.Payload, &payload); err != nil {
		h.t.Fatal(err)
	}
	payload["response_url"] = url
	payload["trigger_id"] = id + ".trigger" // another interaction than like's
	raw, err := json.Marshal(map[string]any{"envelope_id": id, "type": "slash_commands", "payload": payload,
		"accepts_response_payload": false, "retry_attempt": 1, "retry_reason": "timeout"})
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.SendRawEnvelope(h.t.Context(), raw)
}

// waitLog waits until the adapter's log holds want.
func (h *harness) waitLog(want string) {
	h.t.Helper()
	for deadline := time.Now().Add(wait); !strings.Contains(h.logs.String(), want); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("log never said %s", want)
		}
	}
}

// TestSlack_RefusalOfAnEnvelopeThatRanElsewhere: a copy of an envelope
// that another replica already took (the shared store has its id) gets no
// refusal when this process's queue is full, while a copy nobody took
// does: the store is asked before anything is answered.
func TestSlack_RefusalOfAnEnvelopeThatRanElsewhere(t *testing.T) {
	core := newHeldCore()
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.Workers, c.QueueSize = 1, 1 })
	running := h.slash("U1", "C1", "hold")
	<-core.started
	h.slash("U2", "C1", "queued")
	if _, err := h.db.SeenOnce(t.Context(), "slack:envelope:env-elsewhere", time.Hour); err != nil {
		t.Fatal(err)
	}
	taken, untaken := newResponseRecorder(t), newResponseRecorder(t)
	h.sendCopy(running, "env-elsewhere", taken.srv.URL+"/r")
	h.sendCopy(running, "env-nobody", untaken.srv.URL+"/r")
	h.waitLog(`"msg":"repeated delivery skipped","component":"slack","envelope_id":"env-elsewhere"`)
	for deadline := time.Now().Add(wait); untaken.posts() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the envelope nobody took was never refused")
		}
	}
	close(core.release)
	h.stop()
	if taken.posts() != 0 || untaken.posts() != 1 {
		t.Errorf("refusals: %d for the envelope another replica took, %d for the new one; want 0 and 1", taken.posts(), untaken.posts())
	}
	if n := len(core.handled()); n != 2 {
		t.Errorf("core ran %d commands, want 2", n)
	}
}

// TestSlack_RetryAfterDoesNotHoldAWorker: a command whose post meets
// Slack's Retry-After gives its worker to the next command, which is
// answered while the first still waits; then the first is posted.
func TestSlack_RetryAfterDoesNotHoldAWorker(t *testing.T) {
	waiting := make(chan time.Duration, 10)
	resume := make(chan struct{})
	posted := make(chan struct{})
	mk := func(p *SlackPoster, _ *store.DB) Core {
		p.cfg.Sleep = func(ctx context.Context, d time.Duration) error {
			waiting <- d
			select {
			case <-resume:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
			if r.Text == "post" {
				if _, err := p.Post(ctx, r.Channel, reply.Message{Visibility: reply.Shared, Text: "request"}); err != nil {
					return reply.Message{Text: "post failed"}
				}
				close(posted)
			}
			return reply.Message{Text: "done " + r.Text}
		}}
	}
	h := newHarness(t, mk, nil, func(c *SlackConfig) { c.Workers = 1 })
	h.fake.RateLimitNext("chat.postMessage", 1, 3*time.Second)
	first := h.slash("U1", "C1", "post")
	if d := <-waiting; d != 3*time.Second {
		t.Fatalf("waited %v, want Slack's Retry-After of 3s", d)
	}
	second := h.slash("U2", "C1", "next")
	if p := h.postFor(second); p.Text != "done next" {
		t.Fatalf("second command answered %q while the first waited on Slack", p.Text)
	}
	select {
	case <-posted:
		t.Fatal("the first command's post went out before its Retry-After was waited out")
	default:
	}
	close(resume)
	if p := h.postFor(first); p.Text != "done post" {
		t.Errorf("first command answered %q", p.Text)
	}
	if c := h.fake.CallsTo("chat.postMessage"); len(c) != 2 || c[0].Status != 429 || c[1].Error != "" {
		t.Errorf("chat.postMessage calls = %+v, want a 429 then the post", c)
	}
}

// TestSlack_ShutdownTellsCommandsItCouldNotStart: commands still queued
// when the drain deadline passes are not run, and each person is told so,
// once; Run still returns with the deadline's error.
func TestSlack_ShutdownTellsCommandsItCouldNotStart(t *testing.T) {
	started := make(chan struct{}, 10)
	core := &fakeCore{handle: func(ctx context.Context, r commands.Request) reply.Message {
		started <- struct{}{}
		<-ctx.Done() // runs until the deadline cancels it
		return reply.Message{Text: "cancelled"}
	}}
	h := newHarness(t, withCore(core), nil, func(c *SlackConfig) { c.Workers, c.DrainTimeout = 1, time.Second })
	h.slash("U1", "C1", "stuck")
	<-started
	queued := []string{h.slash("U2", "C1", "waits"), h.slash("U3", "C1", "waits too")}
	for _, id := range queued {
		h.fake.WaitForAck(t, id, wait)
	}
	if err := h.stop(); err == nil || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("Run = %v, want the drain deadline error", err)
	}
	for _, id := range queued {
		posts := h.answers(id)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, "restarted before it could run this command") {
			t.Errorf("queued command told %+v, want one notice that it did not run", posts)
		}
	}
	if n := len(core.handled()); n != 1 {
		t.Errorf("core ran %d commands, want only the stuck one", n)
	}
}
