package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/bot"
	"github.com/paasbot/paasbot/bot/slacktest"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/store/storetest"
)

// These tests run two replicas of `paasbot run` (this test binary re-run
// as paasbot: real processes, so that kill -9 is real, each with its own
// slack-go socket-mode connection, connection pool and lease holder) on
// one PostgreSQL database, against one fake Slack that spreads envelopes
// over both sockets (socket n is the n-th replica to connect), with the
// simulator behind a gate that holds chosen Gandi calls. Leases last
// PAASBOT_LEASE_TTL=2s, so a take-over is seconds away; the waits are the
// contract's "within a minute".

const (
	replicaLeaseTTL = "2s"
	replicaDana     = "U0DANA"
	replicaSam      = "U0SAM"
	replicaChannel  = "C0DEV"
	// takeOverWithin is DESIGN §11's bound on taking a dead replica's
	// work over: what the tests wait for at most.
	takeOverWithin = time.Minute
	replicaWait    = 30 * time.Second
)

// replicaRig is one database, one fake Slack, one simulator behind a gate.
type replicaRig struct {
	t      *testing.T
	fake   *slacktest.Server
	sim    *gandisim.Server
	gate   *testutil.Gate
	dsn    string
	secret string
	db     *store.DB // the test's own view of the database
}

func newReplicaRig(t *testing.T) *replicaRig {
	t.Helper()
	// With a password in the URL (the test server does not check it):
	// no replica may print it.
	dsn := withPassword(t, storetest.NewDatabase(t, storetest.Postgres))
	fake := slacktest.New(t, slacktest.WithBotToken(runBotToken), slacktest.WithAppToken(runAppToken))
	sim, simURL := gandisim.NewTestServer(t, gandisim.Options{Seed: 3, OperationTime: time.Millisecond})
	sim.SeedDemo(gandisim.DemoAPIKey, 5)
	sec, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), dsn, sec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Dana logged in before (the login modal has its own tests).
	if _, err := db.PutAPIKey(t.Context(), store.Identity{Team: fake.TeamID(), User: replicaDana}, gandisim.DemoAPIKey); err != nil {
		t.Fatal(err)
	}
	return &replicaRig{t: t, fake: fake, sim: sim, gate: testutil.NewGate(t, simURL), dsn: dsn, secret: b64, db: db}
}

// replica is one `paasbot run` process.
type replica struct {
	cmd    *exec.Cmd
	logs   syncBuffer
	socket int // its socket-mode connection at the fake Slack
}

// start starts a replica and waits for its socket: the n-th started is
// socket n.
func (r *replicaRig) start() *replica {
	r.t.Helper()
	p := &replica{socket: r.fake.ConnectionsOpened() + 1}
	p.cmd = exec.Command(os.Args[0], "run")
	p.cmd.Env = append(os.Environ(), runAsPaasbotEnv+"=1",
		"PAASBOT_SLACK_BOT_TOKEN="+r.fake.BotToken(), "PAASBOT_SLACK_APP_TOKEN="+r.fake.AppToken(),
		"PAASBOT_SLACK_API_URL="+r.fake.APIURL(), "PAASBOT_SECRET_KEY="+r.secret, "PAASBOT_SECRET_KEY_FILE=",
		"PAASBOT_DB="+r.dsn, "PAASBOT_GANDI_URL="+r.gate.URL, "PAASBOT_APPROVERS="+replicaSam,
		"PAASBOT_LEASE_TTL="+replicaLeaseTTL, "PAASBOT_LOG_FORMAT=json", "PAASBOT_LOG_LEVEL=debug",
		"PAASBOT_HTTP_ADDR=", "PAASBOT_TZ=UTC")
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		for _, secret := range []string{"hunter2", r.secret, runBotToken, runAppToken, gandisim.DemoAPIKey} {
			if strings.Contains(p.logs.String(), secret) {
				r.t.Errorf("replica on socket %d logged a secret (%q…)", p.socket, secret[:4])
			}
		}
		if r.t.Failed() {
			r.t.Logf("replica on socket %d said:\n%s", p.socket, p.logs.String())
		}
	})
	r.fake.WaitForConnectionsOpened(r.t, p.socket, replicaWait)
	return p
}

