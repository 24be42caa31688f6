// Package store keeps everything paasbot must remember: people's API keys
// encrypted under a secret, approval requests and their exactly-once state
// machine, alert subscriptions and their run log, the append-only audit
// log, de-duplication keys for retried Slack deliveries, and the leases
// that let several processes share that work.
//
// # Two engines, one store
//
// Open takes a SQLite file path (modernc.org/sqlite, no cgo: the embedded
// default, one file created 0600 with its -wal and -shm) or a
// postgres:// URL (PostgreSQL through pgx's database/sql driver, for
// several replicas). Both run the same statements, written once with '?'
// placeholders, and the same numbered migrations (migrations/*.sql,
// templates over the few words that differ: see loadMigrations). On
// PostgreSQL migrations run under an advisory lock taken before the schema
// version is read, so replicas starting together apply each step once.
//
// Ready (for /readyz) checks that an open DB still serves: the database
// answers, its schema is the one this paasbot runs (a newer replica may
// have migrated it since), the secret still opens it. Inspect reads a
// database's schema version without opening it for use (no migration, no
// file or check value written), for `run --check`.
//
// Times are stored as Unix nanoseconds and returned in UTC. Every method is
// safe for concurrent use, from any number of goroutines and processes;
// state changes that must happen once are single compare-and-set
// statements (UPDATE … WHERE state = old), the same on both engines.
//
// # The state machine of a request
//
//	from → to                                    by                   notes
//	pending → approved                           Decide               leased to the deciding process
//	pending → denied | cancelled | expired       Decide, ExpireDue    (expired: past the deadline)
//	approved → executing                         ClaimExecution       holder and lease in the same CAS
//	executing → executing, sent                  MarkSent             just before the call leaves; needs a running lease
//	executing → done                             FinishHeld           lease kept: it covers the follow-up
//	executing → failed | interrupted             FailHeld, InterruptHeld
//	done (following) → done                      ProgressHeld         done=true ends the follow-up and the lease
//	done (following) → failed                    FailOperationsHeld   its operations failed
//	approved | executing, lapsed, not sent → pending    Recover   offered again: fresh deadline, no decision
//	executing, lapsed, sent → interrupted               Recover   never re-run
//	done (following), lapsed → done, held by caller     Recover   the caller follows it now
//
// Every change after the decision names its holder: there is no way to
// move a request another process holds. Requests an older paasbot left
// without a lease count as lapsed, and Recover settles them.
//
// Every move is one compare-and-set, so exactly one caller wins. A
// decision (approve, deny, cancel, expire) and its audit line are one
// transaction, as are Recover's moves and theirs. Marks on top of states:
// sent (SentAt, set by MarkSent just before the call leaves: only after it
// can a crash mean "may have run"), the one reminder (MarkReminded, due at
// 80% of the time to live: DueReminders), and the end of the follow-up
// (FollowDone).
//
// # Leases
//
// Each DB has a holder identity (Holder: host/pid/random, one per Open),
// standing for one process. Work that outlives one Slack envelope is held
// under a lease: a holder and an expiry, LeaseTTL (30 s) after its last
// renewal.
//
//   - A request is leased from its approval (Decide) through execution to
//     the end of its follow-up. ClaimExecution takes it, MarkSent needs the
//     lease still running, and every later change (FinishHeld, FailHeld,
//     InterruptHeld, ProgressHeld, FailOperationsHeld) names the holder in
//     the same statement. A holder that lost the lease gets a *LeaseError
//     (ErrLeaseLost): what it brought (a late answer) is kept as a note
//     (ApprovalNotes) and never moves the request.
//   - Named leases (AcquireLease, RenewLease, ReleaseLease) make singleton
//     work (the expiry and reminder sweeps, scheduled scans) run on one
//     process at a time; another takes one over only once it lapsed.
//   - An alert slot claimed with ClaimSlotLeased carries a lease;
//     BeginSlotPost (before the first message) and RecordSlotMessage (its
//     ts) make the claim final. A claim is taken over only when its lease
//     lapsed and nothing was posted, so a slot is posted at most once.
//
// A live process calls Heartbeat every HeartbeatEvery (10 s): it renews
// all its leases at once. Every process calls Recover at least every
// RecoverEvery (15 s): a request whose lease lapsed goes back to its
// approvers if it was never sent, becomes interrupted if it was, and a
// follow-up whose lease lapsed is taken over by the caller; LapsedSlots
// lists the alert claims to take over. So the work of a dead process is
// taken over within 45 s, and a process starting beside a live one
// interrupts nothing of it: nothing is decided by "whoever starts first".
//
// WithLeaseTTL shortens the leases of one DB (LeaseTimings gives the
// heartbeat and recovery periods that go with it), for a faster take-over
// or for tests; replicas sharing a database should agree on it.
//
// Leases compare expiry times written by one process's clock with
// another's: keep the clocks of replicas within a few seconds (NTP). A
// holder must end every request it holds (done, failed, interrupted), even
// on a panic: its Heartbeat renews what it holds whether or not work on it
// still runs.
package store
