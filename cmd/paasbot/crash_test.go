package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi/gandisim"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
	"github.com/paasbot/paasbot/store/storetest"
)

// These tests kill -9 a real paasbot process (this test binary re-run as
// paasbot) at each point of an approved renewal, on SQLite and on
// PostgreSQL, and check what the database says and what the next process
// makes of it. A testutil.Gate between paasbot and the simulator holds the
// process exactly there: before the call is sent (it holds the paas.info
// paasbot reads just before sending), after (it holds paas.renew itself:
// once its client is gone, the simulator runs it, as Gandi would), and
// while its operations are followed (it holds operation.info).

const crashKey = "crash00000000000000key01"

// crashRig is one database, one simulator behind a gate, one secret.
type crashRig struct {
	t      *testing.T
	sim    *gandisim.Server
	gate   *testutil.Gate
	dsn    string
	secret string
}

func newCrashRig(t *testing.T, e storetest.Engine) *crashRig {
	t.Helper()
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Seed: 3, OperationTime: time.Millisecond})
	sim.SeedDemo(crashKey, 5)
	_, b64, err := store.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return &crashRig{t: t, sim: sim, gate: testutil.NewGate(t, url), dsn: storetest.NewDatabase(t, e), secret: b64}
}

// paasbot is `paasbot shell` as its own process on the rig's database,
// reading its commands from a pipe the test writes to.
type paasbot struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout syncBuffer
}

func (r *crashRig) start(args ...string) *paasbot {
	r.t.Helper()
	p := &paasbot{cmd: exec.Command(os.Args[0], append([]string{"shell", "--gandi-url", r.gate.URL, "--db", r.dsn, "--user", "dana"}, args...)...)}
	p.cmd.Env = append(os.Environ(), runAsPaasbotEnv+"=1", "PAASBOT_SECRET_KEY="+r.secret, "PAASBOT_SECRET_KEY_FILE=",
		"PAASBOT_APPROVERS=", "PAASBOT_DB=", "PAASBOT_GANDI_URL=", "PAASBOT_LOG_LEVEL=")
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		r.t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stdout
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	})
	return p
}

func (p *paasbot) say(t *testing.T, lines ...string) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, strings.Join(lines, "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
}

// kill9 sends SIGKILL and waits for the process to be gone.
func (p *paasbot) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// arrived waits for the held call, failing with the process's output.
func (r *crashRig) arrived(h *testutil.Hold, p *paasbot) {
	r.t.Helper()
	select {
	case <-h.Arrived():
	case <-time.After(60 * time.Second):
		r.t.Fatalf("%s never reached Gandi; paasbot said:\n%s", h.Method, p.stdout.String())
	}
}

// killedAt runs a paasbot that asks for a renewal and approves it, and
// kills it -9 once the nth call of method since its start reaches Gandi.
// The hold stays for the test to release.
func (r *crashRig) killedAt(method string, nth int) *testutil.Hold {
	r.t.Helper()
	p := r.start("--apikey", crashKey)
	hold := r.gate.Hold(method, nth)
	p.say(r.t, "renew shop-prod duration=1m", "approve 1")
	r.arrived(hold, p)
	p.kill9(r.t)
	return hold
}

// open opens the database as the test process, its clock ahead by
// ahead (past the dead process's leases when ahead > store.LeaseTTL).
func (r *crashRig) open(ahead time.Duration) *store.DB {
	r.t.Helper()
	sec, err := store.ParseSecret(r.secret)
	if err != nil {
		r.t.Fatal(err)
	}
	db, err := store.Open(r.t.Context(), r.dsn, sec, store.WithClock(func() time.Time { return time.Now().Add(ahead) }))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { db.Close() })
	return db
}

// next starts the process that comes after the dead one, a minute later
// (its leases lapsed): the real engine on the same database, with a
// recording notifier.
func (r *crashRig) next() (*approvals.Engine, *store.DB, *testutil.Notifier) {
	r.t.Helper()
	now := func() time.Time { return time.Now().Add(time.Minute) }
	db := r.open(time.Minute)
	note := &testutil.Notifier{}
	clients := newGandiClients(r.gate.URL, &http.Client{})
	engine, err := approvals.New(approvals.Config{Store: db, Notifier: note, Now: now, WaitInitial: time.Millisecond, WaitMax: 10 * time.Millisecond,
		Gandi: func(k secret.Value, d time.Duration) approvals.Client { return clients.forApprovals(k, d) }})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(engine.Close)
	ctx, cancel := context.WithCancel(r.t.Context())
	r.t.Cleanup(cancel)
	if err := engine.Start(ctx); err != nil {
		r.t.Fatal(err)
	}
	return engine, db, note
}

// callsOf waits until the simulator has run method n times (the gate
// forwards a held call once its client died), then reports the count.
func (r *crashRig) callsOf(method string, n int) int {
	for deadline := time.Now().Add(10 * time.Second); r.sim.Calls(method) < n && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	return r.sim.Calls(method)
}

