package alerts

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/gandimock"
	"github.com/paasbot/paasbot/internal/storemock"
)

// The scheduler's store can be faked too (no SQLite).
var _ Store = (*storemock.DB)(nil)

// fakeAccount answers paas.count and paas.list for n instances, pages of
// the size asked, and records the pages asked for.
func fakeAccount(n int) (*gandimock.PaaS, func() []gandi.Page) {
	var mu sync.Mutex
	var pages []gandi.Page
	return &gandimock.PaaS{
			CountFn: func(context.Context, *gandi.PaasCountOptions) (int, error) { return n, nil },
			ListFn: func(_ context.Context, o *gandi.PaasListOptions) ([]gandi.Instance, error) {
				mu.Lock()
				pages = append(pages, o.Page)
				mu.Unlock()
				from := o.Page.Page * o.Page.ItemsPerPage
				var out []gandi.Instance
				for i := from; i < min(n, from+o.Page.ItemsPerPage); i++ {
					out = append(out, gandi.Instance{ID: 1000 + i})
				}
				return out, nil
			},
		}, func() []gandi.Page {
			mu.Lock()
			defer mu.Unlock()
			return append([]gandi.Page(nil), pages...)
		}
}

// TestScanAccount_PagesWithoutHTTP: 10,000 instances are one count and 20
// pages of 500, sorted by id, fetched at most PageConcurrency at a time.
func TestScanAccount_PagesWithoutHTTP(t *testing.T) {
	paas, pages := fakeAccount(10000)
	acct, err := ScanAccount(t.Context(), Gandi{PaaS: paas}, ScanOptions{PageConcurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(acct.Instances) != 10000 || acct.Instances[0].ID != 1000 || acct.Instances[9999].ID != 10999 {
		t.Fatalf("%d instances, first %d", len(acct.Instances), acct.Instances[0].ID)
	}
	got := pages()
	seen := map[int]bool{}
	for _, p := range got {
		if p.ItemsPerPage != gandi.MaxItemsPerPage || p.SortBy != "id" || seen[p.Page] {
			t.Errorf("page asked as %+v", p)
		}
		seen[p.Page] = true
	}
	if len(got) != 20 || acct.Calls != 21 || acct.Snapshots != nil {
		t.Errorf("%d pages, %d calls, snapshots %v; want 20, 21, none", len(got), acct.Calls, acct.Snapshots)
	}
}

// TestScanAccount_AFailedPageFailsTheScan: no partial account is returned,
// and the Gandi error stays visible to errors.Is.
func TestScanAccount_AFailedPageFailsTheScan(t *testing.T) {
	paas, _ := fakeAccount(1200)
	list := paas.ListFn
	paas.ListFn = func(ctx context.Context, o *gandi.PaasListOptions) ([]gandi.Instance, error) {
		if o.Page.Page == 1 {
			return nil, &gandi.Fault{Code: 510150, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"}
		}
		return list(ctx, o)
	}
	acct, err := ScanAccount(t.Context(), Gandi{PaaS: paas}, ScanOptions{})
	if acct != nil || !errors.Is(err, gandi.ErrBadAPIKey) {
		t.Errorf("ScanAccount = %v, %v; want no account and ErrBadAPIKey", acct, err)
	}
}

// TestScanAccount_SnapshotsOnlyWhenAsked: an account without snapshots
// reads as an empty list, not as "not asked".
func TestScanAccount_SnapshotsOnlyWhenAsked(t *testing.T) {
	paas, _ := fakeAccount(3)
	snaps := &gandimock.Snapshots{CountFn: func(context.Context, *gandi.SnapshotListOptions) (int, error) { return 0, nil }}
	acct, err := ScanAccount(t.Context(), Gandi{PaaS: paas, Snapshots: snaps}, ScanOptions{Snapshots: true})
	if err != nil || acct.Snapshots == nil || len(acct.Snapshots) != 0 || acct.Calls != 3 {
		t.Errorf("ScanAccount = %+v, %v", acct, err)
	}
}
