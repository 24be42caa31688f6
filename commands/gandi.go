package commands

import (
	"context"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/secret"
)

// PaaS is what the handlers ask of paas.* (*gandi.PaasService implements
// it): counts and pages of instances, and one instance.
type PaaS interface {
	Count(ctx context.Context, opts *gandi.PaasCountOptions) (int, error)
	List(ctx context.Context, opts *gandi.PaasListOptions) ([]gandi.Instance, error)
	Info(ctx context.Context, id int) (*gandi.InstanceInfo, error)
}

// Vhosts is what the handlers ask of paas.vhost.* (*gandi.VhostService).
type Vhosts interface {
	Count(ctx context.Context, opts *gandi.VhostListOptions) (int, error)
	List(ctx context.Context, opts *gandi.VhostListOptions) ([]gandi.Vhost, error)
	Info(ctx context.Context, fqdn string) (*gandi.Vhost, error)
	DNSEntries(ctx context.Context, p gandi.DNSEntriesParams) (*gandi.DNSEntries, error)
}

// Snapshots is what the handlers ask of paas.snapshot.*
// (*gandi.SnapshotService).
type Snapshots interface {
	Count(ctx context.Context, opts *gandi.SnapshotListOptions) (int, error)
	List(ctx context.Context, opts *gandi.SnapshotListOptions) ([]gandi.Snapshot, error)
	Info(ctx context.Context, id int) (*gandi.Snapshot, error)
}

// Types is what the handlers ask of paas.type.* (*gandi.TypeService).
type Types interface {
	Count(ctx context.Context, opts *gandi.TypeListOptions) (int, error)
	List(ctx context.Context, opts *gandi.TypeListOptions) ([]gandi.PaasType, error)
}

// Version checks a key with version.info (*gandi.VersionService).
type Version interface {
	Info(ctx context.Context) (*gandi.VersionInfo, error)
}

// Gandi is the Gandi API with one person's key, as the handlers use it.
// Every field is required.
type Gandi struct {
	PaaS      PaaS
	Vhosts    Vhosts
	Snapshots Snapshots
	Types     Types
	Version   Version
	// Datacenters, SnapshotProfiles and Operations are not in the PaaS
	// reference; Gandi's own CLI calls them, and so do the commands and
	// forms that name what create's datacenter= and snapshot-profile= take.
	Datacenters      Datacenters
	SnapshotProfiles SnapshotProfiles
	Operations       Operations
}

// GandiFactory returns the API with apiKey.
type GandiFactory func(apiKey secret.Value) Gandi

// Datacenters is what the handlers ask of hosting.datacenter.list
// (*gandi.DatacenterService): the ids create's datacenter= takes.
type Datacenters interface {
	List(ctx context.Context, opts *gandi.DatacenterListOptions) ([]gandi.Datacenter, error)
}

// SnapshotProfiles is what the handlers ask of paas.snapshotprofile.list
// (*gandi.SnapshotProfileService): the ids snapshot-profile= takes.
type SnapshotProfiles interface {
	List(ctx context.Context, opts *gandi.SnapshotProfileListOptions) ([]gandi.SnapshotProfile, error)
}

// Operations is what the handlers ask of operation.*
// (*gandi.OperationService).
type Operations interface {
	Count(ctx context.Context, opts *gandi.OperationListOptions) (int, error)
	List(ctx context.Context, opts *gandi.OperationListOptions) ([]gandi.Operation, error)
	Info(ctx context.Context, id int) (*gandi.Operation, error)
}

// FromClient is the Gandi API of one *gandi.Client, every field set.
func FromClient(c *gandi.Client) Gandi {
	return Gandi{PaaS: c.PaaS, Vhosts: c.Vhosts, Snapshots: c.Snapshots, Types: c.Types, Version: c.Version,
		Datacenters: c.Datacenters, SnapshotProfiles: c.SnapshotProfiles, Operations: c.Operations}
}
