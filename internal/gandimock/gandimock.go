// Package gandimock holds function-field fakes of the Gandi client's services
// (WTF Dial's mock/ package): each method calls the field of the same name
// with "Fn" appended, and a method whose field is nil fails with an error
// wrapping testutil.ErrNotFaked naming it, so that a test sees at once which
// call it did not expect. The fakes implement the small interfaces that
// commands, approvals and alerts declare, so that handlers, the engine and the
// scans are tested without HTTP. They are safe for concurrent use when the
// functions they are given are.
package gandimock

import (
	"context"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
)

// PaaS fakes paas.* (*gandi.PaasService).
type PaaS struct {
	CountFn        func(context.Context, *gandi.PaasCountOptions) (int, error)
	ListFn         func(context.Context, *gandi.PaasListOptions) ([]gandi.Instance, error)
	InfoFn         func(context.Context, int) (*gandi.InstanceInfo, error)
	CreateFn       func(context.Context, gandi.PaasCreateParams) ([]gandi.Operation, error)
	CreateDryRunFn func(context.Context, gandi.PaasCreateParams) ([]gandi.ValidationError, error)
	UpdateFn       func(context.Context, int, gandi.PaasUpdateParams) ([]gandi.Operation, error)
	RenewFn        func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error)
	RestartFn      func(context.Context, int) (*gandi.Operation, error)
	DeleteFn       func(context.Context, int) ([]gandi.Operation, error)
}

// Count calls CountFn.
func (f *PaaS) Count(ctx context.Context, opts *gandi.PaasCountOptions) (int, error) {
	return testutil.Fn(f.CountFn, "PaaS.Count")(ctx, opts)
}

// List calls ListFn.
func (f *PaaS) List(ctx context.Context, opts *gandi.PaasListOptions) ([]gandi.Instance, error) {
	return testutil.Fn(f.ListFn, "PaaS.List")(ctx, opts)
}

// Info calls InfoFn.
func (f *PaaS) Info(ctx context.Context, id int) (*gandi.InstanceInfo, error) {
	return testutil.Fn(f.InfoFn, "PaaS.Info")(ctx, id)
}

// Create calls CreateFn.
func (f *PaaS) Create(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.Operation, error) {
	return testutil.Fn(f.CreateFn, "PaaS.Create")(ctx, p)
}

// CreateDryRun calls CreateDryRunFn.
func (f *PaaS) CreateDryRun(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.ValidationError, error) {
	return testutil.Fn(f.CreateDryRunFn, "PaaS.CreateDryRun")(ctx, p)
}

// Update calls UpdateFn.
func (f *PaaS) Update(ctx context.Context, id int, p gandi.PaasUpdateParams) ([]gandi.Operation, error) {
	return testutil.Fn(f.UpdateFn, "PaaS.Update")(ctx, id, p)
}

// Renew calls RenewFn.
func (f *PaaS) Renew(ctx context.Context, id int, p gandi.RenewOptions) ([]gandi.Operation, error) {
	return testutil.Fn(f.RenewFn, "PaaS.Renew")(ctx, id, p)
}

// Restart calls RestartFn.
func (f *PaaS) Restart(ctx context.Context, id int) (*gandi.Operation, error) {
	return testutil.Fn(f.RestartFn, "PaaS.Restart")(ctx, id)
}

// Delete calls DeleteFn.
func (f *PaaS) Delete(ctx context.Context, id int) ([]gandi.Operation, error) {
	return testutil.Fn(f.DeleteFn, "PaaS.Delete")(ctx, id)
}

// Vhosts fakes paas.vhost.* (*gandi.VhostService).
type Vhosts struct {
	CountFn        func(context.Context, *gandi.VhostListOptions) (int, error)
	ListFn         func(context.Context, *gandi.VhostListOptions) ([]gandi.Vhost, error)
	InfoFn         func(context.Context, string) (*gandi.Vhost, error)
	CreateFn       func(context.Context, gandi.VhostCreateParams) (*gandi.Operation, error)
	CreateDryRunFn func(context.Context, gandi.VhostCreateParams) ([]gandi.ValidationError, error)
	DeleteFn       func(context.Context, string) (*gandi.Operation, error)
	DNSEntriesFn   func(context.Context, gandi.DNSEntriesParams) (*gandi.DNSEntries, error)
}

// Count calls CountFn.
func (f *Vhosts) Count(ctx context.Context, opts *gandi.VhostListOptions) (int, error) {
	return testutil.Fn(f.CountFn, "Vhosts.Count")(ctx, opts)
}

// List calls ListFn.
func (f *Vhosts) List(ctx context.Context, opts *gandi.VhostListOptions) ([]gandi.Vhost, error) {
	return testutil.Fn(f.ListFn, "Vhosts.List")(ctx, opts)
}

