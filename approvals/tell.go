package approvals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// Who is told what (DESIGN §9). The request's message is the team's view
// of it, edited at every move; its thread holds the progress, the outcome
// broadcast to the channel. Each decider gets a DM when a request waits
// for them and one reminder at 80% of its time to live; the requester one
// DM at the decision and one at the end; the audit channel one line per
// outcome. A DM that cannot be sent is logged and, where someone can act
// on it, said to the requester: nothing else depends on it.

// errNoDM is a DM asked of a transport that has none (the shell).
var errNoDM = errors.New("this transport sends no direct messages")

// dm sends m to user in their DM with the app.
func (e *Engine) dm(ctx context.Context, user string, m reply.Message) (reply.Ref, error) {
	d, ok := e.cfg.Notifier.(DirectMessenger)
	if !ok || e.cfg.Notifier == nil {
		return reply.Ref{}, errNoDM
	}
	m.Visibility = reply.Private
	return d.DM(ctx, user, m)
}

// canDM reports whether the transport sends DMs at all.
func (e *Engine) canDM() bool {
	_, ok := e.cfg.Notifier.(DirectMessenger)
	return ok
}

// unreachable says, for the requester, why user could not be told.
func unreachable(user string, err error) string {
	var ae *apperr.Error
	why := "Slack refused the message"
	if errors.As(err, &ae) && ae.Message != "" {
		why = strings.TrimSuffix(ae.Message, ".")
	}
	return fmt.Sprintf("%s could not be reached: %s.", human.Person(user), why)
}

// link is the permalink of a's message, "" when there is none or the
// transport gives none.
func (e *Engine) link(ctx context.Context, a *store.Approval) string {
	l, ok := e.cfg.Notifier.(Linker)
	if !ok || a.MessageID == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	url, err := l.Permalink(ctx, reply.Ref{Channel: a.MessageChannel, ID: a.MessageID})
	if err != nil {
		e.log.WarnContext(ctx, "no permalink for an approval message", "id", a.ID, "err", err)
		return ""
	}
	return url
}

// linkNote is the note that links a request, nothing without a link.
func linkNote(url string) []string {
	if url == "" {
		return nil
	}
	return []string{"The request: " + url}
}

// threadReply posts m in the thread of a's message (broadcast: in the
// channel too) and reports whether it could.
func (e *Engine) threadReply(ctx context.Context, a *store.Approval, m reply.Message, broadcast bool) bool {
	th, ok := e.cfg.Notifier.(Threader)
	if !ok || a.MessageID == "" {
		return false
	}
	m.Visibility = reply.Shared
	if _, err := th.Reply(ctx, reply.Ref{Channel: a.MessageChannel, ID: a.MessageID}, m, broadcast); err != nil {
		e.log.WarnContext(ctx, "cannot reply in the thread of an approval", "id", a.ID, "err", err)
		return false
	}
	return true
}

// changed tells OnChange that a moved.
func (e *Engine) changed(ctx context.Context, a *store.Approval) {
	if e.cfg.OnChange == nil {
		return
	}
	c := Change{ID: a.ID, Team: a.Team, Requester: a.Requester, State: string(a.State)}
	if isPaid(a.Action) && len(e.cfg.Approvers) > 0 {
		c.Deciders = e.deciders(ctx, a.Requester, true)
	}
	e.cfg.OnChange(ctx, c)
}

// requestChannel is where by's paid request is posted: the approvals
// channel when one is set, else where it was asked, which may not be a
// DM (nobody who approves reads it).
func (e *Engine) requestChannel(by Actor) (string, error) {
	if e.cfg.ApprovalsChannel != "" {
		return e.cfg.ApprovalsChannel, nil
	}
	if isDirect(by) {
		return "", apperr.Errorf(apperr.EINVALID,
			"Paid requests need approvers, who do not read this conversation: ask in a channel, or have PAASBOT_APPROVALS_CHANNEL set to the channel where paasbot posts approval requests. Nothing was done.")
	}
	return by.Channel, nil
}

// isDirect reports whether by asked in an IM or a group DM.
func isDirect(by Actor) bool { return by.Direct || strings.HasPrefix(by.Channel, "D") }

