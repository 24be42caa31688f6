package approvals

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// approvalMessage renders a request in its current state: the one message
// that is posted, then updated at each decision and as its operations
// move. pr is the follow-up of an executed request (nil before), override
// replaces the status line (a restart's interruption, an unknown outcome).
// It is a pure function of its arguments and the clock.
func (e *Engine) approvalMessage(a *store.Approval, p Plan, pr *progress, override string) reply.Message {
	paid := isPaid(a.Action)
	m := reply.Message{Visibility: reply.Shared, Title: fmt.Sprintf("Approval #%d: %s", a.ID, human.UpperFirst(a.Summary))}
	if !paid {
		m.Visibility = reply.Private
		m.Title = human.UpperFirst(a.Summary)
		if a.State == store.StatePending {
			m.Title += "?"
		}
	}
	m.Fields = append(m.Fields, p.Summary...)
	m.Fields = append(m.Fields, reply.Field{Label: "Requested by", Value: human.Person(a.Requester)})
	by := ""
	if a.DecidedBy != "" {
		by = " by " + human.Person(a.DecidedBy)
		if a.DecidedAt != nil {
			by += " at " + human.DateTime(a.DecidedAt)
		}
	}
	switch a.State {
	case store.StatePending:
		m.Tone = reply.Warning
		exp := a.ExpiresAt
		if paid {
			m.Text = fmt.Sprintf("%s asks to *%s*. %s Approving runs it once, with %s's API key.",
				human.Person(a.Requester), a.Summary, checkedBy(a.Action), human.Person(a.Requester))
			m.Notes = append(m.Notes, e.policyNote(a))
		} else {
			m.Text = fmt.Sprintf("Confirm to %s now. Only %s can press these buttons.", a.Summary, human.Person(a.Requester))
		}
		m.Notes = append(m.Notes, fmt.Sprintf("Expires %s (in %s).", human.DateTime(&exp), human.Duration(a.ExpiresAt.Sub(e.now()))))
		m.Buttons = e.pendingButtons(a, p)
	case store.StateApproved, store.StateExecuting:
		m.Tone = reply.Info
		m.Text = fmt.Sprintf("%s%s; running it with %s's API key…", decidedWord(a), by, human.Person(a.Requester))
	case store.StateDone:
		m.Tone, m.Text = doneStatus(a, pr, by, p)
	case store.StateFailed:
		if pr != nil && len(pr.Ops) > 0 {
			// The call ran and its operations failed.
			m.Tone, m.Text = doneStatus(a, pr, by, p)
			break
		}
		m.Tone = reply.Error
		m.Text = fmt.Sprintf("Failed: %s\n%s%s. It did not run, so nothing changed.", human.OrDefault(a.Error, "Gandi refused the call."), decidedWord(a), by)
	case store.StateDenied:
		m.Tone = reply.Info
		m.Text = fmt.Sprintf("Denied%s. Nothing was done.", by)
	case store.StateCancelled:
		m.Tone = reply.Info
		m.Text = fmt.Sprintf("Cancelled%s. Nothing was done.", by)
	case store.StateExpired:
		m.Tone = reply.Info
		exp := a.ExpiresAt
		m.Text = fmt.Sprintf("Expired at %s without a decision. Nothing was done; ask again if it is still needed.", human.DateTime(&exp))
	case store.StateInterrupted:
		m.Tone = reply.Warning
		m.Text = fmt.Sprintf("⚠ Interrupted: paasbot cannot tell whether it ran (%s). Check in Gandi (`/paas %s`) before asking again; it will not be re-run.",
			human.OrDefault(a.Error, "it was sent to Gandi, and the process running it stopped before the answer"), checkCommand(p))
		if by != "" {
			m.Text += "\n" + decidedWord(a) + by + "."
		}
	default:
		m.Text = string(a.State)
	}
	if override != "" {
		m.Text = override
	}
	if !paid && a.State != store.StatePending {
		// Announced in the channel: who does what comes first.
		m.Text = fmt.Sprintf("%s: %s.\n%s", human.Person(a.Requester), a.Summary, m.Text)
	}
	if p.Unapproved {
		m.Title = fmt.Sprintf("Ran WITHOUT approval #%d: %s", a.ID, human.UpperFirst(a.Summary))
		m.Text = "⚠ " + unapprovedText(p) + "\n" + m.Text
		if m.Tone != reply.Error {
			m.Tone = reply.Warning
		}
	}
	if pr != nil {
		m.Table = opsTable(pr)
		result := resultFields(p, pr)
		if p.Action == ActionRenew && len(result) > 0 {
			// The final state shows the expiry the renewal gave, not the
			// old one beside it.
			m.Fields = slices.DeleteFunc(m.Fields, func(f reply.Field) bool { return f.Label == "Expiry" })
		}
		m.Fields = append(m.Fields, result...)
	}
	return m
}

