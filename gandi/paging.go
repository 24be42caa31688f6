package gandi

import (
	"context"
	"fmt"
)

// ListAll answers every instance matching opts (nil: all) by walking the
// pages of paas.list. With n matching items and page size p it makes
// n/p + 1 calls (integer division): the last page is the first one shorter
// than p, so an exact multiple costs one extra, empty page. pageSize ≤ 0
// means MaxItemsPerPage; it is capped at MaxItemsPerPage (500), the
// server's limit. opts' filters and SortBy are kept; its Page and
// ItemsPerPage are ignored. Sort by a stable key (the default order is by
// id) if items may appear while paging. On error it returns the items of
// the pages read so far with the error (which names the failed page).
func (s *PaasService) ListAll(ctx context.Context, opts *PaasListOptions, pageSize int) ([]Instance, error) {
	var o PaasListOptions
	if opts != nil {
		o = *opts
	}
	return listAll(ctx, pageSize, &o.Page, func(ctx context.Context) ([]Instance, error) { return s.List(ctx, &o) },
		func(i Instance) int { return i.ID })
}

// ListAll answers every virtual host matching opts (nil: all) by walking
// the pages of paas.vhost.list, exactly like PaasService.ListAll:
// n/pageSize + 1 calls for n vhosts, pageSize capped at 500.
func (s *VhostService) ListAll(ctx context.Context, opts *VhostListOptions, pageSize int) ([]Vhost, error) {
	var o VhostListOptions
	if opts != nil {
		o = *opts
	}
	return listAll(ctx, pageSize, &o.Page, func(ctx context.Context) ([]Vhost, error) { return s.List(ctx, &o) },
		func(v Vhost) int { return v.ID })
}

// ListAll answers every snapshot matching opts (nil: all) by walking the
// pages of paas.snapshot.list, exactly like PaasService.ListAll:
// n/pageSize + 1 calls for n snapshots, pageSize capped at 500.
func (s *SnapshotService) ListAll(ctx context.Context, opts *SnapshotListOptions, pageSize int) ([]Snapshot, error) {
	var o SnapshotListOptions
	if opts != nil {
		o = *opts
	}
	return listAll(ctx, pageSize, &o.Page, func(ctx context.Context) ([]Snapshot, error) { return s.List(ctx, &o) },
		func(v Snapshot) int { return v.ID })
}

// maxPages stops a walk over a server that never answers a short page.
const maxPages = 10000

func listAll[T any](ctx context.Context, pageSize int, page *Page, list func(context.Context) ([]T, error), id func(T) int) ([]T, error) {
	if pageSize <= 0 || pageSize > MaxItemsPerPage {
		pageSize = MaxItemsPerPage
	}
	page.ItemsPerPage = pageSize
	var all []T
	prevFirst := -1
	for n := 0; n < maxPages; n++ {
		page.Page = n
		items, err := list(ctx)
		if err != nil {
			return all, fmt.Errorf("page %d: %w", n, err)
		}
		if len(items) > 0 {
			// A server that ignores "page" answers the same page forever.
			if first := id(items[0]); n > 0 && first == prevFirst && first != 0 {
				return all, fmt.Errorf("gandi: page %d repeats page %d: the server ignores paging", n, n-1)
			} else {
				prevFirst = first
			}
		}
		all = append(all, items...)
		if len(items) < pageSize {
			return all, nil
		}
	}
	return all, fmt.Errorf("gandi: more than %d pages", maxPages)
}
