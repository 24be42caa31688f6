package storemock

import (
	"errors"
	"testing"

	"github.com/paasbot/paasbot/internal/testutil"
	"github.com/paasbot/paasbot/store"
)

// TestDBMatchesTheStore: every method of the fake is a method of
// *store.DB with the same signature.
func TestDBMatchesTheStore(t *testing.T) {
	testutil.SameMethods(t, &DB{}, &store.DB{})
}

func TestNotFaked(t *testing.T) {
	var f DB
	if _, err := f.CreateApproval(t.Context(), &store.Approval{}); !errors.Is(err, ErrNotFaked) {
		t.Errorf("CreateApproval without CreateApprovalFn = %v", err)
	}
}
