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
			if err := db.Approve(ctx, id, "UAPP"); err != nil {
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
				if err := db.Approve(ctx, id, "U"); err != nil && !errors.Is(err, ErrConflict) {
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
