package commands

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/gandimock"
	"github.com/paasbot/paasbot/internal/storemock"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// The handlers' unit tests: no HTTP, no SQLite. Gandi and the store are
// function-field fakes, and the approvals engine is fakeApprovals.

// fakeApprovals is a function-field fake of the approvals engine.
type fakeApprovals struct {
	ProposeFn    func(ctx context.Context, by approvals.Actor, key secret.Value, p approvals.Plan) (reply.Message, error)
	DecideFn     func(ctx context.Context, verb string, by approvals.Actor, id int64) (reply.Message, error)
	PendingFn    func(ctx context.Context, by approvals.Actor) (reply.Message, error)
	PendingForFn func(ctx context.Context, by approvals.Actor) ([]approvals.PendingItem, error)
	IsApproverFn func(user string) bool
}

func (f *fakeApprovals) Propose(ctx context.Context, by approvals.Actor, key secret.Value, p approvals.Plan) (reply.Message, error) {
	return f.ProposeFn(ctx, by, key, p)
}
func (f *fakeApprovals) Approve(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error) {
	return f.DecideFn(ctx, "approve", by, id)
}
func (f *fakeApprovals) Deny(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error) {
	return f.DecideFn(ctx, "deny", by, id)
}
func (f *fakeApprovals) Cancel(ctx context.Context, by approvals.Actor, id int64) (reply.Message, error) {
	return f.DecideFn(ctx, "cancel", by, id)
}
func (f *fakeApprovals) Pending(ctx context.Context, by approvals.Actor) (reply.Message, error) {
	return f.PendingFn(ctx, by)
}
func (f *fakeApprovals) PendingFor(ctx context.Context, by approvals.Actor) ([]approvals.PendingItem, error) {
	return f.PendingForFn(ctx, by)
}
func (f *fakeApprovals) IsApprover(user string) bool {
	return f.IsApproverFn != nil && f.IsApproverFn(user)
}

// unitEnv is a core on fakes. Alice has unitKey; every key read and every
// key given to Gandi is counted.
type unitEnv struct {
	core *Core
	db   *storemock.DB
	paas *gandimock.PaaS
	vh   *gandimock.Vhosts
	apv  *fakeApprovals

	mu       sync.Mutex
	keyReads int
	keys     []secret.Value
}

const unitKey = secret.Value("alice-key-00000000000001")

