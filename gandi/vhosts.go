package gandi

import "context"

// VhostService calls the paas.vhost.* methods. Virtual hosts are named by
// their FQDN.
type VhostService struct{ c *Client }

// Count answers paas.vhost.count (opts.Page is ignored by the server).
func (s *VhostService) Count(ctx context.Context, opts *VhostListOptions) (int, error) {
	var n int
	err := s.c.read(ctx, "paas.vhost.count", &n, optArgs(opts)...)
	return orZero(n, err)
}

// List answers one page of paas.vhost.list; ListPages walks them all.
func (s *VhostService) List(ctx context.Context, opts *VhostListOptions) ([]Vhost, error) {
	var out []Vhost
	err := s.c.read(ctx, "paas.vhost.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// Info answers paas.vhost.info for an FQDN.
func (s *VhostService) Info(ctx context.Context, fqdn string) (*Vhost, error) {
	var out Vhost
	if err := s.c.read(ctx, "paas.vhost.info", &out, fqdn); err != nil {
		return nil, err
	}
	return &out, nil
}

// Create calls paas.vhost.create; it answers the operation rproxy_update.
// A domain not on Gandi DNS needs a TXT record first: CreateDryRun says so.
func (s *VhostService) Create(ctx context.Context, p VhostCreateParams) (*Operation, error) {
	var out Operation
	if err := s.c.write(ctx, "paas.vhost.create", &out, p); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateDryRun calls paas.vhost.create with "--dry-run" and answers the
// validation errors, empty when the real call would pass; a
// *DryRunIgnoredError when the server ignored the flag and ran the call.
func (s *VhostService) CreateDryRun(ctx context.Context, p VhostCreateParams) ([]ValidationError, error) {
	return s.c.dryRun(ctx, "paas.vhost.create", p)
}

// Delete calls paas.vhost.delete (the files move to /lamp0/web/trash); it
// answers the operation rproxy_update.
func (s *VhostService) Delete(ctx context.Context, fqdn string) (*Operation, error) {
	var out Operation
	if err := s.c.write(ctx, "paas.vhost.delete", &out, fqdn); err != nil {
		return nil, err
	}
	return &out, nil
}

// DNSEntries calls paas.vhost.get_dns_entries: the records to add to the
// zone (for a domain put @=key, for a subdomain subdomain=key).
func (s *VhostService) DNSEntries(ctx context.Context, p DNSEntriesParams) (*DNSEntries, error) {
	var out DNSEntries
	if err := s.c.read(ctx, "paas.vhost.get_dns_entries", &out, p); err != nil {
		return nil, err
	}
	return &out, nil
}
