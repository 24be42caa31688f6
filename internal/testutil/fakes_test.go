package testutil_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/gandimock"
	"github.com/paasbot/paasbot/internal/storemock"
	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/store"
)

// The fakes' own tests (one test binary for both packages): every method
// of a fake has the name and the signature of the real method, so that a
// consumer's interface a fake satisfies is one the real type satisfies.

func TestGandiFakesMatchTheClient(t *testing.T) {
	for _, tc := range []struct{ fake, real any }{
		{&gandimock.PaaS{}, &gandi.PaasService{}},
		{&gandimock.Vhosts{}, &gandi.VhostService{}},
		{&gandimock.Snapshots{}, &gandi.SnapshotService{}},
		{&gandimock.Types{}, &gandi.TypeService{}},
		{&gandimock.Version{}, &gandi.VersionService{}},
		{&gandimock.Operations{}, &gandi.OperationService{}},
		{&gandimock.Catalog{}, &gandi.CatalogService{}},
	} {
		testutil.SameMethods(t, tc.fake, tc.real)
	}
}

func TestStoreFakeMatchesTheStore(t *testing.T) {
	testutil.SameMethods(t, &storemock.DB{}, &store.DB{})
}

func TestFakesSayWhatIsNotFaked(t *testing.T) {
	f := &gandimock.PaaS{InfoFn: func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		return &gandi.InstanceInfo{ID: id}, nil
	}}
	if in, err := f.Info(t.Context(), 42); err != nil || in.ID != 42 {
		t.Errorf("Info = %+v, %v", in, err)
	}
	if _, err := f.Count(t.Context(), nil); !errors.Is(err, testutil.ErrNotFaked) || err.Error() != "call not faked: PaaS.Count" {
		t.Errorf("Count without CountFn = %v", err)
	}
	var db storemock.DB
	if _, err := db.CreateApproval(t.Context(), &store.Approval{}); !errors.Is(err, testutil.ErrNotFaked) {
		t.Errorf("CreateApproval without CreateApprovalFn = %v", err)
	}
}

// TestOpenStore: a test's store is a real, migrated database of its own.
func TestOpenStore(t *testing.T) {
	a, b := testutil.OpenStore(t, nil), testutil.OpenStore(t, nil)
	if a.Path() == b.Path() {
		t.Fatal("two tests share a database file")
	}
	if _, err := a.PutAPIKey(t.Context(), store.Identity{Team: "T", User: "U"}, "key0"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.APIKey(t.Context(), store.Identity{Team: "T", User: "U"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a key written in one store is read in another: %v", err)
	}
}
