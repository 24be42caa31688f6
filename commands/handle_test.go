package commands

import (
	"context"
	"errors"
	"testing"

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
			if ErrorCode(err) != EINVALID {
				t.Errorf("SubmitForm = %v, want EINVALID", err)
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