// kill9 sends SIGKILL and waits for the process to be gone.
func (p *replica) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// count is how many lines the replica logged with message msg whose
// attributes include every key=value of attrs.
func (p *replica) count(msg string, attrs map[string]any) int {
	n := 0
	for _, line := range strings.Split(p.logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range attrs {
			ok = ok && fmt.Sprint(rec[k]) == fmt.Sprint(v)
		}
		if ok {
			n++
		}
	}
	return n
}

// logged waits until the replica logged msg with attrs.
func (p *replica) logged(t *testing.T, msg string, attrs map[string]any) {
	t.Helper()
	for deadline := time.Now().Add(replicaWait); p.count(msg, attrs) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica on socket %d never logged %q %v", p.socket, msg, attrs)
		}
	}
}

// ask sends Dana's command to socket and returns the approval request it
// posted in the channel, found by its number.
func (r *replicaRig) ask(socket int, text string, number int) slacktest.Message {
	r.t.Helper()
	r.fake.DeliverTo(socket)
	r.fake.SendSlashCommand(r.t.Context(), slacktest.SlashCommand{UserID: replicaDana, ChannelID: replicaChannel, Text: text})
	title := fmt.Sprintf("Approval #%d", number)
	return r.fake.WaitForMessage(r.t, func(m slacktest.Message) bool {
		_, ok := m.Button("approval.approve")
		return !m.Ephemeral && m.Channel == replicaChannel && ok && strings.Contains(m.AllText(), title)
	}, replicaWait)
}

// approve has Sam click Approve on request through socket and returns the
// click's envelope id.
func (r *replicaRig) approve(socket int, request slacktest.Message) string {
	r.t.Helper()
	r.fake.DeliverTo(socket)
	return r.fake.ClickButton(r.t.Context(), slacktest.Click{UserID: replicaSam, ChannelID: replicaChannel,
		MessageTS: request.TS, ActionID: "approval.approve"})
}

// staleApprove has Sam click Approve on request as it was when posted:
// from a client that still shows its buttons (two approvers clicking at
// the same moment, a window not yet refreshed), though the message has
// changed since. Slack sends the old button's value.
func (r *replicaRig) staleApprove(socket int, request slacktest.Message) string {
	r.t.Helper()
	button, ok := request.Button("approval.approve")
	if !ok {
		r.t.Fatalf("request %s has no Approve button", request.TS)
	}
	r.fake.DeliverTo(socket)
	return r.fake.ClickButton(r.t.Context(), slacktest.Click{UserID: replicaSam, ChannelID: replicaChannel,
		ActionID: button.ActionID, BlockID: button.BlockID, Value: button.Value, Text: button.Text})
}

// until waits for cond, checked every 20 ms, for at most within.
func (r *replicaRig) until(within time.Duration, what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("not within %v: %s", within, what)
		}
	}
}

// dueReport stores Dana's daily expiry report for #C0OPS whose slot was a
// minute ago (the subscription older than that), so that a replica
// starting now catches it up; it returns the subscription and the slot.
func (r *replicaRig) dueReport() (int64, time.Time) {
	r.t.Helper()
	now := time.Now().UTC()
	slot := now.Add(-time.Minute).Truncate(time.Minute)
	created := now.Add(-10 * time.Minute)
	db, err := store.Open(r.t.Context(), r.dsn, mustParseSecret(r.t, r.secret), store.WithClock(func() time.Time { return created }))
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	sub, err := db.CreateSubscription(r.t.Context(), &store.Subscription{Team: r.fake.TeamID(), Channel: "C0OPS", Owner: replicaDana,
		Kind: "expiry", Schedule: fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour()), TZ: "UTC", Params: json.RawMessage(`{"days":30}`)})
	if err != nil {
		r.t.Fatal(err)
	}
	return sub, slot
}