// unapprovedText says what happened to a call Gandi ran when asked for a
// dry run.
func unapprovedText(p Plan) string {
	return fmt.Sprintf("Asked for a dry run of this %s, Gandi ignored the flag and ran it: it ran without approval, and nothing can undo it. paasbot follows its operations; check `/paas %s`.",
		actionVerb(p.Action), checkCommand(p))
}

// checkedBy says how a paid request was checked before it was offered:
// by Gandi's dry run where the reference documents one, by paasbot
// otherwise.
func checkedBy(action string) string {
	if action == ActionCreate {
		return "Gandi's dry run accepts it."
	}
	return fmt.Sprintf("Gandi offers no dry run for %s: paasbot checked it against the API reference and the instance, and Gandi checks the rest (credit…) when it runs.", action)
}

// decidedWord is "Approved" for a paid request, "Confirmed" for the
// requester's own confirmation.
func decidedWord(a *store.Approval) string {
	if isPaid(a.Action) {
		return "Approved"
	}
	return "Confirmed"
}

// doneStatus is the status of a request whose call ran, by where its
// operations stand.
func doneStatus(a *store.Approval, pr *progress, by string, p Plan) (reply.Tone, string) {
	head := decidedWord(a) + by + "."
	if p.Unapproved {
		head = "Nobody approved it."
	}
	if pr == nil {
		return reply.Success, head + " Done."
	}
	switch pr.Outcome {
	case outcomeDone:
		end := ""
		if pr.Ended != nil {
			end = " at " + human.DateTime(pr.Ended)
		}
		return reply.Success, fmt.Sprintf("Done%s. %s", end, head)
	case outcomeFailed:
		return reply.Error, fmt.Sprintf("Failed: %s\n%s Check `/paas %s`.", pr.Error, head, checkCommand(p))
	case outcomeGaveUp:
		return reply.Warning, fmt.Sprintf("%s Gandi accepted it, but paasbot stopped following its operations: %s Check `/paas %s`.",
			head, human.OrDefault(pr.Error, "they took too long."), checkCommand(p))
	}
	return reply.Info, fmt.Sprintf("%s Gandi accepted it; following %s…", head, human.Plural(len(pr.Ops), "operation"))
}

// pendingButtons are Approve and Deny for the deciders and Cancel for the
// requester (paid); Confirm and Cancel for the confirm flow, where delete
// asks again in a dialog naming the instance.
func (e *Engine) pendingButtons(a *store.Approval, p Plan) []reply.Button {
	ids := strconv.FormatInt(a.ID, 10)
	cancel := reply.Button{Label: "Cancel", Action: "approval.cancel", Value: ids, Command: "cancel " + ids}
	if isPaid(a.Action) {
		return []reply.Button{
			{Label: "Approve", Action: "approval.approve", Value: ids, Style: reply.Primary, Command: "approve " + ids, Confirm: approveConfirm(a, p)},
			{Label: "Deny", Action: "approval.deny", Value: ids, Style: reply.Danger, Command: "deny " + ids},
			cancel,
		}
	}
	ok := reply.Button{Label: human.UpperFirst(actionVerb(a.Action)), Action: "approval.approve", Value: ids, Style: reply.Primary, Command: "approve " + ids}
	switch a.Action {
	case ActionDelete:
		ok.Style = reply.Danger
		ok.Confirm = &reply.Confirm{Title: "Delete " + p.Target + "?",
			Text:    fmt.Sprintf("Delete %s? This destroys the instance and its disk.", p.Target),
			Confirm: "Delete it", Deny: "Keep it"}
	case ActionVhostDelete:
		ok.Style = reply.Danger
		ok.Confirm = &reply.Confirm{Title: "Delete this vhost?",
			Text:    fmt.Sprintf("Unlink %s? Its files move to /lamp0/web/trash.", p.Target),
			Confirm: "Delete it", Deny: "Keep it"}
	}
	return []reply.Button{ok, cancel}
}

