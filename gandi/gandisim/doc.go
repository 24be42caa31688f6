// Package gandisim is a stateful simulator of the Gandi PaaS XML-RPC API,
// served over real HTTP at /xmlrpc/: every method of the PaaS reference
// (paas.*, paas.vhost.*, paas.snapshot.*, paas.type.*) plus version.info,
// operation.info, operation.list, operation.count, catalog.list, and the
// hosting.datacenter.list and paas.snapshotprofile.* calls Gandi's CLI
// uses.
//
// It is the backend of `paasbot shell --sandbox`, of `paasbot sim`, of the
// end-to-end tests and of the benchmarks, so it follows the reference in
// shared/seeds closely:
//
//   - accounts are API keys; each sees only its own instances, vhosts,
//     snapshots and operations; an unknown key gets fault 510150;
//   - params are checked as the reference states (mandatory keys, types,
//     unknown keys refused) and faults carry the six-digit code and the
//     "Error on object : OBJECT_X (CAUSE_Y) [text]" text, with HTTP 200;
//     malformed requests and unknown methods get fault code 1;
//   - list and count honour every filter of the reference (equality,
//     int-or-array, string-or-array, ~LIKE with % and _, < and > on dates
//     and sizes), sort_by with ASC/DESC, page from 0, items_per_page
//     (default 100, capped at 500);
//   - "--dry-run": true validates without side effect and answers [] or
//     the list of {attr, error, field, field_type, reason}; a vhost whose
//     domain is not proven answers EC_TXT+EC_MISSINGMANDATORY with the
//     same key paas.vhost.get_dns_entries gives; with
//     Options.IgnoreDryRun the flag is ignored and the call runs for real,
//     as on a server that does not know it;
//   - create, update, renew, restart, delete and vhost create/delete answer
//     the operations of the reference; operations move BILL → WAIT → RUN →
//     DONE on the injected clock (Options.Now, Options.OperationTime) and
//     their effects (instance running, date_end extended, instance gone…)
//     apply when they are DONE; FailNextOperations makes them end in ERROR.
//
// Dates go out as dateTime.iso8601 without zone, in Europe/Paris
// wall-clock time like the real service (time/tzdata is linked in).
//
// The XML-RPC codec is the simulator's own, independent of package gandi,
// so that the simulator checks the client rather than sharing its bugs.
//
// Control calls for tests and the sandbox: AddAccount, SeedDemo, AddZone,
// ProveDomain, SetCredit, Calls, DryRuns, ResetCalls, FailNextOperations,
// SetFault and ClearFaults. Fault injection by rate lives in Options.
//
// Tests start one with NewTestServer(t, opts), which returns the server and
// the URL of its endpoint. It takes the small TB interface, which
// *testing.T and *testing.B satisfy, rather than testing.TB, so that
// binaries embedding the simulator do not link package testing.
package gandisim
