// Package commands is paasbot's platform-neutral core: it parses what
// people type after /paas, runs it against the Gandi API with the caller's
// own key, runs the approval flow of paid and destructive operations, and
// answers with reply.Message values that a transport renders. It imports
// neither Slack nor any transport; the transports in package bot call
// (*Core).Handle, (*Core).Click and (*Core).SubmitForm.
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
	// Text is what follows "/paas", as the transport received it (Slack
	// escapes and link forms included; the parser unwraps them).
	Text string
}

// Click is a button pressed by someone. User is who clicked, which is what
// every permission check uses, never the original requester.
type Click struct {
	Team, User, UserName, Channel string
	Action, Value                 string
	// Message is the message that carried the button, for updates.
	Message reply.Ref
}

// Submission is a reply.Form filled in by its person.
type Submission struct {
	Team, User, Channel string
	FormID              string
	Value               string
}

// Notifier delivers messages outside the reply to the current request:
// shared approval requests that are updated as they progress, and private
// notes such as a generated password. Transports implement it.
type Notifier interface {
	// Post posts m in channel and returns a reference for later updates.
	Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error)
	// Update replaces the content of a message posted earlier.
	Update(ctx context.Context, ref reply.Ref, m reply.Message) error
	// PostPrivate shows m to user only (Slack: ephemeral or direct message).
	PostPrivate(ctx context.Context, channel, user string, m reply.Message) error
}
