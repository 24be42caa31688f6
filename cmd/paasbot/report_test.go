package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/alerts"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

// TestReport_TenThousandInstances: the expiry report of a 10,000-instance
// account reaches Slack as one channel message and 10 replies in its
// thread (11 posts), with the account's counts and the number left out.
func TestReport_TenThousandInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 instances")
	}
	loc, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
	r := newReportRig(t, 10_000, func() time.Time { return now })
	if err := r.sched.RunNow(t.Context(), r.sub); err != nil {
		t.Fatal(err)
	}
	c := gandi.NewClient(gandisim.DemoAPIKey, gandi.WithEndpoint(r.url))
	acct, err := alerts.ScanAccount(t.Context(), alerts.Gandi{PaaS: c.PaaS, Snapshots: c.Snapshots}, alerts.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := alerts.BuildExpiry(acct.Instances, now, loc, alerts.ExpiryParams{Days: 30})
	listed := rep.Len()
	if listed <= alerts.HeadRows+alerts.MaxThreadReplies*alerts.ReplyRows {
		t.Fatalf("only %d instances to renew: the account is too small for this test", listed)
	}
	// The counts, from the instances rather than from the report: within
	// 30 days means by the end of the 30th calendar day in the zone.
	horizon := time.Date(2026, 11, 23+31, 0, 0, 0, 0, loc)
	expired, soon := 0, 0
	for _, in := range acct.Instances {
		if in.DateEnd != nil && !in.DateEnd.After(now) && in.State != gandi.StateDeleted && in.State != gandi.StateBeingDeleted {
			expired++
		}
		if in.DateEnd != nil && in.DateEnd.After(now) && in.DateEnd.Before(horizon) &&
			in.State != gandi.StateDeleted && in.State != gandi.StateBeingDeleted {
			soon++
		}
	}

	calls := r.fake.CallsTo("chat.postMessage")
	if len(calls) != 1+alerts.MaxThreadReplies {
		t.Fatalf("%d chat.postMessage calls, want %d", len(calls), 1+alerts.MaxThreadReplies)
	}
	msgs := r.fake.Messages("C0OPS")
	head := msgs[0]
	if head.ThreadTS != "" {
		t.Errorf("the report's first message is a reply in %s", head.ThreadTS)
	}
	for i, m := range msgs[1:] {
		if m.ThreadTS != head.TS {
			t.Errorf("message %d is in thread %q, want the report's %q", i+2, m.ThreadTS, head.TS)
		}
	}
	if want := fmt.Sprintf("%d instances to renew (expired %d,", listed, expired); !strings.Contains(head.AllText(), want) {
		t.Errorf("the channel message does not say %q:\n%s", want, head.AllText())
	}
	if listed != expired+soon {
		t.Errorf("the report lists %d, the account has %d expired and %d expiring within 30 days", listed, expired, soon)
	}
	left := listed - alerts.HeadRows - alerts.MaxThreadReplies*alerts.ReplyRows
	if want := fmt.Sprintf("%d more instances not shown: `/paas list expires-within=30d sort=date_end`", left); !strings.Contains(msgs[len(msgs)-1].AllText(), want) {
		t.Errorf("the last reply does not say %q", want)
	}
}
