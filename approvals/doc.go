// Package approvals is paasbot's approvals engine: the flow of paid and
// destructive operations (DESIGN.md §5), safe against Gandi as it really
// is, across crashes and replicas (§11).
//
// # Nothing that can bill before the approval
//
// Propose takes a Plan the core built from a command. Gandi's reference
// documents "--dry-run" for paas.create and paas.vhost.create only, so
// those are dry-run (a refusal is shown with its reasons, the exact DNS
// line for a missing TXT record, and nothing is stored). paas.renew and
// paas.update are never sent before the approval, in any form: a server
// that ignored the flag would renew or resize, and bill. They are checked
// here instead (validate.go): against the reference (RenewOptions'
// duration and fixed; PaasUpdateParams' keys, types and enums), then
// against paas.info (the instance exists, its state allows the call, the
// change is not a no-op), and again just before the approved call leaves
// (recheck: a renewal whose expiry moved meanwhile would bill twice). The
// request shows current → new (the expiry a renewal gives) and the
// catalog price or "price unknown", and says that Gandi has no dry run
// for it. Everything up to the request costs at most two sequential
// Gandi round trips: the handler's name resolution, then the dry run or
// paas.info beside catalog.list (inspect.go). A dry run Gandi answers
// with operations ran the call: it is recorded, audited as run WITHOUT
// approval, followed, and its password delivered (unapproved.go).
//
// # Deciding, and running once
//
// Approve, Deny and Cancel decide a pending request under the four-eyes
// policy (policy.go): with approvers configured, only a listed approver
// other than the requester approves a paid request; otherwise the
// requester confirms their own. A decision and its audit line are one
// transaction (store.Decide). The request then moves by compare-and-set,
// every move after the decision checked against the lease of the process
// making it:
//
//	from                             to                             by
//	pending                          approved (leased here)         Approve: store.Decide, with its audit line
//	pending                          denied, cancelled, expired     Deny, Cancel, the sweep (Decide, ExpireDue)
//	approved                         executing                      ClaimExecution
//	executing                        executing, sent                MarkSent, just before the call leaves
//	executing (checks failed)        failed                         nothing was sent
//	executing, sent                  done | failed | interrupted    Gandi's answer: operations | a refusal | none
//	done, followed                   done | failed                  the follow-up: its operations' end
//	approved or executing, not sent  pending                        Recover, lease lapsed: offered again
//	executing, sent                  interrupted                    Recover, lease lapsed: never re-run
//	done, followed                   (taken over)                   Recover, lease lapsed: followed here now
//
// execute.go is the one real call: checks, a generated password delivered
// privately to the requester before anything leaves (or the call is not
// sent), MarkSent just before the request leaves, the call under its own
// timeout (Config.CallTimeout, 2 minutes; the Gandi factory must let no
// shorter default cut it), and the outcome recorded on a context detached
// from the click and the envelope. Before MarkSent nothing was sent: a
// failure fails the request saying so, a crash lets the next recovery
// offer it again to its approvers. After it, only Gandi's refusal fails
// the request; an answer that never came leaves it interrupted for a
// person to check, and it is never re-run. The operations a call started
// are followed (follow.go) until they end, and the request's message is
// updated at each step; a follow-up whose lease another process took over
// stops at its next save.
//
// # Leases, recovery and the sweep
//
// This process holds what it approved, executes and follows under leases
// in the store (store.LeaseTTL, 30 s). Start (owned by cmd/paasbot) runs
// Recover once, then until shutdown: the heartbeat that renews every lease
// of this process (Config.HeartbeatEvery, 10 s); the recovery pass
// (Config.RecoverEvery, 15 s) that settles the work of processes whose
// leases lapsed and tells people (recover.go: offered again, interrupted,
// follow-ups taken over); and the expiry sweep under the named lease
// "approvals/sweep", so that one process at a time runs it (its steps,
// sweepSteps, are where reminders join). A process starting beside a live
// one interrupts nothing of it: nothing is decided by "whoever starts
// first". Close stops all of it; follow-ups save their progress and the
// next recovery resumes them.
//
// # Who is told what
//
// tell.go holds DESIGN §9. A paid request is posted in
// Config.ApprovalsChannel when set, else where it was asked (asked in a
// DM without one, it is refused naming PAASBOT_APPROVALS_CHANNEL), and the
// requester's answer links it when it went elsewhere. The people it waits
// for (approvers.go: user ids and the members of user groups, read with
// Config.Groups and trusted Config.GroupTTL, at most 5 minutes; never the
// requester) each get a DM with its buttons and link, and one reminder at
// 80% of its time to live (the sweep's remind step, claimed once across
// processes by store.MarkReminded). The requester gets a DM at the
// decision (approved by someone else; denied, with the reason of the Deny
// form; expired) and one at the end (done, failed, interrupted). Progress
// is replied in the request's thread, the outcome broadcast to the
// channel, and the request edited to its final state. A confirmed
// restart, delete or vhost change is announced where it was asked (the
// audit channel when asked in a DM) and that announcement is its message.
// Config.AuditChannel gets one line per outcome (refused, denied,
// expired, done, failed, interrupted). Passwords go only by DM: when that
// DM cannot be sent, the call is not sent and the requester is told
// privately, without the password. Whoever cannot be reached (a channel
// paasbot is not in, a bot, a deactivated account) is logged and, when
// the request is posted, named to the requester; the request stands.
// DMs, threads, links and groups are optional capabilities of the
// transport (DirectMessenger, Threader, Linker, GroupResolver): without
// them (the shell) the engine behaves as a terminal needs. Config.OnChange
// hears every move, for an App Home to refresh.
//
// The engine imports neither Slack nor the core: it declares what it needs
// of the store (Store), of Gandi (Client, one small interface per API
// area) and of the transport (Notifier), and answers with reply.Message
// values and apperr errors. Its clock, its pauses and its randomness are
// injected through Config.
package approvals