// notifyDeciders DMs everyone a's request waits for (its requester aside
// when others decide): what it is, its buttons and its link; reminder
// says it is the one reminder. It returns, for the requester, who could
// not be reached and why.
func (e *Engine) notifyDeciders(ctx context.Context, a *store.Approval, p Plan, reminder bool) []string {
	if !e.canDM() || a.State != store.StatePending {
		return nil
	}
	paid := isPaid(a.Action)
	people := e.deciders(ctx, a.Requester, paid)
	if !reminder && (len(people) == 0 || (len(people) == 1 && people[0] == a.Requester)) {
		return nil // the requester has the answer to their command
	}
	if paid && len(e.cfg.Approvers) > 0 && len(people) == 0 {
		return []string{fmt.Sprintf("No approver other than you could be found (%s): nobody can approve it yet.", e.approverList())}
	}
	exp := a.ExpiresAt
	m := reply.Message{Tone: reply.Warning,
		Title: fmt.Sprintf("Approval #%d waits for you", a.ID),
		Text:  fmt.Sprintf("%s asks to *%s*.", human.Person(a.Requester), a.Summary),
		Notes: append(linkNote(e.link(ctx, a)), fmt.Sprintf("Expires %s (in %s).", human.DateTime(&exp), human.Duration(a.ExpiresAt.Sub(e.now())))),
	}
	if reminder {
		m.Title = fmt.Sprintf("Reminder: approval #%d still waits", a.ID)
	}
	m.Fields = append(m.Fields, p.Summary...)
	for _, b := range e.pendingButtons(a, p) {
		if b.Action != "approval.cancel" {
			m.Buttons = append(m.Buttons, b)
		}
	}
	// A few at once: a user group of fifty must not hold the requester's
	// answer for fifty conversations.open and chat.postMessage in a row.
	missed := make([]string, len(people))
	sem := make(chan struct{}, dmFanOut)
	var wg sync.WaitGroup
	for i, u := range people {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := e.dm(ctx, u, m); err != nil {
				e.log.WarnContext(ctx, "cannot DM an approver", "id", a.ID, "user", u, "err", err)
				missed[i] = unreachable(u, err)
			}
		})
	}
	wg.Wait()
	return slices.DeleteFunc(missed, func(s string) bool { return s == "" })
}

// dmFanOut bounds the DMs of one request sent at once.
const dmFanOut = 8

// tellRequester DMs a's requester about a move (the decision, the end):
// text says what happened; the request is linked.
func (e *Engine) tellRequester(ctx context.Context, a *store.Approval, tone reply.Tone, text string) {
	if !e.canDM() {
		return
	}
	m := reply.Message{Tone: tone, Title: fmt.Sprintf("Your request #%d: %s", a.ID, a.Summary), Text: text, Notes: linkNote(e.link(ctx, a))}
	if _, err := e.dm(ctx, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot DM the requester", "id", a.ID, "user", a.Requester, "err", err)
	}
}

// auditChannel posts one line in the audit channel: a's outcome (a nil a
// is a request refused before it was stored: by and summary name it).
func (e *Engine) auditChannel(ctx context.Context, a *store.Approval, by, summary string, tone reply.Tone, outcome string) {
	if e.cfg.AuditChannel == "" || e.cfg.Notifier == nil {
		return
	}
	line := fmt.Sprintf("%s — asked by %s: %s", summary, human.Person(by), outcome)
	if a != nil {
		line = fmt.Sprintf("#%d %s — asked by %s", a.ID, a.Summary, human.Person(a.Requester))
		if d := a.DecidedBy; d != "" && d != a.Requester && d != systemActor && a.State != store.StateDenied {
			line += ", approved by " + human.Person(d)
		}
		line += ": " + outcome
		if url := e.link(ctx, a); url != "" {
			line += " " + url
		}
	}
	if _, err := e.cfg.Notifier.Post(ctx, e.cfg.AuditChannel, reply.Message{Visibility: reply.Shared, Tone: tone, Text: line}); err != nil {
		e.log.WarnContext(ctx, "cannot post in the audit channel", "channel", e.cfg.AuditChannel, "err", err)
	}
}

// decided tells people of a decision: the requester by DM (approved by
// someone else, denied with its reason, expired), the audit channel of a
// denial or an expiry (of a paid request: a confirm button its requester
// let lapse is nobody's news).
func (e *Engine) decided(ctx context.Context, a *store.Approval, reason string) {
	switch a.State {
	case store.StateApproved, store.StateExecuting:
		if a.DecidedBy != "" && a.DecidedBy != a.Requester && isPaid(a.Action) {
			e.tellRequester(ctx, a, reply.Info, fmt.Sprintf("Approved by %s; it runs now, once, with your API key.", human.Person(a.DecidedBy)))
		}
	case store.StateDenied:
		text := fmt.Sprintf("Denied by %s. Nothing was done.", human.Person(a.DecidedBy))
		outcome := "denied by " + human.Person(a.DecidedBy)
		if reason != "" {
			text += "\nReason: " + reason
			outcome += " (" + reason + ")"
		}
		e.tellRequester(ctx, a, reply.Info, text)
		e.auditChannel(ctx, a, "", "", reply.Info, outcome)
	case store.StateExpired:
		if !isPaid(a.Action) {
			break // a confirm button its requester left: nobody waited on it
		}
		exp := a.ExpiresAt
		e.tellRequester(ctx, a, reply.Info, fmt.Sprintf("Expired at %s without a decision. Nothing was done; ask again if it is still needed.", human.DateTime(&exp)))
		e.auditChannel(ctx, a, "", "", reply.Info, "expired without a decision")
	}
	e.changed(ctx, a)
}