// Info calls InfoFn.
func (f *Vhosts) Info(ctx context.Context, fqdn string) (*gandi.Vhost, error) {
	return testutil.Fn(f.InfoFn, "Vhosts.Info")(ctx, fqdn)
}

// Create calls CreateFn.
func (f *Vhosts) Create(ctx context.Context, p gandi.VhostCreateParams) (*gandi.Operation, error) {
	return testutil.Fn(f.CreateFn, "Vhosts.Create")(ctx, p)
}

// CreateDryRun calls CreateDryRunFn.
func (f *Vhosts) CreateDryRun(ctx context.Context, p gandi.VhostCreateParams) ([]gandi.ValidationError, error) {
	return testutil.Fn(f.CreateDryRunFn, "Vhosts.CreateDryRun")(ctx, p)
}

// Delete calls DeleteFn.
func (f *Vhosts) Delete(ctx context.Context, fqdn string) (*gandi.Operation, error) {
	return testutil.Fn(f.DeleteFn, "Vhosts.Delete")(ctx, fqdn)
}

// DNSEntries calls DNSEntriesFn.
func (f *Vhosts) DNSEntries(ctx context.Context, p gandi.DNSEntriesParams) (*gandi.DNSEntries, error) {
	return testutil.Fn(f.DNSEntriesFn, "Vhosts.DNSEntries")(ctx, p)
}

// Snapshots fakes paas.snapshot.* (*gandi.SnapshotService).
type Snapshots struct {
	CountFn func(context.Context, *gandi.SnapshotListOptions) (int, error)
	ListFn  func(context.Context, *gandi.SnapshotListOptions) ([]gandi.Snapshot, error)
	InfoFn  func(context.Context, int) (*gandi.Snapshot, error)
}

// Count calls CountFn.
func (f *Snapshots) Count(ctx context.Context, opts *gandi.SnapshotListOptions) (int, error) {
	return testutil.Fn(f.CountFn, "Snapshots.Count")(ctx, opts)
}

// List calls ListFn.
func (f *Snapshots) List(ctx context.Context, opts *gandi.SnapshotListOptions) ([]gandi.Snapshot, error) {
	return testutil.Fn(f.ListFn, "Snapshots.List")(ctx, opts)
}

// Info calls InfoFn.
func (f *Snapshots) Info(ctx context.Context, id int) (*gandi.Snapshot, error) {
	return testutil.Fn(f.InfoFn, "Snapshots.Info")(ctx, id)
}

// Types fakes paas.type.* (*gandi.TypeService).
type Types struct {
	CountFn func(context.Context, *gandi.TypeListOptions) (int, error)
	ListFn  func(context.Context, *gandi.TypeListOptions) ([]gandi.PaasType, error)
}

// Count calls CountFn.
func (f *Types) Count(ctx context.Context, opts *gandi.TypeListOptions) (int, error) {
	return testutil.Fn(f.CountFn, "Types.Count")(ctx, opts)
}

// List calls ListFn.
func (f *Types) List(ctx context.Context, opts *gandi.TypeListOptions) ([]gandi.PaasType, error) {
	return testutil.Fn(f.ListFn, "Types.List")(ctx, opts)
}

// Version fakes version.info (*gandi.VersionService).
type Version struct {
	InfoFn func(context.Context) (*gandi.VersionInfo, error)
}

// Info calls InfoFn.
func (f *Version) Info(ctx context.Context) (*gandi.VersionInfo, error) {
	return testutil.Fn(f.InfoFn, "Version.Info")(ctx)
}

// Operations fakes operation.* (*gandi.OperationService).
type Operations struct {
	InfoFn func(context.Context, int) (*gandi.Operation, error)
	WaitFn func(context.Context, int, gandi.WaitOptions) (*gandi.Operation, error)
}

// Info calls InfoFn.
func (f *Operations) Info(ctx context.Context, id int) (*gandi.Operation, error) {
	return testutil.Fn(f.InfoFn, "Operations.Info")(ctx, id)
}

// Wait calls WaitFn.
func (f *Operations) Wait(ctx context.Context, id int, opts gandi.WaitOptions) (*gandi.Operation, error) {
	return testutil.Fn(f.WaitFn, "Operations.Wait")(ctx, id, opts)
}

// Catalog fakes catalog.list (*gandi.CatalogService).
type Catalog struct {
	ListFn func(context.Context, gandi.CatalogListOptions) ([]gandi.CatalogItem, error)
}

// List calls ListFn.
func (f *Catalog) List(ctx context.Context, opts gandi.CatalogListOptions) ([]gandi.CatalogItem, error) {
	return testutil.Fn(f.ListFn, "Catalog.List")(ctx, opts)
}
