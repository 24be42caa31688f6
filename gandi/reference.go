package gandi

import "context"

// DatacenterService calls hosting.datacenter.list: where an instance may
// be created (paas.create's datacenter_id). The method is not in the PaaS
// reference; Gandi's own CLI calls it, and its items have the shape of
// paas.info's datacenter (FACTS.md).
type DatacenterService struct{ c *Client }

// List answers hosting.datacenter.list (nil opts: every datacenter). It
// is a read, retried when Gandi asks to slow down.
func (s *DatacenterService) List(ctx context.Context, opts *DatacenterListOptions) ([]Datacenter, error) {
	var out []Datacenter
	err := s.c.read(ctx, "hosting.datacenter.list", &out, optArgs(opts)...)
	return orZero(out, err)
}

// SnapshotProfileService calls paas.snapshotprofile.list: the profiles
// paas.create and paas.update accept as snapshot_profile. Not in the PaaS
// reference; Gandi's own CLI calls it.
type SnapshotProfileService struct{ c *Client }

// List answers paas.snapshotprofile.list (nil opts: every profile). It is
// a read, retried when Gandi asks to slow down.
func (s *SnapshotProfileService) List(ctx context.Context, opts *SnapshotProfileListOptions) ([]SnapshotProfile, error) {
	var out []SnapshotProfile
	err := s.c.read(ctx, "paas.snapshotprofile.list", &out, optArgs(opts)...)
	return orZero(out, err)
}
