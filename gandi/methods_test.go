package gandi

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func parisTime(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, paris())
}

func wantDate(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %v", what, want)
		return
	}
	if !got.Equal(want) || got.Location().String() != "Europe/Paris" {
		t.Errorf("%s = %v (%s), want %v in Europe/Paris", what, got, got.Location(), want)
	}
}

// TestMethods calls every method against a real HTTP server and checks the
// method name, the API key as first param, the exact params, and the
// decoding of an answer shaped like the usage guide's.
func TestMethods(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		do      func(context.Context, *Client) (any, error)
		method  string
		params  []any // after the API key
		check   func(t *testing.T, got any)
	}{
		{
			name: "paas.count without opts", fixture: "count.xml", method: "paas.count", params: nil,
			do: func(ctx context.Context, c *Client) (any, error) { return c.PaaS.Count(ctx, nil) },
			check: func(t *testing.T, got any) {
				if got.(int) != 1 {
					t.Errorf("count = %v, want 1", got)
				}
			},
		},
		{
			name: "paas.count with every filter kind", fixture: "count.xml", method: "paas.count",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.Count(ctx, &PaasCountOptions{
					DataDiskAdditionalSizeLT: ptr(10), DateEndBefore: "2026-12-31 00:00:00",
					DataDiskAdditionalSizeGT: ptr(0), DateEndAfter: "2026-01-01 00:00:00",
					Contact: Strings{"XX-GANDI"}, DataDiskAdditionalSize: ptr(0),
					DatacenterID: Ints{1, 3}, DateEnd: "2026-06-01", DateStart: "2025-06-01",
					ID: Ints{7}, Name: Strings{"a", "b"}, Size: Strings{"s"}, State: StateRunning,
					Type: Strings{"phpmysql"}, Vhost: Strings{"a.fr", "b.fr"},
					NameLike: Strings{"shop%"}, VhostLike: Strings{"%.fr"},
				})
			},
			params: []any{map[string]any{
				"<data_disk_additional_size": 10, "<date_end": "2026-12-31 00:00:00",
				">data_disk_additional_size": 0, ">date_end": "2026-01-01 00:00:00",
				"contact": "XX-GANDI", "data_disk_additional_size": 0,
				"datacenter_id": []any{1, 3}, "date_end": "2026-06-01", "date_start": "2025-06-01",
				"id": 7, "name": []any{"a", "b"}, "size": "s", "state": "running",
				"type": "phpmysql", "vhost": []any{"a.fr", "b.fr"},
				"~name": "shop%", "~vhost": "%.fr",
			}},
		},
		{
			name: "paas.list sample of the usage guide", fixture: "paas_list.xml", method: "paas.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.List(ctx, &PaasListOptions{
					PaasCountOptions: PaasCountOptions{Size: Strings{"s"}},
					Page:             Page{ItemsPerPage: 50, Page: 2, SortBy: "date_end DESC"},
				})
			},
			params: []any{map[string]any{"size": "s", "items_per_page": 50, "page": 2, "sort_by": "date_end DESC"}},
			check: func(t *testing.T, got any) {
				l := got.([]Instance)
				if len(l) != 2 {
					t.Fatalf("%d instances, want 2", len(l))
				}
				i := l[0]
				if i.ID != 1 || i.Name != "Mon PaaS" || i.CatalogName != "phpmysql_m" || i.Size != SizeM ||
					i.State != StateRunning || i.Type != "phpmysql" || !i.NeedUpgrade || i.DatacenterID != 1 ||
					i.EntityID != "aa1b2c3d" || i.Console != "console.sd3.gpaas.net" {
					t.Errorf("instance 0 = %+v", i)
				}
				wantDate(t, "date_end", i.DateEnd, parisTime(2011, 10, 14, 14, 36, 30))
				wantDate(t, "date_start", i.DateStart, parisTime(2011, 9, 14, 14, 36, 30))
				if i.DateEndCommitment != nil || i.SnapshotProfile != nil {
					t.Errorf("<nil/> decoded as %v, %v; want nil pointers", i.DateEndCommitment, i.SnapshotProfile)
				}
				if !reflect.DeepEqual(i.Servers, []MinimalServer{{ID: 1}}) {
					t.Errorf("servers = %+v", i.Servers)
				}
				j := l[1]
				if j.Size != SizeSPlus || j.SnapshotProfile == nil || !reflect.DeepEqual(*j.SnapshotProfile, SnapshotProfile{ID: 7, Name: "daily"}) {
					t.Errorf("instance 1 = %+v", j)
				}
				wantDate(t, "date_end_commitment", j.DateEndCommitment, parisTime(2027, 12, 31, 23, 59, 59))
			},
		},
		{
			name: "paas.info sample with FACTS fields", fixture: "paas_info.xml", method: "paas.info", params: []any{1},
			do: func(ctx context.Context, c *Client) (any, error) { return c.PaaS.Info(ctx, 1) },
			check: func(t *testing.T, got any) {
				i := got.(*InstanceInfo)
				if i.Autorenew != nil {
					t.Errorf("autorenew = %+v, want nil", i.Autorenew)
				}
				if i.Datacenter == nil || *i.Datacenter != (Datacenter{ID: 1, ISO: "FR", DCCode: "FR-SD3", Name: "eqx pa2", Country: "France"}) {
					t.Errorf("datacenter = %+v", i.Datacenter)
				}
				if i.Owner == nil || *i.Owner != (Owner{Handle: "XXX-GANDI", ID: 1}) {
					t.Errorf("owner = %+v", i.Owner)
				}
				if mb, ok := i.DatadiskTotalSizeMB(); !ok || mb != 10240 || i.DatadiskTotalSize != "10240" {
					t.Errorf("datadisk_total_size = %q (%v, %v)", i.DatadiskTotalSize, mb, ok)
				}
				if i.FTPServer != "10.0.0.10" || i.GitServer != "git.sd3.gpaas.net" || i.User != 2316 || i.Console == "" {
					t.Errorf("servers/user = %q %q %d %q", i.FTPServer, i.GitServer, i.User, i.Console)
				}
				if i.ConsoleInfo == nil || !i.ConsoleInfo.Enabled {
					t.Fatalf("console_info = %+v", i.ConsoleInfo)
				}
				wantDate(t, "console_info.date_end", i.ConsoleInfo.DateEnd, parisTime(2011, 10, 15, 10, 0, 0))
				if len(i.Servers) != 1 || i.Servers[0].UUID != 1 || len(i.Servers[0].GraphURLs["vcpu"]) != 1 {
					t.Errorf("servers = %+v", i.Servers)
				}
				sp := i.SnapshotProfile
				if sp == nil || sp.KeptTotal != 3 || sp.QuotaFactor != 1.2 ||
					!reflect.DeepEqual(sp.Schedules, []SnapshotSchedule{{Name: "daily", KeptVersion: 3}}) {
					t.Errorf("snapshot_profile = %+v", sp)
				}
				if len(i.Vhosts) != 1 || i.Vhosts[0].Name != "vhost.test.fr" || i.Vhosts[0].State != "running" {
					t.Fatalf("vhosts = %+v", i.Vhosts)
				}
				wantDate(t, "vhosts[0].date_creation", i.Vhosts[0].DateCreation, parisTime(2011, 9, 14, 14, 36, 30))
			},
		},
		{
			name: "paas.create sends mandatory and set keys only", fixture: "paas_create.xml", method: "paas.create",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.Create(ctx, PaasCreateParams{
					Name: "My PaaS", Size: SizeM, Type: "phpmysql", DatacenterID: 1,
					Vhosts: []string{"vhost.test.fr"}, Duration: "3m", Password: "xxxxxxxxxx",
					Keys: []int{4}, SSHKey: Strings{"ssh-ed25519 AAAA", "ssh-rsa BBBB"}, SnapshotProfile: ptr(7),
					Fixed: true, ZoneAlter: true,
				})
			},
			params: []any{map[string]any{
				"datacenter_id": 1, "duration": "3m", "name": "My PaaS", "password": "xxxxxxxxxx",
				"size": "m", "type": "phpmysql", "fixed": true, "keys": []any{4},
				"snapshot_profile": 7, "ssh_key": []any{"ssh-ed25519 AAAA", "ssh-rsa BBBB"},
				"vhosts": []any{"vhost.test.fr"}, "zone_alter": true,
			}},
			check: func(t *testing.T, got any) {
				ops := got.([]Operation)
				if len(ops) != 3 || ops[0].Type != "paas_vm_create" || ops[1].Type != "paas_disk_create" || ops[2].Type != "rproxy_create" {
					t.Fatalf("ops = %+v", ops)
				}
				o := ops[0]
				if o.ID != 101 || o.Step != StepBill || o.ETA != 60 || o.PaasID != 1 || o.DateStart != nil ||
					o.Infos == nil || o.Infos.ProductName != "phpmysql_m" || o.Params["size"] != "m" {
					t.Errorf("op = %+v", o)
				}
				wantDate(t, "date_updated", o.DateUpdated, parisTime(2011, 10, 14, 14, 37, 0))
			},
		},
		{
			name: "paas.create dry run", fixture: "dryrun_txt.xml", method: "paas.create",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.CreateDryRun(ctx, PaasCreateParams{Name: "My PaaS", Size: SizeM, Type: "phpmysql",
					DatacenterID: 1, Vhosts: []string{"vhost.test.fr"}, Quantity: 5, Duration: "3m", Password: "x"})
			},
			params: []any{map[string]any{
				"datacenter_id": 1, "duration": "3m", "name": "My PaaS", "password": "x", "size": "m",
				"type": "phpmysql", "quantity": 5, "vhosts": []any{"vhost.test.fr"}, "--dry-run": true,
			}},
			check: func(t *testing.T, got any) {
				v := got.([]ValidationError)
				want := []ValidationError{{Attr: []string{"vhost.test.fr", "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b"},
					Error: "EC_TXT+EC_MISSINGMANDATORY", Field: "vhosts", Reason: "You must put a TXT value in your zone"}}
				if !reflect.DeepEqual(v, want) {
					t.Errorf("got %+v\nwant %+v", v, want)
				}
			},
		},
		{
			name: "paas.update", fixture: "paas_update.xml", method: "paas.update",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.Update(ctx, 12, PaasUpdateParams{Size: SizeXL, Console: ptr(false), Quantity: ptr(0),
					SnapshotProfile: StringValue(""), Name: "n", Upgrade: true, ResetMySQLPassword: true,
					Keys: []int{1, 2}, SSHKey: Strings{"ssh-ed25519 A"}, Password: "p"})
			},
			params: []any{12, map[string]any{"size": "xl", "console": false, "quantity": 0, "snapshot_profile": "",
				"name": "n", "upgrade": true, "reset_mysql_password": true, "keys": []any{1, 2},
				"ssh_key": "ssh-ed25519 A", "password": "p"}},
			check: func(t *testing.T, got any) {
				if ops := got.([]Operation); len(ops) != 1 || ops[0].Type != "paas_vm_update" {
					t.Errorf("ops = %+v", ops)
				}
			},
		},
		{
			name: "paas.renew sends fixed even when false", fixture: "paas_renew.xml", method: "paas.renew",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.PaaS.Renew(ctx, 12, RenewOptions{Duration: "12m"})
			},
			params: []any{12, map[string]any{"duration": "12m", "fixed": false}},
			check: func(t *testing.T, got any) {
				if ops := got.([]Operation); len(ops) != 2 || ops[1].Type != "paas_disk_renew" {
					t.Errorf("ops = %+v", ops)
				}
			},
		},
		{
			name: "paas.restart", fixture: "operation.xml", method: "paas.restart", params: []any{12},
			do: func(ctx context.Context, c *Client) (any, error) { return c.PaaS.Restart(ctx, 12) },
			check: func(t *testing.T, got any) {
				if o := got.(*Operation); o.Type != "paas_restart" || o.Step != StepRun {
					t.Errorf("op = %+v", o)
				}
			},
		},
		{
			name: "paas.delete answering one struct", fixture: "paas_delete.xml", method: "paas.delete", params: []any{12},
			do: func(ctx context.Context, c *Client) (any, error) { return c.PaaS.Delete(ctx, 12) },
			check: func(t *testing.T, got any) {
				if ops := got.([]Operation); len(ops) != 1 || ops[0].Type != "paas_vm_delete" || ops[0].ID != 401 {
					t.Errorf("ops = %+v", ops)
				}
			},
		},
		{
			name: "paas.vhost.count", fixture: "count.xml", method: "paas.vhost.count",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Vhosts.Count(ctx, &VhostListOptions{PaasID: 1, State: StateRunning})
			},
			params: []any{map[string]any{"paas_id": 1, "state": "running"}},
		},
		{
			name: "paas.vhost.list with every key", fixture: "vhost_list.xml", method: "paas.vhost.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Vhosts.List(ctx, &VhostListOptions{DateCreationBefore: "2026-01-01", DateCreationAfter: "2025-01-01",
					DateCreation: "2025-06-01", ID: Ints{1, 2}, Name: "a.fr", PaasID: 3, State: StateLocked, NameLike: "%.fr",
					Page: Page{ItemsPerPage: 10, Page: 1, SortBy: "name"}})
			},
			params: []any{map[string]any{"<date_creation": "2026-01-01", ">date_creation": "2025-01-01",
				"date_creation": "2025-06-01", "id": []any{1, 2}, "name": "a.fr", "paas_id": 3, "state": "locked",
				"~name": "%.fr", "items_per_page": 10, "page": 1, "sort_by": "name"}},
			check: func(t *testing.T, got any) {
				l := got.([]Vhost)
				if len(l) != 2 || l[0].Name != "vhost.test.fr" || l[0].PaasID != 1 || l[0].CertID != 0 || l[1].DateCreation != nil {
					t.Errorf("vhosts = %+v", l)
				}
			},
		},
		{
			name: "paas.vhost.info", fixture: "vhost_info.xml", method: "paas.vhost.info", params: []any{"vhost.test.fr"},
			do: func(ctx context.Context, c *Client) (any, error) { return c.Vhosts.Info(ctx, "vhost.test.fr") },
			check: func(t *testing.T, got any) {
				v := got.(*Vhost)
				if v.CertID != 12 || v.ID != 1 || v.PaasEntityID != "aa1b2c3d" || v.State != "running" {
					t.Errorf("vhost = %+v", v)
				}
				wantDate(t, "date_creation", v.DateCreation, parisTime(2011, 9, 14, 14, 36, 30))
			},
		},
		{
			name: "paas.vhost.create", fixture: "vhost_op.xml", method: "paas.vhost.create",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Vhosts.Create(ctx, VhostCreateParams{PaasID: 1, Vhost: "vhost.test.fr", ZoneAlter: true, Override: true})
			},
			params: []any{map[string]any{"paas_id": 1, "vhost": "vhost.test.fr", "zone_alter": true, "override": true}},
			check: func(t *testing.T, got any) {
				if o := got.(*Operation); o.Type != "rproxy_update" {
					t.Errorf("op = %+v", o)
				}
			},
		},
		{
			name: "paas.vhost.create dry run", fixture: "dryrun_txt.xml", method: "paas.vhost.create",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Vhosts.CreateDryRun(ctx, VhostCreateParams{PaasID: 1, Vhost: "vhost.test.fr"})
			},
			params: []any{map[string]any{"paas_id": 1, "vhost": "vhost.test.fr", "--dry-run": true}},
			check: func(t *testing.T, got any) {
				recs := MissingTXTRecords(got.([]ValidationError))
				if len(recs) != 1 || recs[0] != (TXTRecord{Vhost: "vhost.test.fr", Value: "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b"}) {
					t.Errorf("TXT records = %+v", recs)
				}
			},
		},
		{
			name: "paas.vhost.delete", fixture: "vhost_op.xml", method: "paas.vhost.delete", params: []any{"vhost.test.fr"},
			do: func(ctx context.Context, c *Client) (any, error) { return c.Vhosts.Delete(ctx, "vhost.test.fr") },
			check: func(t *testing.T, got any) {
				if o := got.(*Operation); o.ID != 601 {
					t.Errorf("op = %+v", o)
				}
			},
		},
		{
			name: "paas.vhost.get_dns_entries", fixture: "vhost_dns.xml", method: "paas.vhost.get_dns_entries",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Vhosts.DNSEntries(ctx, DNSEntriesParams{Datacenter: 1, Vhost: "vhost.test.fr"})
			},
			params: []any{map[string]any{"datacenter": 1, "vhost": "vhost.test.fr"}},
			check: func(t *testing.T, got any) {
				d := got.(*DNSEntries)
				if d.Key != "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b" || d.TXT != d.Key || d.All["ttl"] != "10800" || len(d.All) != 4 {
					t.Errorf("dns = %+v", d)
				}
			},
		},
		{
			name: "paas.snapshot.count", fixture: "count.xml", method: "paas.snapshot.count", params: nil,
			do: func(ctx context.Context, c *Client) (any, error) { return c.Snapshots.Count(ctx, nil) },
		},
		{
			name: "paas.snapshot.list with every key", fixture: "snapshot_list.xml", method: "paas.snapshot.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Snapshots.List(ctx, &SnapshotListOptions{DateCreatedBefore: "2026-03-02", SizeLT: ptr(2048),
					DateCreatedAfter: "2026-02-01", SizeGT: ptr(0), DateCreated: "2026-03-01", Name: "n", PaasID: 1,
					Size: ptr(1024), Type: "daily", NameLike: "daily%", Page: Page{SortBy: "date_created DESC"}})
			},
			params: []any{map[string]any{"<date_created": "2026-03-02", "<size": 2048, ">date_created": "2026-02-01",
				">size": 0, "date_created": "2026-03-01", "name": "n", "paas_id": 1, "size": 1024, "type": "daily",
				"~name": "daily%", "sort_by": "date_created DESC"}},
			check: func(t *testing.T, got any) {
				l := got.([]Snapshot)
				if len(l) != 2 || l[0].ID != 9 || l[0].Source == nil || l[0].Source.PaasID != 1 || l[1].Source != nil || l[1].DateCreated != nil {
					t.Errorf("snapshots = %+v", l)
				}
			},
		},
		{
			name: "paas.snapshot.info", fixture: "snapshot_info.xml", method: "paas.snapshot.info", params: []any{9},
			do: func(ctx context.Context, c *Client) (any, error) { return c.Snapshots.Info(ctx, 9) },
			check: func(t *testing.T, got any) {
				s := got.(*Snapshot)
				if s.Name != "daily-2026-03-01" || s.Size != 1024 || s.Type != "daily" || *s.Source != (SnapshotSource{DatacenterID: 1, PaasID: 1, State: "running"}) {
					t.Errorf("snapshot = %+v", s)
				}
				wantDate(t, "date_created", s.DateCreated, parisTime(2026, 3, 1, 3, 0, 0))
			},
		},
		{
			name: "paas.type.count", fixture: "count.xml", method: "paas.type.count",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Types.Count(ctx, &TypeListOptions{Visibility: VisibilityAll})
			},
			params: []any{map[string]any{"visibility": "all"}},
		},
		{
			name: "paas.type.list with every key", fixture: "type_list.xml", method: "paas.type.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Types.List(ctx, &TypeListOptions{CatalogPrefix: Strings{"php"}, Category: Strings{"a", "b"},
					Database: Strings{"mysql"}, ID: Ints{1}, Name: Strings{"phpmysql"}, Visibility: VisibilityBeta,
					Page: Page{ItemsPerPage: 500, Page: 0, SortBy: "name"}})
			},
			params: []any{map[string]any{"catalog_prefix": "php", "category": []any{"a", "b"}, "database": "mysql",
				"id": 1, "name": "phpmysql", "visibility": "beta", "items_per_page": 500, "sort_by": "name"}},
			check: func(t *testing.T, got any) {
				l := got.([]PaasType)
				want := []PaasType{{CatalogPrefix: "phpmysql", Database: "mysql", Language: "php", Name: "phpmysql", Visibility: VisibilityAll},
					{CatalogPrefix: "python3.6pgsql9.6", Database: "pgsql", Language: "python", Name: "python3.6pgsql9.6", Visibility: VisibilityBeta}}
				if !reflect.DeepEqual(l, want) {
					t.Errorf("types = %+v", l)
				}
			},
		},
		{
			name: "version.info", fixture: "version.xml", method: "version.info", params: nil,
			do: func(ctx context.Context, c *Client) (any, error) { return c.Version.Info(ctx) },
			check: func(t *testing.T, got any) {
				if v := got.(*VersionInfo); v.APIVersion != "3.3.42" {
					t.Errorf("version = %+v", v)
				}
			},
		},
		{
			name: "operation.info", fixture: "operation.xml", method: "operation.info", params: []any{501},
			do: func(ctx context.Context, c *Client) (any, error) { return c.Operations.Info(ctx, 501) },
			check: func(t *testing.T, got any) {
				if o := got.(*Operation); o.ID != 501 || o.Step != StepRun || o.ErrorType != "" {
					t.Errorf("op = %+v", o)
				}
			},
		},
		{
			name: "operation.list", fixture: "operation_list.xml", method: "operation.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Operations.List(ctx, &OperationListOptions{Step: Strings{"RUN", "WAIT"}, Type: Strings{"paas_restart"},
					DateCreatedAfter: "2026-01-01"})
			},
			params: []any{map[string]any{"step": []any{"RUN", "WAIT"}, "type": "paas_restart", ">date_created": "2026-01-01"}},
			check: func(t *testing.T, got any) {
				if l := got.([]Operation); len(l) != 2 || l[1].Step != StepWait {
					t.Errorf("ops = %+v", l)
				}
			},
		},
		{
			name: "operation.list of one instance, newest first", fixture: "operation_list.xml", method: "operation.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Operations.List(ctx, &OperationListOptions{PaasID: Ints{126001}, Page: Page{SortBy: "date_created DESC", ItemsPerPage: 25}})
			},
			params: []any{map[string]any{"paas_id": 126001, "sort_by": "date_created DESC", "items_per_page": 25}},
		},
		{
			name: "operation.count", fixture: "count.xml", method: "operation.count",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Operations.Count(ctx, &OperationListOptions{PaasID: Ints{1, 2}})
			},
			params: []any{map[string]any{"paas_id": []any{1, 2}}},
			check: func(t *testing.T, got any) {
				if got.(int) != 1 {
					t.Errorf("count = %v", got)
				}
			},
		},
		{
			name: "hosting.datacenter.list", fixture: "datacenter_list.xml", method: "hosting.datacenter.list", params: nil,
			do: func(ctx context.Context, c *Client) (any, error) { return c.Datacenters.List(ctx, nil) },
			check: func(t *testing.T, got any) {
				want := []Datacenter{{ID: 1, ISO: "FR", DCCode: "FR-SD2", Name: "Equinix Paris", Country: "France"},
					{ID: 3, ISO: "LU", DCCode: "LU-BI1", Name: "Bissen", Country: "Luxembourg"}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("datacenters = %+v", got)
				}
			},
		},
		{
			name: "hosting.datacenter.list filtered", fixture: "datacenter_list.xml", method: "hosting.datacenter.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Datacenters.List(ctx, &DatacenterListOptions{ISO: "FR", DCCode: "FR-SD2"})
			},
			params: []any{map[string]any{"iso": "FR", "dc_code": "FR-SD2"}},
		},
		{
			name: "paas.snapshotprofile.list", fixture: "snapshotprofile_list.xml", method: "paas.snapshotprofile.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.SnapshotProfiles.List(ctx, &SnapshotProfileListOptions{Page: Page{SortBy: "name"}})
			},
			params: []any{map[string]any{"sort_by": "name"}},
			check: func(t *testing.T, got any) {
				want := []SnapshotProfile{{ID: 7, Name: "paas_normal", KeptTotal: 3, QuotaFactor: 1.3,
					Schedules: []SnapshotSchedule{{Name: "daily", KeptVersion: 1}, {Name: "weekly4", KeptVersion: 1}}}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("profiles = %+v", got)
				}
			},
		},
		{
			name: "catalog.list", fixture: "catalog.xml", method: "catalog.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Catalog.List(ctx, CatalogListOptions{ProductType: "paas", ProductDescription: "phpmysql_m",
					ActionName: "renew", ActionDuration: "12m", Currency: "EUR", Grid: "A"})
			},
			params: []any{map[string]any{"product": map[string]any{"type": "paas", "description": "phpmysql_m"},
				"action": map[string]any{"name": "renew", "duration": "12m"}}, "EUR", "A"},
			check: func(t *testing.T, got any) {
				l := got.([]CatalogItem)
				want := []CatalogItem{{Product: CatalogProduct{Type: "paas", Description: "phpmysql_m"},
					Action:    CatalogAction{Name: "renew", Duration: "12m"},
					UnitPrice: []UnitPrice{{Price: 120, Currency: "EUR", Grid: "A", MinDuration: 1, MaxDuration: 10, DurationUnit: "y"}}}}
				if !reflect.DeepEqual(l, want) {
					t.Errorf("catalog = %+v", l)
				}
			},
		},
		{
			name: "catalog.list without currency", fixture: "catalog.xml", method: "catalog.list",
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Catalog.List(ctx, CatalogListOptions{ProductType: "paas", Grid: "A"})
			},
			params: []any{map[string]any{"product": map[string]any{"type": "paas"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, answerFile(t, tt.fixture))
			got, err := tt.do(context.Background(), c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			rc := srv.lastCall()
			if rc.Method != tt.method {
				t.Errorf("method = %q, want %q", rc.Method, tt.method)
			}
			if rc.Key != testKey {
				t.Errorf("first param = %v, want the API key", rc.Key)
			}
			if !reflect.DeepEqual(rc.Params, tt.params) {
				t.Errorf("params =\n%#v\nwant\n%#v", rc.Params, tt.params)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}