func newUnitEnv(t *testing.T) *unitEnv {
	t.Helper()
	u := &unitEnv{db: &storemock.DB{}, paas: &gandimock.PaaS{}, vh: &gandimock.Vhosts{}, apv: &fakeApprovals{}}
	u.db.APIKeyFn = func(_ context.Context, id store.Identity) (secret.Value, store.KeyMeta, error) {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.keyReads++
		if id == (store.Identity{Team: testTeam, User: alice}) {
			return unitKey, store.KeyMeta{Fingerprint: "abcd1234"}, nil
		}
		return "", store.KeyMeta{}, store.ErrNotFound
	}
	var err error
	u.core, err = New(Config{Store: u.db, Approvals: u.apv, Now: func() time.Time { return testNow },
		Gandi: func(k secret.Value) Gandi {
			u.mu.Lock()
			u.keys = append(u.keys, k)
			u.mu.Unlock()
			return Gandi{PaaS: u.paas, Vhosts: u.vh, Snapshots: &gandimock.Snapshots{}, Types: &gandimock.Types{}, Version: &gandimock.Version{}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *unitEnv) run(text string) reply.Message {
	return u.core.Handle(context.Background(), Request{Team: testTeam, User: alice, Channel: "C1", Text: text})
}

func instances(n, from int) []gandi.Instance {
	end := testNow.AddDate(0, 0, 10)
	out := make([]gandi.Instance, n)
	for i := range out {
		out[i] = gandi.Instance{ID: from + i, Name: "site-" + string(rune('a'+i%26)), State: gandi.StateRunning, Size: "s", Type: "phpmysql", DateEnd: &end}
	}
	return out
}

func TestUnit_ListPagesAndOffersMore(t *testing.T) {
	u := newUnitEnv(t)
	u.paas.CountFn = func(_ context.Context, o *gandi.PaasCountOptions) (int, error) {
		if o.State != gandi.StateRunning {
			t.Errorf("count filter = %+v", o)
		}
		return 140, nil
	}
	u.paas.ListFn = func(_ context.Context, o *gandi.PaasListOptions) ([]gandi.Instance, error) {
		if o.State != gandi.StateRunning || o.Page.ItemsPerPage != DefaultPageSize || o.Page.Page != 1 || o.Page.SortBy != "date_end DESC" {
			t.Errorf("list options = %+v", o)
		}
		return instances(DefaultPageSize, 100), nil
	}
	m := u.run("list state=running page=2 sort=-date_end --share")
	wantOK(t, m, "showing 26–50 of 140", "in 10 days", "⚠", "[Next page UALICE|s|list state=running sort=-date_end page=3 list state=running sort=-date_end page=3]", "[Previous page UALICE|s|list state=running sort=-date_end page=1")
	if m.Visibility != reply.Shared || len(m.Table.Rows) != DefaultPageSize {
		t.Errorf("visibility %v, %d rows", m.Visibility, len(m.Table.Rows))
	}
}

func TestUnit_InfoByNameCostsTwoCalls(t *testing.T) {
	u := newUnitEnv(t)
	calls := 0
	u.paas.ListFn = func(_ context.Context, o *gandi.PaasListOptions) ([]gandi.Instance, error) {
		calls++
		if len(o.Name) != 1 || o.Name[0] != "shop-prod" {
			t.Errorf("resolved with %+v", o)
		}
		return []gandi.Instance{{ID: 42, Name: "shop-prod"}}, nil
	}
	u.paas.InfoFn = func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		calls++
		return &gandi.InstanceInfo{ID: id, Name: "shop-prod", State: "running", Size: "m", FTPServer: "sftp.dc0.gpaas.net", User: 1234}, nil
	}
	wantOK(t, u.run("info shop-prod"), "shop-prod (#42)", "SFTP: 1234@sftp.dc0.gpaas.net", "no snapshot profile ⚠")
	if calls != 2 {
		t.Errorf("%d Gandi calls, want 2", calls)
	}
}

func TestUnit_UnknownNameSuggests(t *testing.T) {
	u := newUnitEnv(t)
	u.paas.ListFn = func(_ context.Context, o *gandi.PaasListOptions) ([]gandi.Instance, error) {
		if len(o.Name) == 1 {
			return nil, nil // no exact match
		}
		return []gandi.Instance{{ID: 1, Name: "shop-prod"}, {ID: 2, Name: "shop-staging"}}, nil
	}
	wantErr(t, u.run("info shop-prdo"), `No instance named "shop-prdo"`, "Did you mean `shop-prod`?")
}

func TestUnit_GandiFaultIsASentence(t *testing.T) {
	u := newUnitEnv(t)
	u.paas.CountFn = func(context.Context, *gandi.PaasCountOptions) (int, error) {
		return 0, &gandi.Fault{Code: 510150, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"}
	}
	wantErr(t, u.run("count"), "Your API key was refused: run `/paas login` again.")
	u.paas.CountFn = func(context.Context, *gandi.PaasCountOptions) (int, error) { return 0, errors.New("a bug") }
	wantErr(t, u.run("count"), "internal error (ref ")
}

// TestUnit_PaidCommandHandsThePlanOver: the renew handler resolves the
// instance and hands the engine its plan with the key it read, once.
func TestUnit_PaidCommandHandsThePlanOver(t *testing.T) {
	u := newUnitEnv(t)
	u.paas.InfoFn = func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		return &gandi.InstanceInfo{ID: id, Name: "shop-prod"}, nil
	}
	var got approvals.Plan
	var by approvals.Actor
	u.apv.ProposeFn = func(_ context.Context, a approvals.Actor, key secret.Value, p approvals.Plan) (reply.Message, error) {
		if key != unitKey {
			t.Error("the plan was proposed with another key than the caller's")
		}
		got, by = p, a
		return reply.Message{Text: "posted"}, nil
	}
	wantOK(t, u.run("renew 42 duration=1y fixed"), "posted")
	if got.Action != approvals.ActionRenew || got.InstanceID != 42 || got.Target != "shop-prod (#42)" ||
		got.Renew == nil || *got.Renew != (gandi.RenewOptions{Duration: "12m", Fixed: true}) {
		t.Errorf("plan = %+v", got)
	}
	if by != (approvals.Actor{Team: testTeam, User: alice, Channel: "C1"}) {
		t.Errorf("proposed by %+v", by)
	}
	if u.keyReads != 1 || len(u.keys) != 1 {
		t.Errorf("the key was read %d times and given to Gandi %d times, want once each", u.keyReads, len(u.keys))
	}
}

// TestUnit_DecisionsGoToTheEngine: a click and a typed command decide as
// the person who clicked or typed, and need no key.
func TestUnit_DecisionsGoToTheEngine(t *testing.T) {
	u := newUnitEnv(t)
	var got []string
	u.apv.DecideFn = func(_ context.Context, verb string, by approvals.Actor, id int64) (reply.Message, error) {
		got = append(got, verb+" "+by.User+" "+strings.Repeat("#", int(id)))
		return reply.Message{Text: "ok"}, nil
	}
	u.core.Click(context.Background(), Click{Team: testTeam, User: "UEVE", Action: "approval.deny", Value: "3"})
	u.core.Click(context.Background(), Click{Team: testTeam, User: "UEVE", Action: "approval.approve", Value: "2"})
	u.core.Handle(context.Background(), Request{Team: testTeam, User: "USAM", Text: "cancel 1"})
	if strings.Join(got, ", ") != "deny UEVE ###, approve UEVE ##, cancel USAM #" {
		t.Errorf("decisions = %v", got)
	}
	if u.keyReads != 0 {
		t.Errorf("deciding read %d keys", u.keyReads)
	}
	wantErr(t, u.core.Click(context.Background(), Click{Team: testTeam, User: "UEVE", Action: "approval.approve", Value: "x"}), "no approval id")
}

func TestUnit_WhoamiShowsTheRole(t *testing.T) {
	u := newUnitEnv(t)
	u.apv.IsApproverFn = func(user string) bool { return user == alice }
	u.core.cfg.Gandi = func(secret.Value) Gandi {
		return Gandi{Version: &gandimock.Version{InfoFn: func(context.Context) (*gandi.VersionInfo, error) {
			return &gandi.VersionInfo{APIVersion: "3.3.42"}, nil
		}}}
	}
	m := u.run("whoami")
	if text := testutil.Text(m); !strings.Contains(text, "fingerprint abcd1234") || !strings.Contains(text, "key accepted, API 3.3.42") ||
		!strings.Contains(text, "Role: approver") {
		t.Errorf("whoami:\n%s", text)
	}
}
