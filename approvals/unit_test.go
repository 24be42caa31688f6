package approvals

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/gandimock"
	"github.com/paasbot/paasbot/internal/storemock"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// The engine's unit tests: no HTTP, no SQLite. The store and Gandi are
// function-field fakes (the unit rig is where they meet the engine's
// interfaces); each test sets the calls it expects, and any other call
// answers testutil.ErrNotFaked.

// unitKey is the requester's key, as the fake store holds it.
const unitKey = secret.Value("dana-key-0000000000000001")

// unit is an engine on fakes, with a fake clock.
type unit struct {
	t     *testing.T
	e     *Engine
	db    *storemock.DB
	paas  *gandimock.PaaS
	vh    *gandimock.Vhosts
	ops   *gandimock.Operations
	cat   *gandimock.Catalog
	note  *testutil.Notifier
	clock *testutil.Clock

	mu     sync.Mutex
	keys   []secret.Value // the keys the factory was asked for
	audits []string       // actor|action|outcome
}

func newUnit(t *testing.T, approvers ...string) *unit {
	u := &unit{t: t, db: &storemock.DB{}, paas: &gandimock.PaaS{}, vh: &gandimock.Vhosts{}, ops: &gandimock.Operations{},
		cat: &gandimock.Catalog{}, note: &testutil.Notifier{}, clock: testutil.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	u.db.AuditFn = func(_ context.Context, e store.AuditEntry) error {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.audits = append(u.audits, e.Actor+"|"+e.Action+"|"+e.Outcome)
		return nil
	}
	u.db.APIKeyFn = func(_ context.Context, id store.Identity) (secret.Value, store.KeyMeta, error) {
		if id == (store.Identity{Team: apvTeam, User: apvRequester}) {
			return unitKey, store.KeyMeta{}, nil
		}
		return "", store.KeyMeta{}, store.ErrNotFound
	}
	var err error
	u.e, err = New(Config{Store: u.db, Notifier: u.note, Approvers: approvers, Now: u.clock.Now, Sleep: u.clock.Sleep,
		Gandi: func(k secret.Value, _ time.Duration) Client {
			u.mu.Lock()
			u.keys = append(u.keys, k)
			u.mu.Unlock()
			return Client{PaaS: u.paas, Vhosts: u.vh, Operations: u.ops, Catalog: u.cat}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.e.Close)
	return u
}

func (u *unit) audit() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return strings.Join(u.audits, "\n")
}

func (u *unit) usedKeys() []secret.Value {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]secret.Value(nil), u.keys...)
}

var unitRenew = Plan{Action: ActionRenew, InstanceID: 42, Target: "shop-prod (#42)", Renew: &gandi.RenewOptions{Duration: "12m"},
	Summary: []reply.Field{{Label: "Instance", Value: "shop-prod (#42)"}}}

// pending is the stored approval of p, pending, posted as ts.1 in C1.
func (u *unit) pending(id int64, p Plan) *store.Approval {
	raw, err := json.Marshal(p)
	if err != nil {
		u.t.Fatal(err)
	}
	return &store.Approval{ID: id, Team: apvTeam, Channel: apvChannel, Requester: apvRequester, Action: p.Action, Target: p.Target,
		Params: raw, Summary: actionVerb(p.Action) + " " + p.Target, State: store.StatePending,
		ExpiresAt: u.clock.Now().Add(DefaultTTL), MessageChannel: apvChannel, MessageID: "ts.1"}
}

// claimable makes the store hold a, pending, and let the next decision,
// claim and mark of it win; Gandi's paas.info shows a running instance.
func (u *unit) claimable(a *store.Approval) {
	u.db.ApprovalFn = func(context.Context, int64) (*store.Approval, error) { c := *a; return &c, nil }
	u.db.DecideFn = func(_ context.Context, _ int64, to store.ApprovalState, actor string, _ store.AuditLine) (*store.Approval, error) {
		c := *a
		c.State, c.DecidedBy = to, actor
		return &c, nil
	}
	u.db.ClaimExecutionFn = func(context.Context, int64) error { return nil }
	u.db.MarkSentFn = func(context.Context, int64) error { return nil }
	u.paas.InfoFn = func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		return &gandi.InstanceInfo{ID: id, Name: "shop-prod", Size: "m", State: gandi.StateRunning}, nil
	}
}

