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
}

// GandiFactory returns the API with apiKey.
type GandiFactory func(apiKey secret.Value) Gandi
