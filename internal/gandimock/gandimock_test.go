package gandimock

import (
	"context"
	"errors"
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/testutil"
)

// TestFakesMatchTheClient: every method of a fake has the name and the
// signature of the real service's method, so that a consumer's interface
// the fake satisfies is one the real client satisfies too.
func TestFakesMatchTheClient(t *testing.T) {
	for _, tc := range []struct {
		fake, real any
	}{
		{&PaaS{}, &gandi.PaasService{}},
		{&Vhosts{}, &gandi.VhostService{}},
		{&Snapshots{}, &gandi.SnapshotService{}},
		{&Types{}, &gandi.TypeService{}},
		{&Version{}, &gandi.VersionService{}},
		{&Operations{}, &gandi.OperationService{}},
		{&Catalog{}, &gandi.CatalogService{}},
	} {
		testutil.SameMethods(t, tc.fake, tc.real)
	}
}

func TestNotFaked(t *testing.T) {
	f := &PaaS{InfoFn: func(_ context.Context, id int) (*gandi.InstanceInfo, error) {
		return &gandi.InstanceInfo{ID: id}, nil
	}}
	if in, err := f.Info(t.Context(), 42); err != nil || in.ID != 42 {
		t.Errorf("Info = %+v, %v", in, err)
	}
	if _, err := f.Count(t.Context(), nil); !errors.Is(err, ErrNotFaked) || err.Error() != "gandimock: call not faked: PaaS.Count" {
		t.Errorf("Count without CountFn = %v", err)
	}
}
