package alerts

import (
	"context"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/secret"
)

// PaaS is what a scan asks of paas.* (*gandi.PaasService implements it).
type PaaS interface {
	Count(ctx context.Context, opts *gandi.PaasCountOptions) (int, error)
	List(ctx context.Context, opts *gandi.PaasListOptions) ([]gandi.Instance, error)
}

// Snapshots is what a snapshots scan asks of paas.snapshot.*
// (*gandi.SnapshotService).
type Snapshots interface {
	Count(ctx context.Context, opts *gandi.SnapshotListOptions) (int, error)
	List(ctx context.Context, opts *gandi.SnapshotListOptions) ([]gandi.Snapshot, error)
}

// Gandi is the Gandi API with an owner's key, as a scan uses it. Both
// fields are required.
type Gandi struct {
	PaaS      PaaS
	Snapshots Snapshots
}

// GandiFactory returns the API with apiKey.
type GandiFactory func(apiKey secret.Value) Gandi