// approval reads request id as the database has it.
func (r *replicaRig) approval(id int64) *store.Approval {
	r.t.Helper()
	a, err := r.db.Approval(r.t.Context(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}

// followed reports whether request id is done and its operations followed
// to their end.
func (r *replicaRig) followed(id int64) bool {
	a := r.approval(id)
	return a.State == store.StateDone && a.FollowDone && strings.Contains(string(a.Progress), `"outcome":"done"`)
}

// TestReplicas_ExactlyOnceAcrossTwo: two replicas serve one team at once.
// Approve clicked on both for the same request, a slash command and a
// click delivered again to the other replica and to the same one, and an
// alert slot due as both start: each runs, posts and bills once.
func TestReplicas_ExactlyOnceAcrossTwo(t *testing.T) {
	r := newReplicaRig(t)
	// A report due as the replicas start: both catch it up.
	sub, slot := r.dueReport()
	a, b := r.start(), r.start()

	t.Run("an alert slot posts once", func(t *testing.T) {
		r.until(replicaWait, "the slot's report posted and recorded", func() bool {
			run, err := r.db.SlotRun(t.Context(), sub, slot)
			return err == nil && run.FinishedAt != nil
		})
		run, _ := r.db.SlotRun(t.Context(), sub, slot)
		winner, loser := a, b
		if !strings.Contains(a.logs.String(), `"msg":"report posted"`) {
			winner, loser = b, a
		}
		winner.logged(t, "report posted", map[string]any{"subscription": sub})
		// The other lost the claim, or found it taken before claiming.
		loser.logged(t, "alert slot claimed by another process", map[string]any{"subscription": sub})
		reports := r.fake.Find(slacktest.MessageFilter{Channel: "C0OPS", TopLevel: true})
		if len(reports) != 1 || run.MessageTS != reports[0].TS || run.Outcome != "posted" {
			t.Errorf("%d reports in the channel (claim: ts %q, outcome %q), want one, recorded on the claim", len(reports), run.MessageTS, run.Outcome)
		}
	})

	t.Run("Approve on both replicas runs once", func(t *testing.T) {
		first := r.ask(a.socket, "renew shop-prod duration=1m", 1)
		second := r.ask(b.socket, "renew shop-staging duration=1m", 2)
		// Each renewal is held at Gandi, in flight on the replica whose
		// click won, while the other replica gets Approve on the same
		// request; then both are let through.
		var holds []*testutil.Hold
		for _, c := range []struct {
			request       slacktest.Message
			winner, loser *replica
		}{{first, a, b}, {second, b, a}} {
			hold := r.gate.Hold("paas.renew", 1)
			holds = append(holds, hold)
			r.approve(c.winner.socket, c.request)
			<-hold.Arrived()
			late := r.staleApprove(c.loser.socket, c.request)
			// Answered to Sam alone: the request is already running.
			p := r.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool { return p.EnvelopeID == late }, replicaWait)
			if !p.Private {
				t.Errorf("the late click was answered for everyone to see: %+v", p)
			}
			c.loser.logged(t, "button click", map[string]any{"envelope_id": late})
		}
		for _, h := range holds {
			h.Release()
		}
		r.until(replicaWait, "both renewals followed to their end", func() bool { return r.followed(1) && r.followed(2) })
		if n := r.sim.Calls("paas.renew"); n != 2 {
			t.Errorf("paas.renew ran %d times for 2 requests approved on both replicas", n)
		}
	})

	t.Run("a form opened on one replica is submitted on the other", func(t *testing.T) {
		const erin, erinKey = "U0ERIN", "erin00000000000000key001"
		r.sim.SeedDemo(erinKey, 1)
		r.fake.DeliverTo(a.socket)
		r.fake.SendSlashCommand(t.Context(), slacktest.SlashCommand{UserID: erin, ChannelID: replicaChannel, Text: "login"})
		v := r.fake.WaitForView(t, func(v slacktest.View) bool { return v.UserID == erin }, replicaWait)
		r.fake.DeliverTo(b.socket)
		sub := r.fake.SubmitView(t.Context(), slacktest.Submission{ViewID: v.ID,
			Values: map[string]map[string]string{bot.FormBlockID: {bot.FormActionID: erinKey}}})
		ack := r.fake.WaitForAck(t, sub, replicaWait)
		if ack.ConnID != b.socket || ack.Payload != nil {
			t.Fatalf("the submission was acked on socket %d with %s, want socket %d closing the form", ack.ConnID, ack.Payload, b.socket)
		}
		r.until(replicaWait, "Erin's key stored by the other replica", func() bool {
			k, _, err := r.db.APIKey(t.Context(), store.Identity{Team: r.fake.TeamID(), User: erin})
			return err == nil && k.Reveal() == erinKey
		})
	})

	t.Run("a redelivery to both replicas runs once", func(t *testing.T) {
		// Delivered to one replica, then again to the other and to the
		// first: one of the three runs, whichever replica records the
		// envelope first; the others are acked and skipped.
		threeDeliveries := func(id string, first, other *replica) {
			t.Helper()
			r.fake.WaitForAck(t, id, replicaWait)
			r.fake.Redeliver(id, other.socket, "timeout")
			r.fake.Redeliver(id, first.socket, "timeout")
		}
		settled := func(id, ran string) (runs int) {
			t.Helper()
			seen := func() (runs, skipped int) {
				for _, p := range []*replica{a, b} {
					runs += p.count(ran, map[string]any{"envelope_id": id})
					skipped += p.count("repeated delivery skipped", map[string]any{"envelope_id": id})
				}
				return runs, skipped
			}
			r.until(replicaWait, "every delivery of "+id+" run or skipped", func() bool { n, s := seen(); return n+s >= 3 })
			runs, _ = seen()
			return runs
		}

		r.fake.DeliverTo(a.socket)
		cmd := r.fake.SendSlashCommand(t.Context(), slacktest.SlashCommand{UserID: replicaDana, ChannelID: replicaChannel, Text: "renew blog duration=1m"})
		threeDeliveries(cmd, a, b)
		if n := settled(cmd, "slash command"); n != 1 {
			t.Errorf("the command delivered 3 times ran %d times", n)
		}
		request := r.fake.WaitForMessage(t, func(m slacktest.Message) bool {
			return !m.Ephemeral && m.Channel == replicaChannel && strings.Contains(m.AllText(), "Approval #3")
		}, replicaWait)
		click := r.approve(b.socket, request)
		threeDeliveries(click, b, a)
		if n := settled(click, "button click"); n != 1 {
			t.Errorf("the click delivered 3 times ran %d times", n)
		}
		r.until(replicaWait, "the third renewal followed to its end", func() bool { return r.followed(3) })

		for _, id := range []string{cmd, click} {
			acks := 0
			for _, ack := range r.fake.Acks() {
				if ack.EnvelopeID == id {
					acks++
				}
			}
			if acks != 3 {
				t.Errorf("envelope %s acked %d times for 3 deliveries", id, acks)
			}
		}
		if _, err := r.db.Approval(t.Context(), 4); err == nil {
			t.Error("a redelivered command made another request")
		}
		if n := r.sim.Calls("paas.renew"); n != 3 {
			t.Errorf("paas.renew ran %d times for 3 requests", n)
		}
	})
}

// heldOnFirst starts two replicas; Dana asks for a renewal on the second
// and Sam approves it on the first. It returns once the first's next call
// of method (its own, made for that approval) reaches Gandi, held there.
func (r *replicaRig) heldOnFirst(method string) (first, second *replica, request slacktest.Message, hold *testutil.Hold) {
	r.t.Helper()
	first, second = r.start(), r.start()
	request = r.ask(second.socket, "renew shop-prod duration=1m", 1)
	hold = r.gate.Hold(method, 1)
	r.approve(first.socket, request)
	<-hold.Arrived()
	return first, second, request, hold
}

// TestReplicas_KilledWhileFollowing: the replica following a renewal's
// operations is killed -9; the other takes the follow-up over and takes it
// to its end, without sending the renewal again.
func TestReplicas_KilledWhileFollowing(t *testing.T) {
	r := newReplicaRig(t)
	a, b, _, hold := r.heldOnFirst("operation.info")
	if got := r.approval(1); got.State != store.StateDone || got.FollowDone {
		t.Fatalf("while following: %s, follow done %v", got.State, got.FollowDone)
	}
	a.kill9(t)
	hold.Release()
	r.until(takeOverWithin, "the follow-up taken over by the other replica and ended", func() bool { return r.followed(1) })
	b.logged(t, "following the operations of an approval whose process stopped", map[string]any{"id": 1})
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times", n)
	}
}

