package alerts

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/paasbot/paasbot/gandi"
)

// DefaultPageConcurrency is how many pages of one list a scan fetches at
// once when ScanOptions.PageConcurrency is zero.
const DefaultPageConcurrency = 4

// Account is what one scan read from an owner's account.
type Account struct {
	Instances []gandi.Instance
	// Snapshots is nil unless the scan was asked for them.
	Snapshots []gandi.Snapshot
	// Calls is the number of API calls the scan made.
	Calls int
}

// ScanOptions tune ScanAccount.
type ScanOptions struct {
	// Snapshots also lists every snapshot (for snapshots reports).
	Snapshots bool
	// PageConcurrency bounds the pages fetched at once per list
	// (DefaultPageConcurrency when zero or less).
	PageConcurrency int
}

// ScanAccount reads every instance of the account behind c (and every
// snapshot when asked). Each list costs one count call plus one call per
// page of gandi.MaxItemsPerPage (500) items, fetched PageConcurrency at a
// time by gandi.ListPages: 10,000 instances take 1 paas.count and 20
// paas.list calls.
//
// Instances are paged sorted by id, so one created during the scan lands
// after the counted ones and is seen at the next run; one deleted during
// the scan may shift another out of the pages read (seen at the next run
// too). Duplicates are dropped by id. The first failing call fails the
// scan; its error is the gandi package's (errors.Is gandi.ErrBadAPIKey for
// a refused key).
func ScanAccount(ctx context.Context, c Gandi, opts ScanOptions) (*Account, error) {
	conc := opts.PageConcurrency
	if conc <= 0 {
		conc = DefaultPageConcurrency
	}
	var calls atomic.Int64
	acct := &Account{}
	n, err := c.PaaS.Count(ctx, nil)
	calls.Add(1)
	if err != nil {
		return nil, fmt.Errorf("paas.count: %w", err)
	}
	pages := gandi.PageOptions{Size: gandi.MaxItemsPerPage, Concurrency: conc}
	acct.Instances, err = gandi.ListPages(ctx, n, pages, func(ctx context.Context, p gandi.Page) ([]gandi.Instance, error) {
		calls.Add(1)
		p.SortBy = "id"
		return c.PaaS.List(ctx, &gandi.PaasListOptions{Page: p})
	}, func(in gandi.Instance) int { return in.ID })
	if err != nil {
		return nil, fmt.Errorf("paas.list: %w", err)
	}
	if opts.Snapshots {
		m, err := c.Snapshots.Count(ctx, nil)
		calls.Add(1)
		if err != nil {
			return nil, fmt.Errorf("paas.snapshot.count: %w", err)
		}
		acct.Snapshots, err = gandi.ListPages(ctx, m, pages, func(ctx context.Context, p gandi.Page) ([]gandi.Snapshot, error) {
			calls.Add(1)
			return c.Snapshots.List(ctx, &gandi.SnapshotListOptions{Page: p})
		}, func(s gandi.Snapshot) int { return s.ID })
		if err != nil {
			return nil, fmt.Errorf("paas.snapshot.list: %w", err)
		}
		if acct.Snapshots == nil {
			acct.Snapshots = []gandi.Snapshot{}
		}
	}
	acct.Calls = int(calls.Load())
	return acct, nil
}
