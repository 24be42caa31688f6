package gandi

import "context"

// SnapshotService calls the paas.snapshot.* methods.
type SnapshotService struct{ c *Client }

// Count answers paas.snapshot.count (opts.Page is ignored by the server).
func (s *SnapshotService) Count(ctx context.Context, opts *SnapshotListOptions) (int, error) {
	var n int
	err := s.c.read(ctx, "paas.snapshot.count", &n, optArgs(opts)...)
	return orZero(n, err)
}

// List answers one page of paas.snapshot.list; ListPages walks them all.
func (s *SnapshotService) List(ctx context.Context, opts *SnapshotListOptions) ([]Snapshot, error) {
	var out []Snapshot
	err := s.c.read(ctx, "paas.snapshot.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// Info answers paas.snapshot.info for snapshot id.
func (s *SnapshotService) Info(ctx context.Context, id int) (*Snapshot, error) {
	var out Snapshot
	if err := s.c.read(ctx, "paas.snapshot.info", &out, id); err != nil {
		return nil, err
	}
	return &out, nil
}

// TypeService calls the paas.type.* methods: the service types an account
// may create.
type TypeService struct{ c *Client }

// Count answers paas.type.count.
func (s *TypeService) Count(ctx context.Context, opts *TypeListOptions) (int, error) {
	var n int
	err := s.c.read(ctx, "paas.type.count", &n, optArgs(opts)...)
	return orZero(n, err)
}

// List answers paas.type.list.
func (s *TypeService) List(ctx context.Context, opts *TypeListOptions) ([]PaasType, error) {
	var out []PaasType
	err := s.c.read(ctx, "paas.type.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// VersionService calls version.info, the cheapest way to check a key.
type VersionService struct{ c *Client }

// Info answers version.info. A bad key gives an error matching ErrBadAPIKey.
func (s *VersionService) Info(ctx context.Context) (*VersionInfo, error) {
	var out VersionInfo
	if err := s.c.read(ctx, "version.info", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CatalogService calls catalog.list for prices. Prices are information
// only: never make an action depend on them.
type CatalogService struct{ c *Client }

// List answers catalog.list(apikey, {product, action}[, currency[, grid]]).
func (s *CatalogService) List(ctx context.Context, opts CatalogListOptions) ([]CatalogItem, error) {
	var product, action wireStruct
	if opts.ProductType != "" {
		product = append(product, wireMember{"type", opts.ProductType})
	}
	if opts.ProductDescription != "" {
		product = append(product, wireMember{"description", opts.ProductDescription})
	}
	if opts.ActionName != "" {
		action = append(action, wireMember{"name", opts.ActionName})
	}
	if opts.ActionDuration != "" {
		action = append(action, wireMember{"duration", opts.ActionDuration})
	}
	var filter wireStruct
	if product != nil {
		filter = append(filter, wireMember{"product", product})
	}
	if action != nil {
		filter = append(filter, wireMember{"action", action})
	}
	args := []any{filter}
	if opts.Currency != "" {
		args = append(args, opts.Currency)
		if opts.Grid != "" {
			args = append(args, opts.Grid)
		}
	}
	var out []CatalogItem
	err := s.c.read(ctx, "catalog.list", &out, args...)
	return orZero(out, err)
}
