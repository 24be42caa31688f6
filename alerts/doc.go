// Package alerts posts scheduled reports to channels: instances about to
// expire, instances that need an upgrade, and the state of their snapshots.
//
// It has two halves that know little of each other:
//
//   - Report builders (BuildExpiry, BuildUpgrade, BuildSnapshots) are pure
//     functions of API data, a clock and a time zone. They return a Report,
//     plain data that lays itself out for a channel with Report.Posting:
//     one channel message (the counts and the HeadRows most urgent rows),
//     at most MaxThreadReplies replies in its thread, then one line saying
//     how many rows are left and what lists them, whatever the account's
//     size (DESIGN.md §6).
//   - The Scheduler finds the subscriptions whose slot is due, scans each
//     owner's account once for all of their subscriptions firing together,
//     claims each slot in the store before posting (so a restart or a
//     second replica never posts a slot twice), and posts through a Poster
//     that the transport implements (which keeps to the channel's pace).
//     A claim is held under the process's lease in the store: just before
//     its first message the claim is made final (store.BeginSlotPost) and
//     that message's ts recorded on it. A process that stops before that
//     leaves a claim whose lease lapses; another replica takes it over
//     (TakeOverLapsed, every RecoverEvery) and posts the slot, once. A
//     claim that began posting is never taken over: a slot is posted at
//     most once across replicas, even when one dies mid-report.
//
// The package imports neither Slack nor the commands core. It declares
// what it needs of the store (Store), of Gandi (Gandi: the PaaS and
// Snapshots methods a scan calls, made for an owner's key by the
// GandiFactory that cmd/paasbot wires) and of the transport (Poster), so
// that the builders and the scans are tested without HTTP. Times given to
// it are absolute instants; every date it shows is in the subscription's
// zone.
package alerts
