// Package gandi is a typed client of the Gandi Simple Hosting (PaaS)
// XML-RPC API: paas.*, paas.vhost.*, paas.snapshot.*, paas.type.*,
// version.info, operation.*, catalog.list, and hosting.datacenter.list
// and paas.snapshotprofile.list, which Gandi's own CLI uses.
//
//	c := gandi.NewClient(key, gandi.WithHTTPClient(shared))
//	insts, err := c.PaaS.List(ctx, &gandi.PaasListOptions{
//		PaasCountOptions: gandi.PaasCountOptions{State: gandi.StateRunning},
//	})
//
// One Client per API key; services hang off it (c.PaaS, c.Vhosts,
// c.Snapshots, c.Types, c.Version, c.Operations, c.Catalog, c.Datacenters,
// c.SnapshotProfiles). Every call takes a context, may run concurrently
// with others, and sends its own HTTP requests: a bad answer fails that
// call only.
//
// Errors: an API fault is a *Fault (code, message, object and cause
// decoded from the six-digit code); errors.Is matches ErrBadAPIKey,
// ErrNotFound, ErrBadParameter, ErrNoCredit, ErrTooManyRequests and a few
// more. An answer that cannot be read (garbage, truncated, HTML, too
// large, invalid UTF-8, empty) is a *DecodeError, a non-200 status an
// *HTTPError; both match ErrUnreadableAnswer, except 429 and 503. A
// network failure or a timeout is a *TransportError. The API key never
// appears in an error, a log line or a formatted Client.
//
// Retries: every method is declared a read or a write where it calls.
// Reads (lists, counts, infos, version, catalog, operations, the dry runs
// of create and vhost create) answered "slow down" (HTTP 429 or 503, fault
// cause TOOMANY) are sent up to ReadAttempts times, pausing for the
// server's Retry-After (or RetryBackoff, doubling) but never more than
// MaxRetryWait nor past the call's deadline; then, or at once for a write,
// the error is a *RateLimitError carrying the wait. Writes (create,
// update, renew, restart, delete, vhost create and delete) are sent once
// whatever happens: a second send could bill twice.
//
// Dry runs: only those the reference documents, paas.create and
// paas.vhost.create ("--dry-run" in their params). There is none for
// paas.update and paas.renew: a server that ignored the flag there would
// bill. A dry run answered with operations (the server ignored the flag
// and ran the call) is a *DryRunIgnoredError carrying them.
//
// Paging: ListPages fetches the pages of a counted list with bounded
// concurrency.
//
// Dates: the API sends dateTime.iso8601 values such as 20111014T14:36:30
// without a zone; the real service means Paris local time. This package
// reads and writes them in Europe/Paris, so a *time.Time from it is an
// absolute instant that can be compared with any clock. time/tzdata is
// linked in so that the zone loads even in images without zoneinfo (for
// example distroless); the cost is about 450 KB of binary. <nil/> dates
// decode as nil pointers, never as the zero time.
//
// Encoding and decoding are this package's own: kolo/xmlrpc does not
// escape struct member names (the filter keys "<date_end", ">date_end",
// "~name" need it), its decoder mishandles <nil/> and empty values, and
// its client serializes calls, has no context and dies after one bad
// answer. Requests go through the Client's *http.Client with the call's
// context; answers are read through an io.LimitReader and parsed by a small
// XML scanner (scanner.go) checked against encoding/xml by a fuzz target.
package gandi
