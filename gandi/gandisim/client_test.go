package gandisim_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

// These tests drive the simulator through the real gandi client: the two
// were written apart, each with its own codec, so agreement here checks both.

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	sim   *gandisim.Server
	c     *gandi.Client
	clock *clock
	wait  gandi.WaitOptions
}

func newFixture(t *testing.T, instances int) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	sim, url := gandisim.NewTestServer(t, gandisim.Options{Now: clk.Now, Seed: 7})
	sim.SeedDemo(gandisim.DemoAPIKey, instances)
	return &fixture{
		sim: sim, clock: clk,
		c: gandi.NewClient(gandisim.DemoAPIKey, gandi.WithEndpoint(url), gandi.WithTimeout(10*time.Second)),
		// Waiting moves the simulator's clock instead of sleeping.
		wait: gandi.WaitOptions{Sleep: func(_ context.Context, d time.Duration) error { clk.Advance(d); return nil }},
	}
}

func (f *fixture) id(t *testing.T, name string) int {
	t.Helper()
	list, err := f.c.PaaS.List(context.Background(), &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{name}}})
	if err != nil || len(list) != 1 {
		t.Fatalf("instance %s: %v %v", name, list, err)
	}
	return list[0].ID
}

func TestClient_ReadMethods(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 30)
	v, err := f.c.Version.Info(ctx)
	if err != nil || v.APIVersion != "3.3.42" {
		t.Fatalf("version %+v %v", v, err)
	}
	total, err := f.c.PaaS.Count(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := gandi.ListPages(ctx, total, gandi.PageOptions{Size: 7, Concurrency: 3}, func(ctx context.Context, p gandi.Page) ([]gandi.Instance, error) {
		p.SortBy = "id"
		return f.c.PaaS.List(ctx, &gandi.PaasListOptions{Page: p})
	}, func(in gandi.Instance) int { return in.ID })
	if err != nil || len(all) != 30 {
		t.Fatalf("ListPages: %d instances, %v", len(all), err)
	}
	if all[0].Name != "shop-prod" || all[0].Size != gandi.SizeM || all[0].SnapshotProfile == nil || all[0].DateEnd == nil {
		t.Errorf("shop-prod %+v", all[0])
	}
	if all[1].SnapshotProfile != nil || all[1].DateEndCommitment != nil {
		t.Errorf("shop-staging: nil values must decode as nil: %+v", all[1])
	}
	n, err := f.c.PaaS.Count(ctx, &gandi.PaasCountOptions{State: gandi.StateRunning})
	if err != nil || n == 0 || n > 30 {
		t.Errorf("running count %d %v", n, err)
	}
	soon, err := f.c.PaaS.List(ctx, &gandi.PaasListOptions{
		PaasCountOptions: gandi.PaasCountOptions{DateEndBefore: gandi.DateFilter(f.clock.Now().AddDate(0, 0, 7))},
		Page:             gandi.Page{SortBy: "date_end", ItemsPerPage: 500},
	})
	if err != nil || len(soon) == 0 {
		t.Fatalf("expiring within 7 days: %v %v", soon, err)
	}
	for i, in := range soon {
		if in.DateEnd.After(f.clock.Now().AddDate(0, 0, 7)) || (i > 0 && in.DateEnd.Before(*soon[i-1].DateEnd)) {
			t.Errorf("item %d %s ends %v", i, in.Name, in.DateEnd)
		}
	}
	like, err := f.c.PaaS.List(ctx, &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{NameLike: gandi.Strings{"shop-%"}}})
	if err != nil || len(like) < 2 {
		t.Errorf("~name shop-%%: %v %v", like, err)
	}
	info, err := f.c.PaaS.Info(ctx, all[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if info.Datacenter == nil || info.Datacenter.ID != 1 || info.Owner == nil || info.Owner.Handle != "DEMO-GANDI" || len(info.Vhosts) != 2 {
		t.Errorf("info %+v", info)
	}
	if mb, ok := info.DatadiskTotalSizeMB(); !ok || mb < 10*1024 {
		t.Errorf("datadisk_total_size %q", info.DatadiskTotalSize)
	}
	vh, err := f.c.Vhosts.Info(ctx, "www.shop.example.com")
	if err != nil || vh.PaasID != all[0].ID {
		t.Errorf("vhost info %+v %v", vh, err)
	}
	nv, err := f.c.Vhosts.Count(ctx, &gandi.VhostListOptions{PaasID: all[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	vhs, err := gandi.ListPages(ctx, nv, gandi.PageOptions{Size: 1}, func(ctx context.Context, p gandi.Page) ([]gandi.Vhost, error) {
		return f.c.Vhosts.List(ctx, &gandi.VhostListOptions{PaasID: all[0].ID, Page: p})
	}, func(v gandi.Vhost) int { return v.ID })
	if err != nil || len(vhs) != 2 {
		t.Errorf("vhosts of shop-prod %v %v", vhs, err)
	}
	snaps, err := f.c.Snapshots.List(ctx, &gandi.SnapshotListOptions{PaasID: all[0].ID, Page: gandi.Page{SortBy: "date_created DESC"}})
	if err != nil || len(snaps) != 3 || snaps[0].Source == nil || snaps[0].DateCreated == nil {
		t.Fatalf("snapshots %+v %v", snaps, err)
	}
	one, err := f.c.Snapshots.Info(ctx, snaps[0].ID)
	if err != nil || one.Name != snaps[0].Name {
		t.Errorf("snapshot info %+v %v", one, err)
	}
	types, err := f.c.Types.List(ctx, &gandi.TypeListOptions{Category: gandi.Strings{"php"}, Page: gandi.Page{ItemsPerPage: 500}})
	if err != nil || len(types) == 0 || !slices.ContainsFunc(types, func(p gandi.PaasType) bool { return p.Name == "phpmysql" && p.Language == "PHP" }) {
		t.Errorf("php types %v %v", types, err)
	}
	prices, err := f.c.Catalog.List(ctx, gandi.CatalogListOptions{ProductType: "paas", ProductDescription: "phpmysql_m", ActionName: "renew", ActionDuration: "12m", Currency: "EUR"})
	if err != nil || len(prices) != 1 || len(prices[0].UnitPrice) == 0 || prices[0].UnitPrice[0].Price != 12.5 {
		t.Errorf("catalog %+v %v", prices, err)
	}
}

func TestClient_Errors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	_, err := f.c.PaaS.Info(ctx, 42)
	var fault *gandi.Fault
	if !errors.Is(err, gandi.ErrNotFound) || !errors.As(err, &fault) || fault.Code != gandisim.CodePaasNotFound {
		t.Errorf("unknown paas: %v", err)
	}
	bad := gandi.NewClient("wrongwrongwrongwrongwron", gandi.WithEndpoint(f.endpoint(t)))
	if _, err := bad.Version.Info(ctx); !errors.Is(err, gandi.ErrBadAPIKey) {
		t.Errorf("bad key: %v", err)
	}
	// A read is retried past one slow-down answer; a write is not.
	f.sim.SetFault(gandisim.FaultRule{Method: "paas.count", Code: gandisim.CodeTooMany, Times: 1})
	if _, err := f.c.PaaS.Count(ctx, nil); err != nil {
		t.Errorf("count after one TOOMANY: %v", err)
	}
	f.sim.SetFault(gandisim.FaultRule{HTTPStatus: 503, RetryAfter: "0", Times: 1})
	if _, err := f.c.PaaS.Count(ctx, nil); err != nil {
		t.Errorf("count after one HTTP 503: %v", err)
	}
	id := f.id(t, "shop-prod")
	f.sim.SetFault(gandisim.FaultRule{Method: "paas.restart", HTTPStatus: 429, RetryAfter: "30", Times: 1})
	var rl *gandi.RateLimitError
	if _, err := f.c.PaaS.Restart(ctx, id); !errors.As(err, &rl) || rl.Attempts != 1 || rl.RetryAfter != 30*time.Second {
		t.Errorf("restart answered 429: %v, want a *RateLimitError after 1 attempt, 30 s", err)
	}
	f.sim.SetFault(gandisim.FaultRule{Method: "paas.restart", Code: gandisim.CodeTooMany, Times: 1})
	if _, err := f.c.PaaS.Restart(ctx, id); !errors.Is(err, gandi.ErrTooManyRequests) || f.sim.Calls("paas.restart") != 0 {
		t.Errorf("restart answered TOOMANY: %v after %d restarts", err, f.sim.Calls("paas.restart"))
	}
	if _, err := f.c.PaaS.Renew(ctx, id, gandi.RenewOptions{Duration: "13x"}); !errors.Is(err, gandi.ErrBadParameter) {
		t.Errorf("bad duration: %v", err)
	}
	f.sim.SetCredit(gandisim.DemoAPIKey, 1)
	if _, err := f.c.PaaS.Renew(ctx, id, gandi.RenewOptions{Duration: "1m"}); !errors.Is(err, gandi.ErrNoCredit) {
		t.Errorf("no credit: %v", err)
	}
}

func (f *fixture) endpoint(t *testing.T) string {
	t.Helper()
	// A second server sharing nothing: only for the bad-key check.
	_, url := gandisim.NewTestServer(t, gandisim.Options{})
	return url
}

func TestClient_CreateFollowUpdateRenewDelete(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	params := gandi.PaasCreateParams{Name: "blog2", Size: gandi.SizeS, Type: "phpmysql", DatacenterID: 1,
		Duration: "1m", Password: "correct horse battery", Vhosts: []string{"blog.example.com"}}
	dry, err := f.c.PaaS.CreateDryRun(ctx, params)
	if err != nil || len(dry) != 1 {
		t.Fatalf("dry run %v %v", dry, err)
	}
	rec, ok := dry[0].MissingTXT()
	if !ok || rec.Vhost != "blog.example.com" {
		t.Fatalf("MissingTXT %+v %v", rec, ok)
	}
	dns, err := f.c.Vhosts.DNSEntries(ctx, gandi.DNSEntriesParams{Datacenter: 1, Vhost: "blog.example.com"})
	if err != nil || "vhost="+dns.Key != rec.Value {
		t.Errorf("get_dns_entries %+v %v, dry run asked for %q", dns, err, rec.Value)
	}
	if _, err := f.c.PaaS.Create(ctx, params); !errors.Is(err, gandi.ErrBadParameter) {
		t.Fatalf("create without proof: %v", err)
	}
	f.sim.ProveDomain("example.com")
	if dry, err := f.c.PaaS.CreateDryRun(ctx, params); err != nil || len(dry) != 0 {
		t.Fatalf("dry run after proof %v %v", dry, err)
	}
	ops, err := f.c.PaaS.Create(ctx, params)
	if err != nil || len(ops) != 3 || ops[0].Type != "paas_vm_create" || ops[2].Type != "rproxy_create" {
		t.Fatalf("create %+v %v", ops, err)
	}
	var steps []gandi.Step
	w := f.wait
	w.OnProgress = func(o gandi.Operation) { steps = append(steps, o.Step) }
	for _, op := range ops {
		final, err := f.c.Operations.Wait(ctx, op.ID, w)
		if err != nil || final.Step != gandi.StepDone {
			t.Fatalf("wait %d: %+v %v", op.ID, final, err)
		}
	}
	if len(steps) < 2 || steps[len(steps)-1] != gandi.StepDone {
		t.Errorf("progress %v", steps)
	}
	id := ops[0].PaasID
	info, err := f.c.PaaS.Info(ctx, id)
	if err != nil || info.State != gandi.StateRunning || len(info.Vhosts) != 1 {
		t.Fatalf("after create %+v %v", info, err)
	}

	up, err := f.c.PaaS.Update(ctx, id, gandi.PaasUpdateParams{Size: gandi.SizeL, SnapshotProfile: gandi.IntValue(7)})
	if err != nil || len(up) != 2 {
		t.Fatalf("update %+v %v", up, err)
	}
	if _, err := f.c.Operations.Wait(ctx, up[len(up)-1].ID, f.wait); err != nil {
		t.Fatal(err)
	}
	before := *info.DateEnd
	f.sim.ResetCalls()
	ren, err := f.c.PaaS.Renew(ctx, id, gandi.RenewOptions{Duration: "12m", Fixed: true})
	if err != nil || len(ren) != 2 {
		t.Fatalf("renew %+v %v", ren, err)
	}
	if n := f.sim.Calls("paas.renew"); n != 1 {
		t.Errorf("Calls(paas.renew) = %d, want exactly 1", n)
	}
	if _, err := f.c.Operations.Wait(ctx, ren[1].ID, f.wait); err != nil {
		t.Fatal(err)
	}
	info, err = f.c.PaaS.Info(ctx, id)
	if err != nil || info.Size != gandi.SizeL || info.SnapshotProfile == nil || info.SnapshotProfile.ID != 7 ||
		!info.DateEnd.Equal(before.AddDate(0, 12, 0)) || info.DateEndCommitment == nil {
		t.Errorf("after update and renew %+v %v", info, err)
	}

	f.sim.FailNextOperations("paas.restart", "hypervisor unreachable")
	op, err := f.c.PaaS.Restart(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.c.Operations.Wait(ctx, op.ID, f.wait)
	var opErr *gandi.OperationError
	if !errors.Is(err, gandi.ErrOperationFailed) || !errors.As(err, &opErr) {
		t.Errorf("failed restart: %v", err)
	}

	del, err := f.c.PaaS.Delete(ctx, id)
	if err != nil || len(del) != 2 || del[0].Type != "paas_vm_delete" {
		t.Fatalf("delete %+v %v", del, err)
	}
	if _, err := f.c.PaaS.Restart(ctx, id); !errors.Is(err, gandi.ErrBadState) {
		t.Errorf("restart while being deleted: %v", err)
	}
	if _, err := f.c.Operations.Wait(ctx, del[1].ID, f.wait); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.PaaS.Info(ctx, id); !errors.Is(err, gandi.ErrNotFound) {
		t.Errorf("info after delete: %v", err)
	}
}

func TestClient_VhostCreateDelete(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	id := f.id(t, "shop-staging")
	p := gandi.VhostCreateParams{PaasID: id, Vhost: "api.shop.example.com"}
	dry, err := f.c.Vhosts.CreateDryRun(ctx, p)
	if err != nil || len(dry) != 1 {
		t.Fatalf("vhost dry run %v %v", dry, err)
	}
	if _, ok := dry[0].MissingTXT(); !ok {
		t.Errorf("dry run %+v is not a missing TXT", dry[0])
	}
	f.sim.AddZone(gandisim.DemoAPIKey, "shop.example.com")
	op, err := f.c.Vhosts.Create(ctx, p)
	if err != nil || op.Type != "rproxy_update" {
		t.Fatalf("vhost create %+v %v", op, err)
	}
	if _, err := f.c.Operations.Wait(ctx, op.ID, f.wait); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Vhosts.Create(ctx, p); !errors.Is(err, gandi.ErrExists) {
		t.Errorf("second create: %v", err)
	}
	op, err = f.c.Vhosts.Delete(ctx, "api.shop.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Operations.Wait(ctx, op.ID, f.wait); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.Vhosts.Info(ctx, "api.shop.example.com"); !errors.Is(err, gandi.ErrNotFound) {
		t.Errorf("info after delete: %v", err)
	}
}

// TestClient_ReferenceData: the datacenters and snapshot profiles the
// create form offers are the ones the demo instances use.
func TestClient_ReferenceData(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t, 30)
	dcs, err := f.c.Datacenters.List(ctx, nil)
	if err != nil || len(dcs) == 0 {
		t.Fatalf("datacenters %v %v", dcs, err)
	}
	byID := map[int]gandi.Datacenter{}
	for _, dc := range dcs {
		if dc.ISO == "" || dc.DCCode == "" || dc.Name == "" || dc.Country == "" {
			t.Errorf("datacenter %+v lacks a field", dc)
		}
		byID[dc.ID] = dc
	}
	profiles, err := f.c.SnapshotProfiles.List(ctx, nil)
	if err != nil || len(profiles) == 0 {
		t.Fatalf("snapshot profiles %v %v", profiles, err)
	}
	profileIDs := map[int]bool{}
	for _, p := range profiles {
		profileIDs[p.ID] = p.Name != "" && len(p.Schedules) > 0
	}
	insts, err := f.c.PaaS.List(ctx, &gandi.PaasListOptions{Page: gandi.Page{ItemsPerPage: 500}})
	if err != nil || len(insts) != 30 {
		t.Fatalf("instances %d %v", len(insts), err)
	}
	for _, in := range insts {
		if _, ok := byID[in.DatacenterID]; !ok {
			t.Errorf("%s is in datacenter %d, which hosting.datacenter.list does not name", in.Name, in.DatacenterID)
		}
		if in.SnapshotProfile != nil && !profileIDs[in.SnapshotProfile.ID] {
			t.Errorf("%s has snapshot profile %d, which paas.snapshotprofile.list does not name", in.Name, in.SnapshotProfile.ID)
		}
	}
	info, err := f.c.PaaS.Info(ctx, insts[0].ID)
	if err != nil || info.Datacenter == nil || *info.Datacenter != byID[insts[0].DatacenterID] {
		t.Errorf("paas.info's datacenter %+v, want the list's %+v (%v)", info.Datacenter, byID[insts[0].DatacenterID], err)
	}
	fr, err := f.c.Datacenters.List(ctx, &gandi.DatacenterListOptions{ISO: "FR"})
	if err != nil || len(fr) == 0 || len(fr) == len(dcs) {
		t.Errorf("French datacenters %v %v", fr, err)
	}
	for _, dc := range fr {
		if dc.ISO != "FR" {
			t.Errorf("iso=FR answered %+v", dc)
		}
	}
}

// TestClient_OperationsOfAnInstance is what `/paas operations shop-prod`
// asks: the instance's operations only, newest first, paged and counted.
func TestClient_OperationsOfAnInstance(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t, 3)
	prod, staging := f.id(t, "shop-prod"), f.id(t, "shop-staging")
	if _, err := f.c.PaaS.Restart(ctx, prod); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.c.PaaS.Restart(ctx, staging); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.c.PaaS.Renew(ctx, prod, gandi.RenewOptions{Duration: "1m"}); err != nil {
		t.Fatal(err)
	}
	opts := &gandi.OperationListOptions{PaasID: gandi.Ints{prod}}
	n, err := f.c.Operations.Count(ctx, opts)
	if err != nil || n != 3 {
		t.Fatalf("count %d %v, want shop-prod's restart and its two renewal operations", n, err)
	}
	var seen []gandi.Operation
	for page := 0; ; page++ {
		o := *opts
		o.Page = gandi.Page{SortBy: "date_created DESC", ItemsPerPage: 2, Page: page}
		ops, err := f.c.Operations.List(ctx, &o)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ops...)
		if len(ops) < 2 {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("%d operations over the pages, want 3", len(seen))
	}
	for i, op := range seen {
		if op.PaasID != prod || op.DateCreated == nil {
			t.Errorf("operation %+v is not shop-prod's", op)
		}
		if i > 0 && op.DateCreated.After(*seen[i-1].DateCreated) {
			t.Errorf("operation %d is newer than the one before: not newest first", i)
		}
	}
	if seen[2].Type != "paas_restart" || seen[0].Type == "paas_restart" {
		t.Errorf("order %s %s %s, want the renewal first and the restart last", seen[0].Type, seen[1].Type, seen[2].Type)
	}
	done, err := f.c.Operations.List(ctx, &gandi.OperationListOptions{PaasID: gandi.Ints{prod}, Step: gandi.Strings{"DONE"}})
	if err != nil || len(done) != 1 || done[0].Type != "paas_restart" {
		t.Errorf("shop-prod's finished operations %+v %v", done, err)
	}
}