func TestUnit_ProposeRefusedByDryRunStoresNothing(t *testing.T) {
	u := newUnit(t, apvApprover)
	u.paas.CreateDryRunFn = func(_ context.Context, p gandi.PaasCreateParams) ([]gandi.ValidationError, error) {
		if p.Password == "" {
			t.Error("the dry run of a create carries no (throw-away) password")
		}
		return []gandi.ValidationError{{Field: "size", Error: "invalid", Reason: "size xxl is not sold in this datacenter"}}, nil
	}
	p := Plan{Action: ActionCreate, Target: "blog", Create: &gandi.PaasCreateParams{Name: "blog", Size: "xxl", Type: "phpmysql", DatacenterID: 1, Duration: "1m"}}
	m, err := u.e.Propose(t.Context(), Actor{Team: apvTeam, User: apvRequester, Channel: apvChannel}, unitKey, p)
	if err != nil {
		t.Fatalf("a refusal is an answer, not an error: %v", err)
	}
	text := testutil.Text(m)
	for _, want := range []string{"Gandi would refuse this create of blog", "• size: size xxl is not sold in this datacenter",
		"Nothing was requested, stored or billed"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, text)
		}
	}
	if m.Visibility != reply.Private || len(m.Buttons) != 0 {
		t.Errorf("refusal visibility %v, buttons %v", m.Visibility, m.Buttons)
	}
	if posts, _, _ := u.note.Snapshot(); len(posts) != 0 {
		t.Errorf("a refusal was posted: %+v", posts)
	}
	if got := u.audit(); got != "UDANA|request|refused by dry run: size: size xxl is not sold in this datacenter" {
		t.Errorf("audit = %q", got)
	}
}

func TestUnit_ProposePostsPaidRequestWithFactsAndPrice(t *testing.T) {
	u := newUnit(t, apvApprover)
	end := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	u.paas.InfoFn = func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		return &gandi.InstanceInfo{ID: id, Name: "shop-prod", Size: "m", Type: "phpmysql", State: gandi.StateRunning, DateEnd: &end, CatalogName: "paas_phpmysql_m"}, nil
	}
	u.cat.ListFn = func(_ context.Context, o gandi.CatalogListOptions) ([]gandi.CatalogItem, error) {
		if o.ProductDescription != "paas_phpmysql_m" || o.ActionName != "renew" || o.ActionDuration != "12m" {
			t.Errorf("catalog asked for %+v", o)
		}
		return []gandi.CatalogItem{{Product: gandi.CatalogProduct{Description: "paas_phpmysql_m"}, Action: gandi.CatalogAction{Name: "renew"},
			UnitPrice: []gandi.UnitPrice{{Price: 10, Currency: "EUR", DurationUnit: "m"}}}}, nil
	}
	var stored *store.Approval
	u.db.CreateApprovalFn = func(_ context.Context, a *store.Approval) (int64, error) {
		a.ID, a.State, stored = 7, store.StatePending, a // as *store.DB does
		return 7, nil
	}
	var where string
	u.db.SetApprovalMessageFn = func(_ context.Context, id int64, ch, ts string) error {
		where = ch + "/" + ts
		return nil
	}
	m, err := u.e.Propose(t.Context(), Actor{Team: apvTeam, User: apvRequester, Channel: apvChannel}, unitKey, unitRenew)
	if err != nil {
		t.Fatal(err)
	}
	if m.Visibility != reply.Private || !strings.Contains(m.Text, "Approval request #7 posted in the channel; waiting for an approver: {@USAM}.") {
		t.Errorf("answer to the requester = %s", testutil.Text(m))
	}
	posts, _, _ := u.note.Snapshot()
	if len(posts) != 1 || posts[0].Ref.Channel != apvChannel {
		t.Fatalf("posts = %+v", posts)
	}
	text := testutil.Text(posts[0].Msg)
	for _, want := range []string{"Approval #7: Renew shop-prod (#42)", "Size: m", "Expiry: 2026-12-01 → 2027-12-01", "Gandi offers no dry run for paas.renew",
		"Price: about 120.00 EUR (10.00 EUR per month × 12", "[Approve approval.approve 7 approve 7]", "Expires 2026-11-23"} {
		if !strings.Contains(text, want) {
			t.Errorf("posted request lacks %q:\n%s", want, text)
		}
	}
	if stored == nil || stored.Requester != apvRequester || !stored.ExpiresAt.Equal(u.clock.Now().Add(DefaultTTL)) {
		t.Errorf("stored approval = %+v", stored)
	}
	if where != apvChannel+"/ts.1" {
		t.Errorf("recorded message = %q", where)
	}
	if keys := u.usedKeys(); len(keys) != 1 || keys[0] != unitKey {
		t.Errorf("Gandi asked with %d keys, want the requester's once", len(keys))
	}
}

