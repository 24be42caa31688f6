// Package gandimock holds function-field fakes of the Gandi client's
// services (WTF Dial's mock/ package): each method calls the field of the
// same name with "Fn" appended, and a method whose field is nil fails with
// an error wrapping ErrNotFaked, so that a test sees at once which call it
// did not expect. The fakes implement the small interfaces that commands,
// approvals and alerts declare, so that handlers, the engine and the scans
// are tested without HTTP. They are safe for concurrent use when the
// functions they are given are.
package gandimock

import (
	"context"
	"errors"
	"fmt"

	"github.com/paasbot/paasbot/gandi"
)

// ErrNotFaked is what a method without its function answers.
var ErrNotFaked = errors.New("gandimock: call not faked")

func notFaked(method string) error { return fmt.Errorf("%w: %s", ErrNotFaked, method) }

// PaaS fakes paas.* (*gandi.PaasService).
type PaaS struct {
	CountFn        func(context.Context, *gandi.PaasCountOptions) (int, error)
	ListFn         func(context.Context, *gandi.PaasListOptions) ([]gandi.Instance, error)
	InfoFn         func(context.Context, int) (*gandi.InstanceInfo, error)
	CreateFn       func(context.Context, gandi.PaasCreateParams) ([]gandi.Operation, error)
	CreateDryRunFn func(context.Context, gandi.PaasCreateParams) ([]gandi.ValidationError, error)
	UpdateFn       func(context.Context, int, gandi.PaasUpdateParams) ([]gandi.Operation, error)
	UpdateDryRunFn func(context.Context, int, gandi.PaasUpdateParams) ([]gandi.ValidationError, error)
	RenewFn        func(context.Context, int, gandi.RenewOptions) ([]gandi.Operation, error)
	RenewDryRunFn  func(context.Context, int, gandi.RenewOptions) ([]gandi.ValidationError, error)
	RestartFn      func(context.Context, int) (*gandi.Operation, error)
	DeleteFn       func(context.Context, int) ([]gandi.Operation, error)
}

// Count calls CountFn.
func (f *PaaS) Count(ctx context.Context, opts *gandi.PaasCountOptions) (int, error) {
	if f.CountFn == nil {
		return 0, notFaked("PaaS.Count")
	}
	return f.CountFn(ctx, opts)
}

// List calls ListFn.
func (f *PaaS) List(ctx context.Context, opts *gandi.PaasListOptions) ([]gandi.Instance, error) {
	if f.ListFn == nil {
		return nil, notFaked("PaaS.List")
	}
	return f.ListFn(ctx, opts)
}

// Info calls InfoFn.
func (f *PaaS) Info(ctx context.Context, id int) (*gandi.InstanceInfo, error) {
	if f.InfoFn == nil {
		return nil, notFaked("PaaS.Info")
	}
	return f.InfoFn(ctx, id)
}

// Create calls CreateFn.
func (f *PaaS) Create(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.Operation, error) {
	if f.CreateFn == nil {
		return nil, notFaked("PaaS.Create")
	}
	return f.CreateFn(ctx, p)
}

// CreateDryRun calls CreateDryRunFn.
func (f *PaaS) CreateDryRun(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.ValidationError, error) {
	if f.CreateDryRunFn == nil {
		return nil, notFaked("PaaS.CreateDryRun")
	}
	return f.CreateDryRunFn(ctx, p)
}

// Update calls UpdateFn.
func (f *PaaS) Update(ctx context.Context, id int, p gandi.PaasUpdateParams) ([]gandi.Operation, error) {
	if f.UpdateFn == nil {
		return nil, notFaked("PaaS.Update")
	}
	return f.UpdateFn(ctx, id, p)
}

// UpdateDryRun calls UpdateDryRunFn.
func (f *PaaS) UpdateDryRun(ctx context.Context, id int, p gandi.PaasUpdateParams) ([]gandi.ValidationError, error) {
	if f.UpdateDryRunFn == nil {
		return nil, notFaked("PaaS.UpdateDryRun")
	}
	return f.UpdateDryRunFn(ctx, id, p)
}

// Renew calls RenewFn.
func (f *PaaS) Renew(ctx context.Context, id int, p gandi.RenewOptions) ([]gandi.Operation, error) {
	if f.RenewFn == nil {
		return nil, notFaked("PaaS.Renew")
	}
	return f.RenewFn(ctx, id, p)
}

// RenewDryRun calls RenewDryRunFn.
func (f *PaaS) RenewDryRun(ctx context.Context, id int, p gandi.RenewOptions) ([]gandi.ValidationError, error) {
	if f.RenewDryRunFn == nil {
		return nil, notFaked("PaaS.RenewDryRun")
	}
	return f.RenewDryRunFn(ctx, id, p)
}

// Restart calls RestartFn.
func (f *PaaS) Restart(ctx context.Context, id int) (*gandi.Operation, error) {
	if f.RestartFn == nil {
		return nil, notFaked("PaaS.Restart")
	}
	return f.RestartFn(ctx, id)
}

// Delete calls DeleteFn.
func (f *PaaS) Delete(ctx context.Context, id int) ([]gandi.Operation, error) {
	if f.DeleteFn == nil {
		return nil, notFaked("PaaS.Delete")
	}
	return f.DeleteFn(ctx, id)
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
	if f.CountFn == nil {
		return 0, notFaked("Vhosts.Count")
	}
	return f.CountFn(ctx, opts)
}