func approval(t *testing.T, db *store.DB, id int64) *store.Approval {
	t.Helper()
	a, err := db.Approval(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var shellDana = approvals.Actor{Team: shellTeam, User: "dana", Channel: shellChannel}

func TestKill9_AtEachPointOfAPaidCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		t.Run("BeforeSend", func(t *testing.T) {
			t.Parallel()
			r := newCrashRig(t, e)
			hold := r.killedAt("paas.info", 2) // the request's, then the one just before sending
			a := approval(t, r.open(0), 1)
			if a.State != store.StateExecuting || a.SentAt != nil || a.Holder == "" {
				t.Fatalf("after kill -9 before sending: %s, sent %v, holder %q", a.State, a.SentAt, a.Holder)
			}
			hold.Release()
			engine, db, note := r.next()
			a = approval(t, db, 1)
			if a.State != store.StatePending || a.DecidedBy != "" {
				t.Fatalf("the next process left it %s (decided by %q), want offered again", a.State, a.DecidedBy)
			}
			if m := note.LastUpdate(t, reply.Ref{Channel: a.MessageChannel, ID: a.MessageID}); !strings.Contains(m.Text, "Nothing was sent") {
				t.Errorf("the request now says %q", m.Text)
			}
			if n := r.sim.Calls("paas.renew"); n != 0 {
				t.Fatalf("paas.renew ran %d times though nothing was sent", n)
			}
			if _, err := engine.Approve(t.Context(), shellDana, 1); err != nil {
				t.Fatalf("approve again: %v", err)
			}
			if n := r.callsOf("paas.renew", 1); n != 1 {
				t.Errorf("paas.renew ran %d times, want once", n)
			}
		})
		t.Run("AfterSend", func(t *testing.T) {
			t.Parallel()
			r := newCrashRig(t, e)
			r.killedAt("paas.renew", 1)
			a := approval(t, r.open(0), 1)
			if a.State != store.StateExecuting || a.SentAt == nil {
				t.Fatalf("after kill -9 during the call: %s, sent %v", a.State, a.SentAt)
			}
			if n := r.callsOf("paas.renew", 1); n != 1 { // Gandi ran it all the same
				t.Fatalf("paas.renew ran %d times", n)
			}
			engine, db, _ := r.next()
			if a := approval(t, db, 1); a.State != store.StateInterrupted {
				t.Fatalf("the next process left it %s, want interrupted", a.State)
			}
			if _, err := engine.Approve(t.Context(), shellDana, 1); err == nil || !strings.Contains(err.Error(), "interrupted") {
				t.Errorf("approve of an interrupted request: %v", err)
			}
			if n := r.sim.Calls("paas.renew"); n != 1 {
				t.Errorf("paas.renew ran %d times: an interrupted request was re-run", n)
			}
		})
		t.Run("WhileFollowing", func(t *testing.T) {
			t.Parallel()
			r := newCrashRig(t, e)
			hold := r.killedAt("operation.info", 1)
			a := approval(t, r.open(0), 1)
			if a.State != store.StateDone || a.FollowDone {
				t.Fatalf("after kill -9 while following: %s, follow done %v", a.State, a.FollowDone)
			}
			hold.Release()
			engine, db, _ := r.next()
			wctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			if err := engine.WaitFollowUps(wctx); err != nil {
				t.Fatal(err)
			}
			if a := approval(t, db, 1); a.State != store.StateDone || !a.FollowDone || !strings.Contains(string(a.Progress), `"outcome":"done"`) {
				t.Errorf("after the take-over: %s, follow done %v, progress %s", a.State, a.FollowDone, a.Progress)
			}
			if n := r.sim.Calls("paas.renew"); n != 1 {
				t.Errorf("paas.renew ran %d times", n)
			}
		})
	})
}

// TestKill9_SecondProcessInterruptsNothingAlive: `paasbot shell --db` on
// the database of a paasbot in the middle of a paid call leaves it alone;
// the first finishes and records it.
func TestKill9_SecondProcessInterruptsNothingAlive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		r := newCrashRig(t, e)
		first := r.start("--apikey", crashKey)
		hold := r.gate.Hold("paas.renew", 1)
		first.say(t, "renew shop-prod duration=1m", "approve 1")
		r.arrived(hold, first)

		second := exec.Command(os.Args[0], "shell", "--gandi-url", r.gate.URL, "--db", r.dsn, "--user", "sam")
		second.Env = append(os.Environ(), runAsPaasbotEnv+"=1", "PAASBOT_SECRET_KEY="+r.secret, "PAASBOT_SECRET_KEY_FILE=",
			"PAASBOT_APPROVERS=", "PAASBOT_DB=", "PAASBOT_GANDI_URL=", "PAASBOT_LOG_LEVEL=")
		second.Stdin = strings.NewReader("approvals\n")
		var out bytes.Buffer
		second.Stdout, second.Stderr = &out, &out
		if err := second.Run(); err != nil {
			t.Fatalf("second shell: %v\n%s", err, out.String())
		}
		db := r.open(0)
		if a := approval(t, db, 1); a.State != store.StateExecuting {
			t.Fatalf("the second process left the live request %s", a.State)
		}
		hold.Release()
		if err := first.stdin.Close(); err != nil {
			t.Fatal(err)
		}
		if err := first.cmd.Wait(); err != nil {
			t.Fatalf("first shell: %v\n%s", err, first.stdout.String())
		}
		a := approval(t, db, 1)
		if a.State != store.StateDone || !a.FollowDone {
			t.Errorf("the first process's renewal is %s (follow done %v)\n%s", a.State, a.FollowDone, first.stdout.String())
		}
		if n := r.sim.Calls("paas.renew"); n != 1 {
			t.Errorf("paas.renew ran %d times", n)
		}
		if !strings.Contains(first.stdout.String(), "paas_vm_renew") {
			t.Errorf("the first shell did not show the operations:\n%s", first.stdout.String())
		}
	})
}