// ended tells people how a request that ran (or was meant to) ended: the
// outcome as a reply in its thread, broadcast to the channel; a DM to
// the requester; a line in the audit channel. pr is the follow-up (nil
// when no operation was followed), override the status when the state
// alone does not say it.
func (e *Engine) ended(ctx context.Context, a *store.Approval, p Plan, pr *progress, override string) {
	tone, word := endWords(a, pr)
	detail := override
	if detail == "" {
		switch {
		case pr != nil && pr.Error != "":
			detail = pr.Error
		case a.State == store.StateFailed:
			detail = a.Error
		case a.State == store.StateInterrupted:
			detail = fmt.Sprintf("paasbot cannot tell whether it ran; check `/paas %s` before asking again. It will not be re-run.", checkCommand(p))
		}
	}
	text := word
	if detail != "" {
		text += ": " + detail
	}
	if len(resultNotes(p, pr)) > 0 {
		text += "\n" + strings.Join(resultNotes(p, pr), "\n")
	}
	e.threadReply(ctx, a, reply.Message{Tone: tone, Text: fmt.Sprintf("#%d %s — %s", a.ID, a.Summary, text)}, true)
	e.tellRequester(ctx, a, tone, human.UpperFirst(text))
	e.auditChannel(ctx, a, "", "", tone, strings.SplitN(text, "\n", 2)[0])
	e.changed(ctx, a)
}

// endWords are the tone and the word of a request's end.
func endWords(a *store.Approval, pr *progress) (reply.Tone, string) {
	switch {
	case a.State == store.StateInterrupted:
		return reply.Warning, "interrupted"
	case a.State == store.StateFailed, pr != nil && pr.Outcome == outcomeFailed:
		return reply.Error, "failed"
	case pr != nil && pr.Outcome == outcomeGaveUp:
		return reply.Warning, "outcome unknown"
	}
	return reply.Success, "done"
}

// resultNotes say what a finished request produced: the new expiry of a
// renewal, the new instance of a create.
func resultNotes(p Plan, pr *progress) []string {
	if pr == nil {
		return nil
	}
	var out []string
	for _, f := range resultFields(p, pr) {
		out = append(out, f.Label+": "+f.Value)
	}
	return out
}

// stepReply posts, in the thread of a's message, that operation op moved
// to a new step.
func (e *Engine) stepReply(ctx context.Context, a *store.Approval, op opState) {
	text := fmt.Sprintf("Operation %d (%s): %s", op.ID, op.Type, stepTrail(op))
	if op.LastError != "" {
		text += " — " + op.LastError
	}
	e.threadReply(ctx, a, reply.Message{Tone: reply.Info, Text: text}, false)
}

// announce posts a confirmed restart, delete or vhost delete where it was
// asked (the audit channel when asked in a DM), for the team to see, and
// records it as a's message, which is then edited to the outcome. It
// reports whether it did.
func (e *Engine) announce(ctx context.Context, by Actor, a *store.Approval, p Plan) bool {
	if e.cfg.Notifier == nil {
		return false
	}
	channel := a.Channel
	if isDirect(by) || strings.HasPrefix(channel, "D") || channel == "local" {
		channel = e.cfg.AuditChannel
	}
	if channel == "" {
		return false
	}
	m := e.approvalMessage(a, p, nil, "")
	m.Visibility = reply.Shared
	ref, err := e.cfg.Notifier.Post(ctx, channel, m)
	if err != nil || ref.ID == "" {
		e.log.WarnContext(ctx, "cannot announce a confirmed action", "id", a.ID, "channel", channel, "err", err)
		return false
	}
	if err := e.cfg.Store.SetApprovalMessage(ctx, a.ID, ref.Channel, ref.ID); err != nil {
		e.log.ErrorContext(ctx, "cannot record where a confirmed action was announced", "id", a.ID, "err", err)
	}
	a.MessageChannel, a.MessageID = ref.Channel, ref.ID
	return true
}
