package commands

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// TestCore_RefusesEmptyTeamOrUser: every request, click and form names
// its workspace and user. Without them it is refused before anything runs:
// keys, approvals and subscriptions are scoped by (team, user), and the
// store reads an empty team as every team in some listings.
func TestCore_RefusesEmptyTeamOrUser(t *testing.T) {
	e := setup(t, 3)
	ctx := context.Background()
	wantOK(t, e.run(t, "delete 126003"))
	if pending, err := e.db.PendingApprovals(ctx, testTeam); err != nil || len(pending) != 1 {
		t.Fatalf("pending approvals = %+v, %v; want the delete", pending, err)
	}
	const want = "names no workspace or no user"
	ids := []struct{ name, team, user string }{
		{"NoTeam", "", alice},
		{"BlankTeam", "  ", alice},
		{"NoUser", testTeam, ""},
		{"Neither", "", ""},
	}
	for _, id := range ids {
		t.Run(id.name, func(t *testing.T) {
			for _, text := range []string{"approvals", "list", "whoami", "help"} {
				m := e.core.Handle(ctx, Request{Team: id.team, User: id.user, Channel: "C1", Text: text})
				wantErr(t, m, want)
			}
			for _, c := range []Click{
				{Action: "cmd", Value: "approvals"},
				{Action: "approval.approve", Value: "1"},
				{Action: "approval.cancel", Value: "1"},
			} {
				c.Team, c.User, c.Channel = id.team, id.user, "C1"
				wantErr(t, e.core.Click(ctx, c), want)
			}
			_, err := e.core.SubmitForm(ctx, Submission{Team: id.team, User: id.user, Channel: "C1", FormID: FormLogin, Value: testKey})
			if apperr.CodeOf(err) != apperr.EINVALID {
				t.Errorf("SubmitForm = %v, want apperr.EINVALID", err)
			}
			if _, _, err := e.db.APIKey(ctx, store.Identity{Team: id.team, User: id.user}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a key was stored for team %q user %q: %v", id.team, id.user, err)
			}
		})
	}
	// The pending delete was decided by none of these.
	pending, err := e.db.PendingApprovals(ctx, testTeam)
	if err != nil || len(pending) != 1 {
		t.Errorf("pending approvals = %+v, %v; want the delete still pending", pending, err)
	}
}

// keysFailOnce is a store whose first key read fails like a locked
// database, and whose next reads work.
type keysFailOnce struct {
	Store
	mu    sync.Mutex
	reads int
}

func (k *keysFailOnce) APIKey(ctx context.Context, id store.Identity) (secret.Value, store.KeyMeta, error) {
	k.mu.Lock()
	k.reads++
	first := k.reads == 1
	k.mu.Unlock()
	if first {
		return "", store.KeyMeta{}, errors.New("database is locked")
	}
	return k.Store.APIKey(ctx, id)
}

// TestWhoami_ReadsTheKeyOnce: a failed read is the answer; whoami never
// reads again and goes on with an empty key.
func TestWhoami_ReadsTheKeyOnce(t *testing.T) {
	e := setup(t, 1)
	keys := &keysFailOnce{Store: e.core.cfg.Store}
	e.core.cfg.Store = keys
	m := e.run(t, "whoami")
	if !strings.Contains(m.Text, "internal error (ref ") {
		t.Errorf("whoami after a failed key read = %q %+v, want an internal error", m.Text, m.Fields)
	}
	if keys.reads != 1 || e.sim.Calls("version.info") != 0 {
		t.Errorf("%d key reads and %d version.info calls, want 1 and 0", keys.reads, e.sim.Calls("version.info"))
	}
	m = e.run(t, "whoami")
	if !strings.Contains(fieldsText(m), "key accepted") {
		t.Errorf("the next whoami = %q %+v", m.Text, m.Fields)
	}
}

func fieldsText(m reply.Message) string {
	var b strings.Builder
	for _, f := range m.Fields {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	return b.String()
}
