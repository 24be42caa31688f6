package store

import (
	"context"
	"errors"
	"fmt"
	"github.com/paasbot/paasbot/store/storetest"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCreateApprove measures one approval request created then approved
// (two committed writes: on SQLite, a WAL file with synchronous=FULL).
func BenchmarkCreateApprove(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		b.ReportAllocs()
		for b.Loop() {
			id, err := db.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew",
				Params: []byte(`{"duration":"12m"}`)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Decide(ctx, id, StateApproved, "UAPP", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkApprove_Contended: parallel approvers all racing on the same
// requests, as double clicks do; one wins each.
func BenchmarkApprove_Contended(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		id, _ := db.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew"})
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.Decide(ctx, id, StateApproved, "U", nil); err != nil && !errors.Is(err, ErrConflict) {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkClaimSlot(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		sid, err := db.CreateSubscription(ctx, &Subscription{Team: "T", Channel: "C", Owner: "U", Kind: "expiry", Schedule: "@hourly"})
		if err != nil {
			b.Fatal(err)
		}
		slot := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		b.ReportAllocs()
		for b.Loop() {
			slot = slot.Add(time.Hour)
			ok, err := db.ClaimSlot(ctx, sid, slot)
			if err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}

func BenchmarkSeenOnce(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		b.Run("new keys", func(b *testing.B) {
			db := openTestDB(b, e)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				if ok, err := db.SeenOnce(ctx, "Ev"+strconv.Itoa(i), time.Hour); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
		b.Run("repeat key", func(b *testing.B) {
			db := openTestDB(b, e)
			db.SeenOnce(ctx, "Ev", time.Hour)
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := db.SeenOnce(ctx, "Ev", time.Hour); err != nil || ok {
					b.Fatal(ok, err)
				}
			}
		})
	})
}

func BenchmarkAPIKey(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		id := Identity{"T", "U"}
		if _, err := db.PutAPIKey(ctx, id, "bench-key"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if k, _, err := db.APIKey(ctx, id); err != nil || k != "bench-key" {
				b.Fatal(fmt.Sprint(k, err))
			}
		}
	})
}

// eachEngineB runs a benchmark on each engine, as sub-benchmarks named
// "sqlite" and "postgres" (skipped without PAASBOT_TEST_POSTGRES).
func eachEngineB(b *testing.B, fn func(b *testing.B, e storetest.Engine)) {
	for _, e := range storetest.Engines() {
		b.Run(string(e), func(b *testing.B) { fn(b, e) })
	}
}

// BenchmarkLeasedExecution: the store's part of one paid call on the
// leased path: Decide (with its audit line), ClaimExecution, MarkSent,
// FinishHeld and the end of the follow-up.
func BenchmarkLeasedExecution(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		b.ReportAllocs()
		for b.Loop() {
			id, err := db.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Decide(ctx, id, StateApproved, "UAPP", nil); err != nil {
				b.Fatal(err)
			}
			for _, step := range []func() error{
				func() error { return db.ClaimExecution(ctx, id) },
				func() error { return db.MarkSent(ctx, id) },
				func() error { return db.FinishHeld(ctx, id, []byte(`[]`)) },
				func() error { return db.ProgressHeld(ctx, id, []byte(`{}`), true) },
			} {
				if err := step(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkHeartbeat renews 100 held requests, a named lease and a slot.
func BenchmarkHeartbeat(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		seedDecided(b, db, 100, StateApproved)
		if _, err := db.AcquireLease(ctx, "sweep"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if r, err := db.Heartbeat(ctx); err != nil || r.Approvals != 100 {
				b.Fatal(r, err)
			}
		}
	})
}

// BenchmarkRecover_Idle: the every-15-seconds call when nothing lapsed,
// among 1,000 settled requests.
func BenchmarkRecover_Idle(b *testing.B) {
	eachEngineB(b, func(b *testing.B, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(b, e)
		seedDecided(b, db, 1000, StateDenied)
		b.ReportAllocs()
		for b.Loop() {
			if r, err := db.Recover(ctx, RecoverOptions{}); err != nil || !r.Empty() {
				b.Fatal(r, err)
			}
		}
	})
}

// seedDecided stores n requests decided to.
func seedDecided(b *testing.B, db *testDB, n int, to ApprovalState) {
	b.Helper()
	ctx := context.Background()
	for range n {
		id, err := db.CreateApproval(ctx, &Approval{Team: "T", Channel: "C", Requester: "U", Action: "paas.renew"})
		if err == nil {
			_, err = db.Decide(ctx, id, to, "UAPP", nil)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
