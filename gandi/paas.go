package gandi

import "context"

// PaasService calls the paas.* methods. paas.create, paas.update and
// paas.renew cost money: ask a human first. Only paas.create has a dry run
// (the reference documents "--dry-run" for it and for paas.vhost.create
// alone): a server that ignored the flag on update or renew would bill, so
// this package offers no such call. Count, List, Info and CreateDryRun are
// reads, retried when Gandi asks to slow down; every other method is sent
// once (see RateLimitError).
type PaasService struct{ c *Client }

// dryRunFlag is the member that turns paas.create and paas.vhost.create
// into a validation.
func dryRunFlag() wireStruct { return wireStruct{{name: "--dry-run", val: true}} }

// Count answers paas.count: the number of instances matching opts (nil:
// all of them).
func (s *PaasService) Count(ctx context.Context, opts *PaasCountOptions) (int, error) {
	var n int
	err := s.c.read(ctx, "paas.count", &n, optArgs(opts)...)
	return orZero(n, err)
}

// List answers one page of paas.list (nil opts: the first 100 instances).
// ListPages walks every page.
func (s *PaasService) List(ctx context.Context, opts *PaasListOptions) ([]Instance, error) {
	var out []Instance
	err := s.c.read(ctx, "paas.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// Info answers paas.info for instance id. An unknown id gives an error
// matching ErrNotFound.
func (s *PaasService) Info(ctx context.Context, id int) (*InstanceInfo, error) {
	var out InstanceInfo
	if err := s.c.read(ctx, "paas.info", &out, id); err != nil {
		return nil, err
	}
	return &out, nil
}

// Create calls paas.create (paid). It answers the operations
// paas_vm_create, paas_disk_create and rproxy_create; follow them with
// Operations.Wait.
func (s *PaasService) Create(ctx context.Context, p PaasCreateParams) ([]Operation, error) {
	var out []Operation
	err := s.c.write(ctx, "paas.create", &out, p)
	return orZero(out, err)
}

// CreateDryRun calls paas.create with "--dry-run", as the usage guide
// shows: nothing is created or billed. An empty answer means the real call
// would be accepted; otherwise each item says why not (see
// ValidationError.MissingTXT). An answer holding operations means the
// server ignored the flag and created (and billed) the instance: the error
// is then a *DryRunIgnoredError carrying them.
func (s *PaasService) CreateDryRun(ctx context.Context, p PaasCreateParams) ([]ValidationError, error) {
	return s.c.dryRun(ctx, "paas.create", p)
}

// Update calls paas.update (paid) on instance id; it answers operations
// such as paas_vm_update, paas_disk_update, rproxy_update, paas_console.
func (s *PaasService) Update(ctx context.Context, id int, p PaasUpdateParams) ([]Operation, error) {
	var out []Operation
	err := s.c.write(ctx, "paas.update", &out, id, p)
	return orZero(out, err)
}

// Renew calls paas.renew (paid) on instance id; it answers the operations
// paas_vm_renew and paas_disk_renew.
func (s *PaasService) Renew(ctx context.Context, id int, p RenewOptions) ([]Operation, error) {
	var out []Operation
	err := s.c.write(ctx, "paas.renew", &out, id, p)
	return orZero(out, err)
}

// Restart calls paas.restart; it answers the operation paas_restart.
func (s *PaasService) Restart(ctx context.Context, id int) (*Operation, error) {
	var out Operation
	if err := s.c.write(ctx, "paas.restart", &out, id); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete calls paas.delete; it answers the operations paas_vm_delete and
// paas_disk_delete (a single operation struct is accepted too).
func (s *PaasService) Delete(ctx context.Context, id int) ([]Operation, error) {
	var out []Operation
	err := s.c.write(ctx, "paas.delete", &out, id)
	return orZero(out, err)
}

// orZero returns v, or the zero value when err is set, so that a failed
// call never hands back a half-decoded answer.
func orZero[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// optArgs sends an optional options struct only when given: the
// reference's "opts=nil" calls omit the argument.
func optArgs[T any](opts *T) []any {
	if opts == nil {
		return nil
	}
	return []any{opts}
}