// TestReplicas_KilledDuringAPaidCall: the replica whose renewal is in
// flight at Gandi is killed -9; Gandi runs it, and the other replica marks
// the request interrupted (for a person to check) and never runs it again,
// not even when Approve is clicked once more.
func TestReplicas_KilledDuringAPaidCall(t *testing.T) {
	r := newReplicaRig(t)
	a, b, request, _ := r.heldOnFirst("paas.renew")
	a.kill9(t)
	r.until(replicaWait, "Gandi ran the call whose client died", func() bool { return r.sim.Calls("paas.renew") == 1 })
	r.until(takeOverWithin, "the request marked interrupted by the other replica", func() bool {
		return r.approval(1).State == store.StateInterrupted
	})
	b.logged(t, "an approved request was sent by a process that stopped before its answer; interrupted", map[string]any{"id": 1})
	// The request now says it was interrupted and offers no Approve; a
	// client still showing the old buttons sends them all the same.
	if now, ok := r.fake.Message(replicaChannel, request.TS); !ok {
		t.Error("the request's message is gone")
	} else if _, ok := now.Button("approval.approve"); ok {
		t.Error("the interrupted request still offers Approve")
	}
	again := r.staleApprove(b.socket, request)
	r.fake.WaitForResponseURLPost(t, func(p slacktest.ResponseURLPost) bool { return p.EnvelopeID == again }, replicaWait)
	if got := r.approval(1); got.State != store.StateInterrupted {
		t.Errorf("after Approve again: %s", got.State)
	}
	if n := r.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("paas.renew ran %d times: an interrupted request was re-run", n)
	}
}

