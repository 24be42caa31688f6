package gandi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
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

func TestListAll(t *testing.T) {
	tests := []struct {
		name      string
		n, size   int
		wantCalls int
		wantPer   int
	}{
		{"empty", 0, 100, 1, 100},
		{"one short page", 7, 100, 1, 100},
		{"exact multiple costs one empty page", 200, 100, 3, 100},
		{"several pages", 1234, 500, 3, 500},
		{"size capped at 500", 1200, 1000, 3, 500},
		{"zero means 500", 10, 0, 1, 500},
	}
	for _, tt := range tests {
		for _, svc := range []string{"paas", "vhost", "snapshot"} {
			t.Run(svc+"/"+tt.name, func(t *testing.T) {
				c, srv := setup(t, pagedServer(tt.n, false))
				var ids []int
				var err error
				switch svc {
				case "paas":
					var l []Instance
					l, err = c.PaaS.ListAll(context.Background(), &PaasListOptions{
						PaasCountOptions: PaasCountOptions{State: StateRunning}, Page: Page{SortBy: "id", Page: 9}}, tt.size)
					for _, i := range l {
						ids = append(ids, i.ID)
					}
				case "vhost":
					var l []Vhost
					l, err = c.Vhosts.ListAll(context.Background(), &VhostListOptions{State: StateRunning, Page: Page{SortBy: "id"}}, tt.size)
					for _, i := range l {
						ids = append(ids, i.ID)
					}
				case "snapshot":
					var l []Snapshot
					l, err = c.Snapshots.ListAll(context.Background(), &SnapshotListOptions{Type: "running", Page: Page{SortBy: "id"}}, tt.size)
					for _, i := range l {
						ids = append(ids, i.ID)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != tt.n {
					t.Fatalf("%d items, want %d", len(ids), tt.n)
				}
				for i, id := range ids {
					if id != i+1 {
						t.Fatalf("item %d has id %d", i, id)
					}
				}
				if srv.callCount() != tt.wantCalls {
					t.Errorf("%d calls, want %d", srv.callCount(), tt.wantCalls)
				}
				last := srv.lastCall().Params[0].(map[string]any)
				if last["items_per_page"] != tt.wantPer || last["sort_by"] != "id" || last["page"] != nilIfZero(tt.wantCalls-1) {
					t.Errorf("last params %v", last)
				}
			})
		}
	}
}

// nilIfZero: page 0 is not sent (zero values are omitted).
func nilIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func TestListAllErrors(t *testing.T) {
	t.Run("server ignores paging", func(t *testing.T) {
		c, srv := setup(t, pagedServer(1000, true))
		_, err := c.PaaS.ListAll(context.Background(), nil, 100)
		if err == nil || !strings.Contains(err.Error(), "ignores paging") || srv.callCount() != 2 {
			t.Fatalf("err %v after %d calls", err, srv.callCount())
		}
	})
	t.Run("a failing page", func(t *testing.T) {
		ok := pagedServer(1000, false)
		c, _ := setup(t, func(w http.ResponseWriter, c call) {
			if c.Params[0].(map[string]any)["page"] == 2 {
				w.WriteHeader(500)
				return
			}
			ok(w, c)
		})
		got, err := c.Vhosts.ListAll(context.Background(), nil, 100)
		var he *HTTPError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), "page 2") || len(got) != 200 {
			t.Fatalf("got %d items, err %v", len(got), err)
		}
	})
}
