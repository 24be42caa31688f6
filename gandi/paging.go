package gandi

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// PageOptions tune ListPages. The zero value fetches pages of 500 one
// after the other.
type PageOptions struct {
	// Size is the number of items asked per page: MaxItemsPerPage (500,
	// the server's cap) when zero, negative or larger.
	Size int
	// Concurrency bounds the pages fetched at once: 1 when zero or less.
	Concurrency int
}

// PageError is one page of a list that could not be fetched. It unwraps
// to the call's error, so errors.Is(err, ErrBadAPIKey) and errors.As(err,
// &rateLimit) see through it.
type PageError struct {
	Page int // counted from 0
	Err  error
}

func (e *PageError) Error() string { return fmt.Sprintf("page %d: %v", e.Page, e.Err) }
func (e *PageError) Unwrap() error { return e.Err }

// MaxPages bounds the pages ListPages fetches for one list (5,000,000
// items at 500 a page): a count beyond it is refused rather than trusted.
const MaxPages = 10000

// ListPages fetches every page of a list whose count call answered total:
// ceil(total/Size) calls of fetch with Page{ItemsPerPage: Size, Page: n}
// for n from 0, at most Concurrency at a time, and joins the items in page
// order. fetch sets SortBy and the filters: sort by a stable key (id) so
// that an item created while paging lands after the counted ones and is
// seen next time. With id non-nil, an item seen on an earlier page is
// dropped (a deletion while paging shifts items back), and a page that
// starts with the previous page's first item means the server ignores
// paging, which is an error.
//
// Errors: the first failing page cancels the pages not yet fetched; every
// page that failed for its own reason is reported as a *PageError (the
// cancellations the first failure caused are not), joined with
// errors.Join in page order. When ctx ends, its error is returned. On
// error no items are returned: a list with holes would read as complete.
func ListPages[T any](ctx context.Context, total int, opts PageOptions, fetch func(ctx context.Context, page Page) ([]T, error), id func(T) int) ([]T, error) {
	size := opts.Size
	if size <= 0 || size > MaxItemsPerPage {
		size = MaxItemsPerPage
	}
	conc := max(opts.Concurrency, 1)
	if total <= 0 {
		return nil, nil
	}
	pages := (total + size - 1) / size
	if pages > MaxPages {
		return nil, fmt.Errorf("gandi: a list of %d items needs %d pages, more than %d", total, pages, MaxPages)
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]T, pages)
	failed := make([]error, pages)
	var (
		mu      sync.Mutex
		stopped bool // a page failed: the others are being cancelled
	)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for p := range pages {
		select {
		case sem <- struct{}{}:
		case <-pctx.Done():
		}
		if pctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			items, err := fetch(pctx, Page{ItemsPerPage: size, Page: p})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				results[p] = items
			case stopped && errors.Is(err, context.Canceled):
				// cancelled because another page failed first
			default:
				failed[p] = &PageError{Page: p, Err: err}
				stopped = true
				cancel()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gandi: listing %d pages: %w", pages, err)
	}
	var errs []error
	for _, e := range failed {
		if e != nil {
			errs = append(errs, e)
		}
	}
	switch len(errs) {
	case 0:
		return joinPages(results, id)
	case 1:
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// joinPages concatenates pages in order, dropping repeated ids.
func joinPages[T any](results [][]T, id func(T) int) ([]T, error) {
	n := 0
	for _, items := range results {
		n += len(items)
	}
	out := make([]T, 0, n)
	if id == nil {
		for _, items := range results {
			out = append(out, items...)
		}
		return out, nil
	}
	seen := make(map[int]struct{}, n)
	for p, items := range results {
		if p > 0 && len(items) > 0 && len(results[p-1]) > 0 && id(items[0]) == id(results[p-1][0]) {
			return nil, fmt.Errorf("gandi: page %d repeats page %d: the server ignores paging", p, p-1)
		}
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
