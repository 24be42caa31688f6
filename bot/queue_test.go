package bot

import (
	"fmt"
	"testing"
	"time"
)

func jobNamed(id string) job { return job{envelopeID: id} }

// popAll takes every job that can run now (each left running), in order.
func popReady(q *fairQueue, n int) (ids []string, done []func()) {
	for range n {
		j, d, ok := q.pop()
		if !ok {
			break
		}
		ids = append(ids, j.envelopeID)
		done = append(done, d)
	}
	return ids, done
}

// TestFairQueue_TakesTurns: people's jobs are handed out round robin, in
// each person's own order, whoever sent first and however many.
func TestFairQueue_TakesTurns(t *testing.T) {
	q := newFairQueue(100, 10)
	for i := range 5 {
		q.push("dana", jobNamed(fmt.Sprintf("dana-%d", i)))
	}
	q.push("sam", jobNamed("sam-0"))
	q.push("sam", jobNamed("sam-1"))
	q.push("lee", jobNamed("lee-0"))
	ids, _ := popReady(q, 8)
	want := []string{"dana-0", "sam-0", "lee-0", "dana-1", "sam-1", "dana-2", "dana-3", "dana-4"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", ids, want)
	}
}

// TestFairQueue_PerKeyLimit: at most perKey jobs of one person run; the
// next waits for one of them to finish, while others' jobs go ahead.
func TestFairQueue_PerKeyLimit(t *testing.T) {
	q := newFairQueue(100, 2)
	for i := range 4 {
		q.push("dana", jobNamed(fmt.Sprintf("dana-%d", i)))
	}
	ids, done := popReady(q, 2)
	if fmt.Sprint(ids) != "[dana-0 dana-1]" {
		t.Fatalf("first two %v", ids)
	}
	q.push("sam", jobNamed("sam-0"))
	if ids, _ := popReady(q, 1); fmt.Sprint(ids) != "[sam-0]" {
		t.Fatalf("with dana at her limit, got %v, want sam-0", ids)
	}
	q.mu.Lock()
	ready := len(q.turn)
	q.mu.Unlock()
	if ready != 0 {
		t.Fatalf("%d lanes ready while dana has 2 running and nobody else waits", ready)
	}
	done[0]()
	if ids, _ := popReady(q, 1); fmt.Sprint(ids) != "[dana-2]" {
		t.Errorf("after one of hers finished: %v, want dana-2", ids)
	}
}

// TestFairQueue_CapacityAndClose: push refuses past capacity and after
// close; pop still hands out what waits, then reports the end.
func TestFairQueue_CapacityAndClose(t *testing.T) {
	q := newFairQueue(3, 1)
	for i := range 3 {
		if !q.push(fmt.Sprint("p", i), jobNamed(fmt.Sprint("j", i))) {
			t.Fatalf("push %d refused below capacity", i)
		}
	}
	if q.push("p9", jobNamed("over")) {
		t.Error("push accepted past capacity")
	}
	q.close()
	if q.push("p8", jobNamed("late")) {
		t.Error("push accepted after close")
	}
	ids, done := popReady(q, 3)
	if len(ids) != 3 {
		t.Fatalf("drained %v", ids)
	}
	for _, d := range done {
		d()
	}
	if _, _, ok := q.pop(); ok {
		t.Error("pop handed out a job from a closed, empty queue")
	}
	if n := len(q.lanes); n != 0 {
		t.Errorf("%d lanes left after every job finished", n)
	}
}

// TestFairQueue_Flush: flush returns every waiting job and leaves none.
func TestFairQueue_Flush(t *testing.T) {
	q := newFairQueue(10, 1)
	q.push("a", jobNamed("a0"))
	q.push("a", jobNamed("a1"))
	q.push("b", jobNamed("b0"))
	_, done := popReady(q, 1)
	left := q.flush()
	if len(left) != 2 || q.len() != 0 {
		t.Fatalf("flushed %d, %d left", len(left), q.len())
	}
	q.close()
	done[0]()
	if _, _, ok := q.pop(); ok {
		t.Error("pop after flush and close")
	}
}

func TestRecentIDs(t *testing.T) {
	r := newRecentIDs(2)
	for _, tc := range []struct {
		id  string
		new bool
	}{{"a", true}, {"a", false}, {"b", true}, {"c", true}, {"a", true}, {"c", false}} {
		if got := r.add(tc.id); got != tc.new {
			t.Errorf("add(%s) = %v, want %v", tc.id, got, tc.new)
		}
	}
}

func TestRetryHint(t *testing.T) {
	for _, tc := range []struct {
		queued int
		rate   float64
		want   string
	}{
		{10000, 1000, "10 seconds"},
		{10000, 250, "40 seconds"},
		{10000, 100, "2 minutes"},
		{10000, 0, "10 minutes"},
		{10000, 1, "10 minutes"},
		{10, 1000, "10 seconds"},
	} {
		if got := retryHint(tc.queued, tc.rate); got != tc.want {
			t.Errorf("retryHint(%d, %v) = %q, want %q", tc.queued, tc.rate, got, tc.want)
		}
	}
}

func TestThroughput(t *testing.T) {
	var tp throughput
	t0 := time.Unix(1_800_000_000, 0)
	for i := range 50 {
		tp.add(t0.Add(time.Duration(i) * 100 * time.Millisecond)) // 10 a second for 5 s
	}
	if got := tp.perSecond(t0.Add(5 * time.Second)); got != 5 {
		t.Errorf("rate over the last 10 s = %v, want 5 (50 in 10 s)", got)
	}
	if got := tp.perSecond(t0.Add(30 * time.Second)); got != 0 {
		t.Errorf("rate long after = %v, want 0", got)
	}
}

// TestStartPacer: starts are spaced by the mean command time over the
// workers (a first guess until one ends), booked one after another,
// never more than maxStartGap apart, and not at all once the pacer's
// schedule is in the past.
func TestStartPacer(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	var p startPacer
	var got []time.Duration
	for range 3 {
		got = append(got, p.delay(t0, 50))
	}
	if want := []time.Duration{0, 5 * time.Millisecond, 10 * time.Millisecond}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first starts wait %v, want %v (250 ms over 50 workers)", got, want)
	}
	for range 100 {
		p.observe(100 * time.Millisecond)
	}
	t1 := t0.Add(time.Second) // the schedule has caught up
	if d := p.delay(t1, 50); d != 0 {
		t.Errorf("after a pause the next start waits %v", d)
	}
	if d := p.delay(t1, 50); d < 1900*time.Microsecond || d > 2100*time.Microsecond {
		t.Errorf("the one after waits %v, want about 2 ms (100 ms over 50)", d)
	}
	var slow startPacer
	slow.observe(time.Minute)
	slow.delay(t0, 1)
	if d := slow.delay(t0, 1); d != maxStartGap {
		t.Errorf("long commands space starts by %v, want the cap %v", d, maxStartGap)
	}
}
