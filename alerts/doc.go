// Package alerts posts scheduled reports to channels: instances about to
// expire, instances that need an upgrade, and the state of their snapshots.
//
// It has two halves that know little of each other:
//
//   - Report builders (BuildExpiry, BuildUpgrade, BuildSnapshots) are pure
//     functions of API data, a clock and a time zone. They return a Report,
//     plain data that renders itself into reply.Message values with
//     Report.Messages, split so that no message carries more than
//     MaxButtonsPerMessage buttons or the caller's row budget; nothing is
//     ever cut.
//   - The Scheduler finds the subscriptions whose slot is due, scans each
//     owner's account once for all of their subscriptions firing together,
//     claims each slot in the store before posting (so a restart or a
//     second replica never posts a slot twice), and posts through a Poster
//     that the transport implements.
//
// The package imports neither Slack nor the commands core. It declares
// what it needs of the store (Store), of Gandi (Gandi: the PaaS and
// Snapshots methods a scan calls, made for an owner's key by the
// GandiFactory that cmd/paasbot wires) and of the transport (Poster), so
// that the builders and the scans are tested without HTTP. Times given to
// it are absolute instants; every date it shows is in the subscription's
// zone.
package alerts
