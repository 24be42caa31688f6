package approvals

import (
	"context"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/secret"
)

// PaaS is what the engine asks of paas.*: the real calls of the plans, the
// dry run of paas.create (the only paid call that has one), and paas.info,
// against which renewals and updates are checked (*gandi.PaasService
// implements it).
type PaaS interface {
	Info(ctx context.Context, id int) (*gandi.InstanceInfo, error)
	Create(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.Operation, error)
	CreateDryRun(ctx context.Context, p gandi.PaasCreateParams) ([]gandi.ValidationError, error)
	Update(ctx context.Context, id int, p gandi.PaasUpdateParams) ([]gandi.Operation, error)
	Renew(ctx context.Context, id int, p gandi.RenewOptions) ([]gandi.Operation, error)
	Restart(ctx context.Context, id int) (*gandi.Operation, error)
	Delete(ctx context.Context, id int) ([]gandi.Operation, error)
}

// Vhosts is what the engine asks of paas.vhost.* (*gandi.VhostService).
type Vhosts interface {
	Create(ctx context.Context, p gandi.VhostCreateParams) (*gandi.Operation, error)
	CreateDryRun(ctx context.Context, p gandi.VhostCreateParams) ([]gandi.ValidationError, error)
	Delete(ctx context.Context, fqdn string) (*gandi.Operation, error)
	DNSEntries(ctx context.Context, p gandi.DNSEntriesParams) (*gandi.DNSEntries, error)
}

// Operations follows the operations a call started
// (*gandi.OperationService): Wait polls operation.info until the
// operation ends, calling opts.OnProgress at each new step.
type Operations interface {
	Wait(ctx context.Context, id int, opts gandi.WaitOptions) (*gandi.Operation, error)
}

// Catalog prices a plan (*gandi.CatalogService). Prices are information:
// no decision depends on them.
type Catalog interface {
	List(ctx context.Context, opts gandi.CatalogListOptions) ([]gandi.CatalogItem, error)
}

// Client is the Gandi API with one person's key, as the engine uses it.
// Every field is required.
type Client struct {
	PaaS       PaaS
	Vhosts     Vhosts
	Operations Operations
	Catalog    Catalog
}

// ClientFactory returns the API with apiKey. Each call of the returned
// Client is bounded by timeout, whole (a read's retries included), and by
// nothing shorter: no default of the factory's own (the gandi client's
// 30 s, an http.Client's Timeout) may cut it, since a paid call cut short
// leaves its outcome unknown. A timeout of 0 means the factory's default,
// which the engine uses for everything but the paid call itself.
// cmd/paasbot makes one *gandi.Client per call (they share one
// *http.Client); the engine never keeps a Client beyond the work it was
// made for.
type ClientFactory func(apiKey secret.Value, timeout time.Duration) Client