// TestUnit_Policy is the four-eyes policy: who may approve what.
func TestUnit_Policy(t *testing.T) {
	paid := &store.Approval{Action: ActionRenew, Requester: "UDANA"}
	confirm := &store.Approval{Action: ActionRestart, Requester: "UDANA"}
	for _, tt := range []struct {
		name      string
		approvers []string
		a         *store.Approval
		actor     string
		want      bool
	}{
		{"no approvers: the requester confirms", nil, paid, "UDANA", true},
		{"no approvers: nobody else", nil, paid, "USAM", false},
		{"approver", []string{"USAM"}, paid, "USAM", true},
		{"requester among the approvers", []string{"USAM", "UDANA"}, paid, "UDANA", false},
		{"not an approver", []string{"USAM"}, paid, "UEVE", false},
		{"confirm flow: the requester alone", []string{"USAM"}, confirm, "UDANA", true},
		{"confirm flow: not an approver either", []string{"USAM"}, confirm, "USAM", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &Engine{cfg: Config{Approvers: tt.approvers}}
			if got := e.mayApprove(t.Context(), tt.actor, tt.a); got != tt.want {
				t.Errorf("mayApprove(%s) = %v, want %v", tt.actor, got, tt.want)
			}
		})
	}
}

func TestUnit_ApproveRunsOnceWithTheRequestersKey(t *testing.T) {
	u := newUnit(t, apvApprover)
	a := u.pending(7, unitRenew)
	u.claimable(a)
	var moves []string
	u.db.DecideFn = func(_ context.Context, id int64, to store.ApprovalState, actor string, _ store.AuditLine) (*store.Approval, error) {
		moves = append(moves, string(to)+":"+actor)
		c := *a
		c.State, c.DecidedBy = to, actor
		return &c, nil
	}
	u.db.ClaimExecutionFn = func(context.Context, int64) error { moves = append(moves, "claim"); return nil }
	u.db.MarkSentFn = func(context.Context, int64) error { moves = append(moves, "sent"); return nil }
	u.db.FinishHeldFn = func(context.Context, int64, json.RawMessage) error { moves = append(moves, "finish"); return nil }
	u.db.ProgressHeldFn = func(context.Context, int64, json.RawMessage, bool) error { return nil }
	renews := 0
	u.paas.RenewFn = func(_ context.Context, id int, o gandi.RenewOptions) ([]gandi.Operation, error) {
		renews++
		if id != 42 || o.Duration != "12m" {
			t.Errorf("renew(%d, %+v)", id, o)
		}
		return []gandi.Operation{{ID: 1, Type: "paas_vm_renew", Step: gandi.StepDone}}, nil
	}
	m, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvApprover, Channel: apvChannel}, 7)
	if err != nil {
		t.Fatal(err)
	}
	drain(u.e)
	if m.Tone != reply.Success || !strings.Contains(m.Text, "#7 ran once with {@UDANA}'s key") {
		t.Errorf("answer = %s", testutil.Text(m))
	}
	if renews != 1 || strings.Join(moves, ",") != "approved:USAM,claim,sent,finish" {
		t.Errorf("%d renews, moves %v", renews, moves)
	}
	for _, k := range u.usedKeys() {
		if k != unitKey {
			t.Error("Gandi was asked with another key than the requester's")
		}
	}
	if au := u.audit(); !strings.Contains(au, "USAM|execute paas.renew #7|done: 1 operation started") ||
		!strings.Contains(au, "paasbot|result paas.renew #7|done") {
		t.Errorf("audit:\n%s", au)
	}
}

func TestUnit_ApproveLosingTheClaimNeverCalls(t *testing.T) {
	u := newUnit(t)
	a := u.pending(7, unitRenew)
	reads := 0
	u.db.ApprovalFn = func(context.Context, int64) (*store.Approval, error) {
		reads++
		c := *a
		if reads > 1 { // the reload after the lost compare-and-set
			c.State, c.DecidedBy = store.StateExecuting, apvRequester
		}
		return &c, nil
	}
	u.db.DecideFn = func(context.Context, int64, store.ApprovalState, string, store.AuditLine) (*store.Approval, error) {
		c := *a
		c.State = store.StateApproved
		return &c, nil
	}
	u.db.ClaimExecutionFn = func(context.Context, int64) error {
		return &store.StateError{ID: 7, Want: store.StateApproved, Current: store.StateExecuting}
	}
	u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
		t.Error("the call ran without the claim")
		return nil, nil
	}
	_, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7)
	if apperr.CodeOf(err) != apperr.ECONFLICT || !strings.Contains(apperr.Message(t.Context(), nil, "", err), "#7 was already approved by {@UDANA}") {
		t.Errorf("err = %v", err)
	}
}

