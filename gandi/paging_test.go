package gandi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// pagedServer serves n instances, vhosts or snapshots honouring page and
// items_per_page (capped at 500 like Gandi).
func pagedServer(n int, ignorePaging bool) reply {
	return func(w http.ResponseWriter, c call) {
		opts, _ := c.Params[0].(map[string]any)
		per, _ := opts["items_per_page"].(int)
		page, _ := opts["page"].(int)
		if per == 0 {
			per = 100
		}
		per = min(per, 500)
		if ignorePaging {
			page = 0
		}
		var b strings.Builder
		b.WriteString("<methodResponse><params><param><value><array><data>")
		for id := page*per + 1; id <= min(n, (page+1)*per); id++ {
			fmt.Fprintf(&b, "<value><struct><member><name>id</name><value><int>%d</int></value></member></struct></value>", id)
		}
		b.WriteString("</data></array></value></param></params></methodResponse>")
		_, _ = w.Write([]byte(b.String()))
	}
}

func instanceID(i Instance) int { return i.ID }

// TestListPages walks paas.list over HTTP: one call per page, the pages
// joined in order whatever order they were answered in.
func TestListPages(t *testing.T) {
	tests := []struct {
		name         string
		total, size  int
		conc         int
		wantCalls    int
		wantPer      int
		wantLastPage any // page 0 is not sent (zero values are omitted)
	}{
		{"empty: no call", 0, 100, 1, 0, 0, nil},
		{"one short page", 7, 100, 1, 1, 100, nil},
		{"exact multiple: no empty page", 200, 100, 1, 2, 100, 1},
		{"several pages at once", 1234, 100, 4, 13, 100, 12},
		{"size capped at 500", 1200, 1000, 2, 3, 500, 2},
		{"zero size means 500", 10, 0, 0, 1, 500, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, srv := setup(t, pagedServer(tt.total, false))
			got, err := ListPages(t.Context(), tt.total, PageOptions{Size: tt.size, Concurrency: tt.conc},
				func(ctx context.Context, p Page) ([]Instance, error) {
					p.SortBy = "id"
					return c.PaaS.List(ctx, &PaasListOptions{PaasCountOptions: PaasCountOptions{State: StateRunning}, Page: p})
				}, instanceID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.total {
				t.Fatalf("%d items, want %d", len(got), tt.total)
			}
			for i, in := range got {
				if in.ID != i+1 {
					t.Fatalf("item %d has id %d: pages out of order", i, in.ID)
				}
			}
			if srv.callCount() != tt.wantCalls {
				t.Errorf("%d calls, want %d", srv.callCount(), tt.wantCalls)
			}
			if tt.wantCalls == 0 {
				return
			}
			maxPage := any(nil)
			for _, cl := range srv.allCalls() {
				p := cl.Params[0].(map[string]any)
				if p["items_per_page"] != tt.wantPer || p["sort_by"] != "id" || p["state"] != "running" {
					t.Errorf("params %v", p)
				}
				if n, ok := p["page"].(int); ok && (maxPage == nil || n > maxPage.(int)) {
					maxPage = n
				}
			}
			if maxPage != tt.wantLastPage {
				t.Errorf("last page asked %v, want %v", maxPage, tt.wantLastPage)
			}
		})
	}
}

