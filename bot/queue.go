package bot

import "sync"

// fairQueue holds acknowledged jobs until a worker takes them. Jobs wait
// in one FIFO lane per person (team and user) and are handed out round
// robin over the lanes, at most perKey of one person's at a time: one
// person's burst of commands waits behind itself, never in front of
// everyone else's, and never occupies more than perKey workers. It holds
// at most capacity jobs in all. Safe for concurrent use.
type fairQueue struct {
	mu       sync.Mutex
	ready    sync.Cond // signalled when a lane becomes ready or the queue closes
	capacity int
	perKey   int
	lanes    map[string]*lane
	// turn lists the lanes that have a job waiting and fewer than perKey
	// running, in the order they get their next turn.
	turn   []*lane
	queued int
	closed bool
}

// lane is one person's waiting jobs and how many of theirs are running.
type lane struct {
	key     string
	jobs    []job
	running int
	inTurn  bool
}

func newFairQueue(capacity, perKey int) *fairQueue {
	q := &fairQueue{capacity: capacity, perKey: perKey, lanes: map[string]*lane{}}
	q.ready.L = &q.mu
	return q
}

// push queues j under key and reports whether it fit: false when the
// queue holds capacity jobs or is closed.
func (q *fairQueue) push(key string, j job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.queued >= q.capacity {
		return false
	}
	l := q.lanes[key]
	if l == nil {
		l = &lane{key: key}
		q.lanes[key] = l
	}
	l.jobs = append(l.jobs, j)
	q.queued++
	q.offerLocked(l)
	return true
}

// offerLocked gives l a turn when it has a job and room to run it.
func (q *fairQueue) offerLocked(l *lane) {
	if !l.inTurn && len(l.jobs) > 0 && l.running < q.perKey {
		l.inTurn = true
		q.turn = append(q.turn, l)
		q.ready.Signal()
	}
}

// pop waits for the next job whose person has room, and returns it with
// the function to call once it has finished. ok is false once the queue
// is closed and empty.
func (q *fairQueue) pop() (j job, done func(), ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.turn) == 0 {
		if q.closed && q.queued == 0 {
			return job{}, nil, false
		}
		q.ready.Wait()
	}
	l := q.turn[0]
	q.turn[0] = nil
	q.turn = q.turn[1:]
	l.inTurn = false
	j = l.jobs[0]
	l.jobs[0] = job{}
	l.jobs = l.jobs[1:]
	q.queued--
	l.running++
	q.offerLocked(l) // its next job waits for its next turn, behind the others
	if q.closed && q.queued == 0 {
		q.ready.Broadcast() // other callers waiting may return
	}
	return j, func() { q.finish(l) }, true
}

// finish records that one of l's jobs ended.
func (q *fairQueue) finish(l *lane) {
	q.mu.Lock()
	defer q.mu.Unlock()
	l.running--
	if l.running == 0 && len(l.jobs) == 0 {
		delete(q.lanes, l.key)
		return
	}
	q.offerLocked(l)
}

// close stops taking jobs; pop still hands out those queued.
func (q *fairQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.ready.Broadcast()
}

// len is how many jobs wait.
func (q *fairQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// flush empties the queue and returns what waited, in no fair order
// (shutdown past its deadline tells those people their command did not
// run).
func (q *fairQueue) flush() []job {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []job
	for key, l := range q.lanes {
		out = append(out, l.jobs...)
		l.jobs = nil
		l.inTurn = false
		if l.running == 0 {
			delete(q.lanes, key)
		}
	}
	q.turn = nil
	q.queued = 0
	q.ready.Broadcast()
	return out
}

// recentIDs remembers the last capacity envelope ids this process took,
// so that a copy Slack delivers again while the first still waits, runs
// or was refused is recognised on the event loop, before anything is
// answered, without a database round trip there. The store's SeenOnce
// still decides across processes, in the worker.
type recentIDs struct {
	capacity int
	seen     map[string]struct{}
	ring     []string // grows to capacity, then the oldest is replaced
	next     int
}

func newRecentIDs(capacity int) *recentIDs {
	return &recentIDs{capacity: max(capacity, 1), seen: map[string]struct{}{}}
}

// add records id and reports whether it is new. The event loop alone
// calls it, so it takes no lock.
func (r *recentIDs) add(id string) bool {
	if _, ok := r.seen[id]; ok {
		return false
	}
	r.seen[id] = struct{}{}
	if len(r.ring) < r.capacity {
		r.ring = append(r.ring, id)
		return true
	}
	delete(r.seen, r.ring[r.next])
	r.ring[r.next] = id
	r.next = (r.next + 1) % r.capacity
	return true
}