func TestUnit_NotAllowedChangesNothing(t *testing.T) {
	u := newUnit(t, apvApprover)
	a := u.pending(7, unitRenew)
	u.db.ApprovalFn = func(context.Context, int64) (*store.Approval, error) { c := *a; return &c, nil }
	// No DecideFn: any decision would fail the test.
	for name, decide := range map[string]func(context.Context, Actor, int64) (reply.Message, error){
		"approve": u.e.Approve, "deny": u.e.Deny, "cancel": u.e.Cancel} {
		_, err := decide(t.Context(), Actor{Team: apvTeam, User: apvOther}, 7)
		if apperr.CodeOf(err) != apperr.EUNAUTHORIZED || !strings.Contains(err.Error(), "Nothing changed") {
			t.Errorf("%s by a stranger: %v", name, err)
		}
	}
	if _, err := u.e.Approve(t.Context(), Actor{Team: "T2", User: apvApprover}, 7); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("approve from another team: %v", err)
	}
	if _, updates, _ := u.note.Snapshot(); len(updates) != 0 {
		t.Errorf("a refused decision updated the request: %+v", updates)
	}
}

func TestUnit_NoAnswerIsInterruptedNeverFailed(t *testing.T) {
	u := newUnit(t)
	u.claimable(u.pending(7, unitRenew))
	var moved string
	u.db.InterruptHeldFn = func(_ context.Context, _ int64, why string) error {
		moved = "interrupted: " + why
		return nil
	}
	u.db.FailHeldFn = func(context.Context, int64, string) error {
		t.Error("a call without an answer was recorded as failed")
		return nil
	}
	u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
		return nil, &gandi.TransportError{Method: "paas.renew", Err: errors.New("connection reset by peer")}
	}
	_, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7)
	if apperr.CodeOf(err) != apperr.EUNAVAILABLE || !strings.Contains(err.Error(), "cannot tell whether it ran") {
		t.Errorf("err = %v", err)
	}
	if moved != "interrupted: no answer from Gandi: it may have run" {
		t.Errorf("transition = %q", moved)
	}
}

func TestUnit_FollowRecordsEachStep(t *testing.T) {
	u := newUnit(t)
	u.claimable(u.pending(7, unitRenew))
	u.db.FinishHeldFn = func(context.Context, int64, json.RawMessage) error { return nil }
	var mu sync.Mutex
	var saved []progress
	u.db.ProgressHeldFn = func(_ context.Context, _ int64, raw json.RawMessage, _ bool) error {
		pr, err := decodeProgress(raw)
		if err != nil {
			t.Error(err)
			return err
		}
		mu.Lock()
		saved = append(saved, *pr)
		mu.Unlock()
		return nil
	}
	u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
		return []gandi.Operation{{ID: 1, Type: "paas_vm_renew", Step: gandi.StepBill}}, nil
	}
	u.ops.WaitFn = func(_ context.Context, id int, o gandi.WaitOptions) (*gandi.Operation, error) {
		o.OnProgress(gandi.Operation{ID: id, Type: "paas_vm_renew", Step: gandi.StepRun})
		return &gandi.Operation{ID: id, Type: "paas_vm_renew", Step: gandi.StepDone}, nil
	}
	if _, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7); err != nil {
		t.Fatal(err)
	}
	drain(u.e)
	mu.Lock()
	last := saved[len(saved)-1]
	mu.Unlock()
	if last.Outcome != outcomeDone || strings.Join(last.Ops[0].Trail, " → ") != "BILL → RUN → DONE" {
		t.Errorf("last progress = %+v", last)
	}
	if m := u.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: "ts.1"}); !strings.Contains(m.Text, "Done at") ||
		!strings.Contains(testutil.Text(m), "BILL → RUN → DONE") {
		t.Errorf("final message:\n%s", testutil.Text(m))
	}
}