// List calls ListFn.
func (f *Vhosts) List(ctx context.Context, opts *gandi.VhostListOptions) ([]gandi.Vhost, error) {
	if f.ListFn == nil {
		return nil, notFaked("Vhosts.List")
	}
	return f.ListFn(ctx, opts)
}

// Info calls InfoFn.
func (f *Vhosts) Info(ctx context.Context, fqdn string) (*gandi.Vhost, error) {
	if f.InfoFn == nil {
		return nil, notFaked("Vhosts.Info")
	}
	return f.InfoFn(ctx, fqdn)
}

// Create calls CreateFn.
func (f *Vhosts) Create(ctx context.Context, p gandi.VhostCreateParams) (*gandi.Operation, error) {
	if f.CreateFn == nil {
		return nil, notFaked("Vhosts.Create")
	}
	return f.CreateFn(ctx, p)
}

// CreateDryRun calls CreateDryRunFn.
func (f *Vhosts) CreateDryRun(ctx context.Context, p gandi.VhostCreateParams) ([]gandi.ValidationError, error) {
	if f.CreateDryRunFn == nil {
		return nil, notFaked("Vhosts.CreateDryRun")
	}
	return f.CreateDryRunFn(ctx, p)
}

// Delete calls DeleteFn.
func (f *Vhosts) Delete(ctx context.Context, fqdn string) (*gandi.Operation, error) {
	if f.DeleteFn == nil {
		return nil, notFaked("Vhosts.Delete")
	}
	return f.DeleteFn(ctx, fqdn)
}

// DNSEntries calls DNSEntriesFn.
func (f *Vhosts) DNSEntries(ctx context.Context, p gandi.DNSEntriesParams) (*gandi.DNSEntries, error) {
	if f.DNSEntriesFn == nil {
		return nil, notFaked("Vhosts.DNSEntries")
	}
	return f.DNSEntriesFn(ctx, p)
}

// Snapshots fakes paas.snapshot.* (*gandi.SnapshotService).
type Snapshots struct {
	CountFn func(context.Context, *gandi.SnapshotListOptions) (int, error)
	ListFn  func(context.Context, *gandi.SnapshotListOptions) ([]gandi.Snapshot, error)
	InfoFn  func(context.Context, int) (*gandi.Snapshot, error)
}

// Count calls CountFn.
func (f *Snapshots) Count(ctx context.Context, opts *gandi.SnapshotListOptions) (int, error) {
	if f.CountFn == nil {
		return 0, notFaked("Snapshots.Count")
	}
	return f.CountFn(ctx, opts)
}

// List calls ListFn.
func (f *Snapshots) List(ctx context.Context, opts *gandi.SnapshotListOptions) ([]gandi.Snapshot, error) {
	if f.ListFn == nil {
		return nil, notFaked("Snapshots.List")
	}
	return f.ListFn(ctx, opts)
}

// Info calls InfoFn.
func (f *Snapshots) Info(ctx context.Context, id int) (*gandi.Snapshot, error) {
	if f.InfoFn == nil {
		return nil, notFaked("Snapshots.Info")
	}
	return f.InfoFn(ctx, id)
}

// Types fakes paas.type.* (*gandi.TypeService).
type Types struct {
	CountFn func(context.Context, *gandi.TypeListOptions) (int, error)
	ListFn  func(context.Context, *gandi.TypeListOptions) ([]gandi.PaasType, error)
}

// Count calls CountFn.
func (f *Types) Count(ctx context.Context, opts *gandi.TypeListOptions) (int, error) {
	if f.CountFn == nil {
		return 0, notFaked("Types.Count")
	}
	return f.CountFn(ctx, opts)
}

// List calls ListFn.
func (f *Types) List(ctx context.Context, opts *gandi.TypeListOptions) ([]gandi.PaasType, error) {
	if f.ListFn == nil {
		return nil, notFaked("Types.List")
	}
	return f.ListFn(ctx, opts)
}

// Version fakes version.info (*gandi.VersionService).
type Version struct {
	InfoFn func(context.Context) (*gandi.VersionInfo, error)
}

// Info calls InfoFn.
func (f *Version) Info(ctx context.Context) (*gandi.VersionInfo, error) {
	if f.InfoFn == nil {
		return nil, notFaked("Version.Info")
	}
	return f.InfoFn(ctx)
}

// Operations fakes operation.* (*gandi.OperationService).
type Operations struct {
	InfoFn func(context.Context, int) (*gandi.Operation, error)
	WaitFn func(context.Context, int, gandi.WaitOptions) (*gandi.Operation, error)
}

// Info calls InfoFn.
func (f *Operations) Info(ctx context.Context, id int) (*gandi.Operation, error) {
	if f.InfoFn == nil {
		return nil, notFaked("Operations.Info")
	}
	return f.InfoFn(ctx, id)
}

// Wait calls WaitFn.
func (f *Operations) Wait(ctx context.Context, id int, opts gandi.WaitOptions) (*gandi.Operation, error) {
	if f.WaitFn == nil {
		return nil, notFaked("Operations.Wait")
	}
	return f.WaitFn(ctx, id, opts)
}

// Catalog fakes catalog.list (*gandi.CatalogService).
type Catalog struct {
	ListFn func(context.Context, gandi.CatalogListOptions) ([]gandi.CatalogItem, error)
}

// List calls ListFn.
func (f *Catalog) List(ctx context.Context, opts gandi.CatalogListOptions) ([]gandi.CatalogItem, error) {
	if f.ListFn == nil {
		return nil, notFaked("Catalog.List")
	}
	return f.ListFn(ctx, opts)
}
