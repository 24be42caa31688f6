package commands

import (
	"context"
	"strconv"
	"testing"
)

// TestHandle_ReferenceCommands runs datacenters, snapshot profiles,
// operations and operation against the simulator: each answers from its
// own Gandi call, names what create's keys take, and names instances.
func TestHandle_ReferenceCommands(t *testing.T) {
	e := setupClock(t, 3)
	wantOK(t, e.run(t, "restart shop-staging"))
	pending, err := e.db.PendingApprovals(context.Background(), testTeam)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
	wantOK(t, e.run(t, "approve "+strconv.FormatInt(pending[0].ID, 10)))
	e.engine.WaitFollowUps(t.Context())

	for _, tc := range []struct {
		line string
		want []string
	}{
		{"datacenters", []string{"FR-SD2", "Equinix Paris", "datacenter=ID"}},
		{"dcs", []string{"LU-BI1"}},
		{"snapshot profiles", []string{"snapshot-profile=ID"}},
		{"operations", []string{"paas_restart", "shop-staging (#"}},
		{"operations shop-staging", []string{"paas_restart", "shop-staging (#"}},
		{"ops step=DONE", []string{"paas_restart"}},
	} {
		t.Run(tc.line, func(t *testing.T) {
			wantOK(t, e.run(t, tc.line), tc.want...)
		})
	}
	ids := column(e.run(t, "operations"), "id")
	if len(ids) == 0 {
		t.Fatal("operations lists no id")
	}
	wantOK(t, e.run(t, "operation "+ids[0]), "Operation #"+ids[0], "paas_restart", "shop-staging (#")
	wantErr(t, e.run(t, "operation 999999"), "999999")
	wantErr(t, e.run(t, "ops step=DONNE"), "DONE")
	if m := e.run(t, "operations shop-prod"); m.Tone == 3 || m.Table != nil {
		t.Errorf("operations of an instance nothing ran on: %+v", m)
	}
}
