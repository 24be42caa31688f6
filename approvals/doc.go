// Package approvals is paasbot's approvals engine: the flow of paid and
// destructive operations (DESIGN.md §5).
//
//   - Propose validates a Plan the core built from a command, runs the
//     same call as a Gandi dry run where there is one (a refusal is shown
//     with its reasons, the exact DNS line for a missing TXT record, and
//     nothing is stored), adds the instance's facts and the catalog price,
//     stores the request and posts it through the Notifier for an approver
//     (paid: create, update, renew) or answers with a private confirm
//     button (restart, delete, vhost create and delete).
//   - Approve, Deny and Cancel decide a pending request under the four-eyes
//     policy (policy.go): with approvers configured, only a listed approver
//     other than the requester may approve a paid request; otherwise the
//     requester confirms their own.
//   - The one real call runs exactly once: the store moves a request
//     pending → approved → executing → done | failed by compare-and-set,
//     whatever the clicks, retried envelopes and restarts. An answer that
//     never came leaves the request interrupted for a person to check; it
//     is never re-run.
//   - The operations a call started are followed (follow.go) until they
//     end, and the request's message is updated at each step.
//   - Start (owned by cmd/paasbot) expires overdue requests, marks those a
//     stopped process left executing as interrupted, resumes the follow-ups
//     and runs the expiry sweep; Close stops and drains that work.
//
// The engine imports neither Slack nor the core: it declares what it needs
// of the store (Store), of Gandi (Client, one small interface per API
// area) and of the transport (Notifier), and answers with reply.Message
// values and apperr errors. Its clock, its pauses and its randomness are
// injected through Config.
package approvals
