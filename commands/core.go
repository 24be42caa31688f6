// Package commands is paasbot's platform-neutral core: it parses what
// people type after /paas (and the buttons and forms of its replies),
// checks it against the command specs, runs the handlers against the Gandi
// API with the caller's own key, hands paid and destructive commands and
// their decisions to the approvals engine, and answers with reply.Message
// values that a transport renders. It imports neither Slack nor any
// transport; the transports in package bot call (*Core).Handle,
// (*Core).Click and (*Core).SubmitForm. It declares what it needs of the
// store (Store), of Gandi (Gandi, one small interface per API area) and of
// the engine (Approvals); cmd/paasbot wires the real ones.
package commands

import (
	"context"

	"github.com/paasbot/paasbot/reply"
)

// Request is one command typed by a person, whatever the transport.
type Request struct {
	// Team is the workspace (Slack team id; "local" in the shell).
	Team string
	// User is who typed it (Slack user id; the shell's --user). Their own
	// API key is the only one used for the command.
	User string
	// UserName is a display name for messages; may be empty.
	UserName string
	// Channel is where it was typed; shared messages go there.
	Channel string
	// Direct says Channel is a direct message (an IM or a group DM), where
	// no approver reads a paid request.
	Direct bool
	// Terminal says the request comes from the shell: its help speaks of
	// typing commands, not of Slack's buttons, forms or channels.
	Terminal bool
	// Text is what follows "/paas", as the transport received it (Slack
	// escapes and link forms included; the parser unwraps them).
	Text string
}

// Click is a button pressed by someone. User is who clicked, which is what
// every permission check uses, never the original requester.
type Click struct {
	Team, User, UserName, Channel string
	// Direct says Channel is a direct message (see Request.Direct).
	Direct        bool
	Action, Value string
	// Reason is what the clicker wrote in the form the button opened (the
	// Deny form's optional reason); "" for none.
	Reason string
	// Message is the message that carried the button, for updates.
	Message reply.Ref
}

// Submission is a reply.Form filled in by its person: Value for the
// one-input login form, Values (by FormField.Name; a FieldSwitches
// field's chosen switches comma-separated) for a command's form.
type Submission struct {
	Team, User, Channel string
	FormID              string
	Value               string
	Values              map[string]string
}

// Notifier posts messages outside the reply to the current request: the
// notice an alert's channel gets when someone else changes it. Transports
// implement it (the approvals engine declares its own, larger one).
type Notifier interface {
	// Post posts m in channel and returns a reference for later updates.
	Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error)
}