// TestListPages_Concurrency: Concurrency pages are in flight together,
// never more.
func TestListPages_Concurrency(t *testing.T) {
	for _, conc := range []int{1, 3} {
		t.Run(fmt.Sprint(conc), func(t *testing.T) {
			var mu sync.Mutex
			inFlight, most := 0, 0
			allIn := make(chan struct{})
			_, err := ListPages(t.Context(), 10*7, PageOptions{Size: 7, Concurrency: conc}, func(ctx context.Context, p Page) ([]int, error) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				if inFlight == conc {
					select {
					case <-allIn:
					default:
						close(allIn)
					}
				}
				mu.Unlock()
				defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
				select { // the first pages wait until conc of them run at once
				case <-allIn:
				case <-time.After(10 * time.Second):
					return nil, errors.New("pages did not run concurrently")
				}
				return []int{p.Page*7 + 1}, nil
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if most != conc {
				t.Errorf("at most %d pages in flight, want %d", most, conc)
			}
		})
	}
}

// TestListPages_Errors: every page failing on its own is reported, typed;
// the cancellations the first failure causes are not.
func TestListPages_Errors(t *testing.T) {
	t.Run("two failing pages, one cancelled", func(t *testing.T) {
		started := make(chan struct{}, 3)
		both := make(chan struct{})
		var once sync.Once
		_, err := ListPages(t.Context(), 300, PageOptions{Size: 100, Concurrency: 3}, func(ctx context.Context, p Page) ([]int, error) {
			started <- struct{}{}
			if len(started) == 3 {
				once.Do(func() { close(both) })
			}
			<-both // the three pages are in flight together
			switch p.Page {
			case 1:
				return nil, &HTTPError{Method: "paas.list", StatusCode: 502, Status: "502 Bad Gateway"}
			case 2:
				return nil, &RateLimitError{Method: "paas.list", RetryAfter: time.Second, Attempts: 3, Err: &HTTPError{StatusCode: 429}}
			}
			<-ctx.Done() // page 0 is cancelled by the failures
			return nil, &TransportError{Method: "paas.list", Err: ctx.Err()}
		}, nil)
		var pe *PageError
		var he *HTTPError
		if !errors.As(err, &pe) || pe.Page != 1 || !errors.As(err, &he) || !errors.Is(err, ErrTooManyRequests) {
			t.Fatalf("err = %v, want page 1's HTTP error and page 2's rate limit", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "page 1: ") || !strings.Contains(msg, "page 2: ") ||
			strings.Contains(msg, "page 0") || strings.Index(msg, "page 1") > strings.Index(msg, "page 2") {
			t.Errorf("err = %q, want pages 1 then 2 and not the cancelled page 0", msg)
		}
	})
	t.Run("the first failure stops the pages not started", func(t *testing.T) {
		var mu sync.Mutex
		var asked []int
		_, err := ListPages(t.Context(), 1000, PageOptions{Size: 100, Concurrency: 1}, func(ctx context.Context, p Page) ([]int, error) {
			mu.Lock()
			asked = append(asked, p.Page)
			mu.Unlock()
			if p.Page == 2 {
				return nil, &Fault{Code: 510150, Message: "[Invalid API key]"}
			}
			return []int{p.Page}, nil
		}, nil)
		if !errors.Is(err, ErrBadAPIKey) || len(asked) != 3 {
			t.Fatalf("err %v after pages %v, want the refused key after 3 pages", err, asked)
		}
	})
	t.Run("server ignores paging", func(t *testing.T) {
		c, _ := setup(t, pagedServer(1000, true))
		got, err := ListPages(t.Context(), 1000, PageOptions{Size: 100, Concurrency: 2}, func(ctx context.Context, p Page) ([]Instance, error) {
			return c.PaaS.List(ctx, &PaasListOptions{Page: p})
		}, instanceID)
		if err == nil || !strings.Contains(err.Error(), "ignores paging") || got != nil {
			t.Fatalf("got %d items, err %v", len(got), err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		calls := 0
		_, err := ListPages(ctx, 500, PageOptions{Size: 100}, func(ctx context.Context, p Page) ([]int, error) {
			calls++
			return nil, ctx.Err()
		}, nil)
		if !errors.Is(err, context.Canceled) || calls > 1 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
	})
	t.Run("count beyond MaxPages", func(t *testing.T) {
		calls := 0
		_, err := ListPages(t.Context(), MaxPages*MaxItemsPerPage+1, PageOptions{}, func(context.Context, Page) ([]int, error) {
			calls++
			return nil, nil
		}, nil)
		if err == nil || calls != 0 {
			t.Fatalf("err %v after %d calls, want a refusal before any call", err, calls)
		}
	})
}

// TestListPages_DropsRepeatedIDs: a deletion while paging shifts an item
// onto the next page; it is kept once.
func TestListPages_DropsRepeatedIDs(t *testing.T) {
	pages := [][]Instance{{{ID: 1}, {ID: 2}}, {{ID: 2}, {ID: 4}}, {{ID: 5}}}
	got, err := ListPages(t.Context(), 5, PageOptions{Size: 2, Concurrency: 3}, func(_ context.Context, p Page) ([]Instance, error) {
		return pages[p.Page], nil
	}, instanceID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, in := range got {
		ids = append(ids, in.ID)
	}
	if fmt.Sprint(ids) != "[1 2 4 5]" {
		t.Errorf("ids %v, want [1 2 4 5]", ids)
	}
}