func TestUnit_StartRecoversAndExpires(t *testing.T) {
	u := newUnit(t)
	expired := u.pending(3, unitRenew)
	expired.State = store.StateExpired
	left := u.pending(4, unitRenew)
	left.State, left.MessageID = store.StateInterrupted, "ts.2"
	again := u.pending(5, unitRenew)
	again.MessageID = "ts.3"
	sweeps := 0
	u.db.AcquireLeaseFn = func(_ context.Context, name string) (bool, error) { return name == sweepLease, nil }
	u.db.ReleaseLeaseFn = func(context.Context, string) error { return nil }
	u.db.HeartbeatFn = func(context.Context) (store.Renewed, error) { return store.Renewed{}, nil }
	u.db.DueRemindersFn = func(context.Context) ([]store.Approval, error) { return nil, nil }
	u.db.ExpireDueFn = func(context.Context, store.AuditLine) ([]store.Approval, error) {
		sweeps++
		if sweeps == 1 {
			return []store.Approval{*expired}, nil
		}
		return nil, nil
	}
	var ttl time.Duration
	u.db.RecoverFn = func(_ context.Context, o store.RecoverOptions) (store.Recovered, error) {
		if ttl != 0 {
			return store.Recovered{}, nil
		}
		ttl = o.ReofferTTL
		return store.Recovered{Interrupted: []store.Approval{*left}, Reoffered: []store.Approval{*again}}, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := u.e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if ttl != DefaultTTL {
		t.Errorf("requests offered again for %v, want the configured %v", ttl, DefaultTTL)
	}
	if m := u.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: "ts.1"}); !strings.Contains(m.Text, "Expired at") {
		t.Errorf("expired request shows %q", m.Text)
	}
	if m := u.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: "ts.2"}); !strings.Contains(m.Text, "Interrupted: paasbot cannot tell whether it ran") {
		t.Errorf("interrupted request shows %q", m.Text)
	}
	if m := u.note.LastUpdate(t, reply.Ref{Channel: apvChannel, ID: "ts.3"}); !strings.Contains(m.Text, "Offered again") || len(m.Buttons) == 0 {
		t.Errorf("request offered again shows %q", m.Text)
	}
}

// TestUnit_LeaseLost: a process that lost a request's lease (its own
// lapsed and another process recovered the request) never sends the
// call, never records its outcome over the other's, and stops following.
func TestUnit_LeaseLost(t *testing.T) {
	lost := &store.LeaseError{ID: 7, Want: store.StateExecuting, State: store.StatePending, Holder: ""}
	t.Run("BeforeSend", func(t *testing.T) {
		u := newUnit(t)
		u.claimable(u.pending(7, unitRenew))
		u.db.MarkSentFn = func(context.Context, int64) error { return lost }
		u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
			t.Error("the call was sent without the lease")
			return nil, nil
		}
		_, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7)
		if apperr.CodeOf(err) != apperr.ECONFLICT || !strings.Contains(err.Error(), "Nothing was sent to Gandi") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("AfterTheCall", func(t *testing.T) {
		u := newUnit(t)
		u.claimable(u.pending(7, unitRenew))
		noted := &store.LeaseError{ID: 7, Want: store.StateExecuting, State: store.StateInterrupted, Noted: true}
		u.db.FinishHeldFn = func(context.Context, int64, json.RawMessage) error { return noted }
		u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
			return []gandi.Operation{{ID: 1, Type: "paas_vm_renew", Step: gandi.StepBill}}, nil
		}
		u.ops.WaitFn = func(context.Context, int, gandi.WaitOptions) (*gandi.Operation, error) {
			t.Error("a request this process lost is followed")
			return nil, nil
		}
		_, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7)
		drain(u.e)
		if apperr.CodeOf(err) != apperr.ECONFLICT || !strings.Contains(err.Error(), "ran at Gandi") || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("WhileFollowing", func(t *testing.T) {
		u := newUnit(t)
		u.claimable(u.pending(7, unitRenew))
		u.db.FinishHeldFn = func(context.Context, int64, json.RawMessage) error { return nil }
		var mu sync.Mutex
		saves := 0
		u.db.ProgressHeldFn = func(context.Context, int64, json.RawMessage, bool) error {
			mu.Lock()
			defer mu.Unlock()
			saves++
			if saves == 1 { // the first progress, at execution
				return nil
			}
			return &store.LeaseError{ID: 7, Want: store.StateDone, State: store.StateDone, Holder: "other", Noted: true}
		}
		u.paas.RenewFn = func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error) {
			return []gandi.Operation{{ID: 1, Type: "paas_vm_renew", Step: gandi.StepBill}}, nil
		}
		u.ops.WaitFn = func(ctx context.Context, id int, o gandi.WaitOptions) (*gandi.Operation, error) {
			o.OnProgress(gandi.Operation{ID: id, Type: "paas_vm_renew", Step: gandi.StepRun})
			<-ctx.Done() // stopped by the lost lease
			return nil, ctx.Err()
		}
		if _, err := u.e.Approve(t.Context(), Actor{Team: apvTeam, User: apvRequester}, 7); err != nil {
			t.Fatal(err)
		}
		drain(u.e)
		if au := u.audit(); strings.Contains(au, "result paas.renew") {
			t.Errorf("a follow-up this process lost recorded a result:\n%s", au)
		}
	})
}
