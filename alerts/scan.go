package alerts

import (
	"context"
	"fmt"
	"sync"
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
// time: 10,000 instances take 1 paas.count and 20 paas.list calls.
//
// Instances are paged sorted by id, so one created during the scan lands
// after the counted ones and is seen at the next run; one deleted during
// the scan may shift another out of the pages read (seen at the next run
// too). Duplicates are dropped by id. The first failing call fails the
// scan; its error is the gandi package's (errors.Is gandi.ErrBadAPIKey for
// a refused key).
func ScanAccount(ctx context.Context, c *gandi.Client, opts ScanOptions) (*Account, error) {
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
	acct.Instances, err = fetchPages(ctx, n, conc, &calls, func(ctx context.Context, page int) ([]gandi.Instance, error) {
		return c.PaaS.List(ctx, &gandi.PaasListOptions{Page: gandi.Page{
			ItemsPerPage: gandi.MaxItemsPerPage, Page: page, SortBy: "id"}})
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
		acct.Snapshots, err = fetchPages(ctx, m, conc, &calls, func(ctx context.Context, page int) ([]gandi.Snapshot, error) {
			return c.Snapshots.List(ctx, &gandi.SnapshotListOptions{Page: gandi.Page{
				ItemsPerPage: gandi.MaxItemsPerPage, Page: page}})
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

// fetchPages fetches the ceil(total/500) pages of a list, conc at a time,
// and joins them in page order without duplicate ids. The first error
// cancels the pages not yet fetched.
func fetchPages[T any](ctx context.Context, total, conc int, calls *atomic.Int64,
	list func(context.Context, int) ([]T, error), id func(T) int) ([]T, error) {
	pages := (total + gandi.MaxItemsPerPage - 1) / gandi.MaxItemsPerPage
	if pages <= 0 {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]T, pages)
	var (
		mu       sync.Mutex
		firstErr error // the first failure, not the cancellations it causes
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for p := range pages {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(ctx.Err())
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			calls.Add(1)
			items, err := list(ctx, p)
			if err != nil {
				fail(fmt.Errorf("page %d: %w", p, err))
				return
			}
			results[p] = items
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]T, 0, total)
	seen := make(map[int]struct{}, total)
	for _, items := range results {
		for _, it := range items {
			k := id(it)
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			out = append(out, it)
		}
	}
	return out, nil
}