// opsTable shows the operations of an executed request and their steps.
func opsTable(pr *progress) *reply.Table {
	if len(pr.Ops) == 0 {
		return nil
	}
	t := &reply.Table{Columns: []string{"operation", "type", "step", "note"}, Align: []bool{true, false, false, false}}
	for _, op := range pr.Ops {
		t.Rows = append(t.Rows, []string{strconv.Itoa(op.ID), op.Type, stepTrail(op), human.OrDash(op.LastError)})
	}
	return t
}

// stepTrail writes the steps an operation went through: "BILL → RUN → DONE".
func stepTrail(op opState) string {
	if len(op.Trail) == 0 {
		return op.Step
	}
	return strings.Join(op.Trail, " → ")
}

// resultFields show what a finished create produced, or the expiry date
// a finished renewal gave.
func resultFields(p Plan, pr *progress) []reply.Field {
	in := pr.Instance
	if in == nil {
		return nil
	}
	if p.Action == ActionRenew {
		if in.DateEnd == nil {
			return nil
		}
		return []reply.Field{{Label: "Expires now", Value: human.Date(in.DateEnd)}}
	}
	f := []reply.Field{{Label: "Instance", Value: InstanceLabel(in.ID, in.Name)}}
	if in.FTPServer != "" {
		f = append(f, reply.Field{Label: "SFTP", Value: in.FTPServer})
	}
	if in.GitServer != "" {
		f = append(f, reply.Field{Label: "Git", Value: in.GitServer})
	}
	if len(in.Vhosts) > 0 {
		f = append(f, reply.Field{Label: "Vhosts", Value: strings.Join(in.Vhosts, ", ")})
	}
	return f
}

// checkCommand is the command that shows what a request acted on.
func checkCommand(p Plan) string {
	switch {
	case p.Vhost != nil && p.Vhost.FQDN != "" && p.Action != ActionVhostCreate:
		return "vhost info " + p.Vhost.FQDN
	case p.InstanceID > 0:
		return "info " + strconv.Itoa(p.InstanceID)
	case p.Create != nil:
		return "info " + quoteArg(p.Create.Name)
	}
	return "list"
}

// quoteArg quotes a name with spaces so that it can be typed back.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " \t'\"") {
		return strconv.Quote(s)
	}
	return s
}

// approveConfirm is the dialog Slack shows before an Approve click counts
// (DESIGN §9): the action, the target and the price, or "price unknown".
// Slack allows 100 characters of title and 300 of text.
func approveConfirm(a *store.Approval, p Plan) *reply.Confirm {
	price := "price unknown"
	for _, f := range p.Summary {
		if f.Label == "Price" && f.Value != "" {
			price = f.Value
		}
	}
	target := p.Target
	if target == "" {
		target = a.Target
	}
	title := clip(fmt.Sprintf("%s %s?", human.UpperFirst(actionVerb(a.Action)), target), 100)
	// Plain text: Slack shows no mention in a confirm dialog.
	text := clip(fmt.Sprintf("Approve #%d: %s %s. Price: %s. It runs once, at once, with the requester's API key.",
		a.ID, actionVerb(a.Action), target, price), 300)
	return &reply.Confirm{Title: title, Text: text, Confirm: "Approve", Deny: "Not now"}
}

// clip cuts s to at most n characters, ending it with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
