package approvals

import (
	"context"

	"github.com/paasbot/paasbot/reply"
)

// Notifier delivers what the engine tells people outside the reply to the
// current request: the shared approval request (or the announcement of a
// confirmed action) that is then updated as it is decided and as its
// operations move, the audit channel's lines, and private notes (that a
// password could not be delivered; without a DirectMessenger, the
// password itself and how a confirmed request ended). Transports
// implement it (bot.SlackPoster, bot.Shell). Each call must be safe for
// concurrent use.
type Notifier interface {
	// Post posts m in channel and returns a reference for later updates.
	Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error)
	// Update replaces the content of a message posted earlier.
	Update(ctx context.Context, ref reply.Ref, m reply.Message) error
	// PostPrivate shows m to user only.
	PostPrivate(ctx context.Context, channel, user string, m reply.Message) error
}

// What a transport may offer beyond Notifier. The engine asks for each by
// a type assertion, so that a transport without it (the shell, a test's
// recorder) keeps working: without a DirectMessenger nobody is sent a DM
// and secrets go through PostPrivate (the shell prints them to its one
// person); without a Threader progress only edits the request's message;
// without a Linker messages carry no link.

// DirectMessenger sends m to one person in their own DM with the app
// (Slack: conversations.open for that user, then chat.postMessage to the
// IM it returns; never an ephemeral, never a post to the user id). The
// error of a DM that cannot be sent says why in words a person can read
// (an *apperr.Error): a deactivated account, a bot, a missing scope.
type DirectMessenger interface {
	DM(ctx context.Context, user string, m reply.Message) (reply.Ref, error)
}

// Threader posts m as a reply in the thread of a message posted with
// Post; broadcast also shows the reply in the channel.
type Threader interface {
	Reply(ctx context.Context, parent reply.Ref, m reply.Message, broadcast bool) (reply.Ref, error)
}

// Linker gives a link to a message posted with Post or DM.
type Linker interface {
	Permalink(ctx context.Context, ref reply.Ref) (string, error)
}

// GroupResolver lists the members of a user group of PAASBOT_APPROVERS
// (Slack: usergroups.users.list, scope usergroups:read).
type GroupResolver interface {
	GroupMembers(ctx context.Context, group string) ([]string, error)
}

// Change is what OnChange hears: request id moved to state (a transport's
// App Home may refresh the people concerned: Requester, the deciders).
type Change struct {
	ID        int64
	Team      string
	Requester string
	State     string
	// Deciders are the people who may approve a paid request, user groups
	// expanded (as cached), the requester aside; nil for a request its
	// requester confirms.
	Deciders []string
}