func mustParseSecret(t *testing.T, b64 string) store.Secret {
	t.Helper()
	s, err := store.ParseSecret(b64)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReplicas_KilledDuringAReportScan: the replica that claimed a report
// slot is killed -9 while it scans the owner's account, before posting
// anything; once its lease lapsed the other replica takes the claim over
// and posts the report, once.
func TestReplicas_KilledDuringAReportScan(t *testing.T) {
	r := newReplicaRig(t)
	sub, slot := r.dueReport()
	scan := r.gate.Hold("paas.count", 1) // the scan's first call
	a := r.start()
	<-scan.Arrived()
	b := r.start()
	b.logged(t, "alert slot claimed by another process", map[string]any{"subscription": sub})
	a.kill9(t)
	scan.Release()
	r.until(takeOverWithin, "the slot taken over and posted by the other replica", func() bool {
		run, err := r.db.SlotRun(t.Context(), sub, slot)
		return err == nil && run.FinishedAt != nil
	})
	b.logged(t, "taking over an alert slot whose process stopped before posting", map[string]any{"subscription": sub})
	run, _ := r.db.SlotRun(t.Context(), sub, slot)
	reports := r.fake.Find(slacktest.MessageFilter{Channel: "C0OPS", TopLevel: true})
	if len(reports) != 1 || run.MessageTS != reports[0].TS || run.Outcome != "posted" {
		t.Errorf("%d reports in the channel (claim: ts %q, outcome %q), want one, recorded on the claim", len(reports), run.MessageTS, run.Outcome)
	}
}
