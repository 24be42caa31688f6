package approvals

import (
	"context"

	"github.com/paasbot/paasbot/reply"
)

// Notifier delivers what the engine tells people outside the reply to the
// current request: the shared approval request that is then updated as it
// is decided and as its operations move, and private notes (a generated
// password, how a confirmed request ended). Transports implement it
// (bot.SlackPoster, bot.Shell). Each call must be safe for concurrent use.
type Notifier interface {
	// Post posts m in channel and returns a reference for later updates.
	Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error)
	// Update replaces the content of a message posted earlier.
	Update(ctx context.Context, ref reply.Ref, m reply.Message) error
	// PostPrivate shows m to user only.
	PostPrivate(ctx context.Context, channel, user string, m reply.Message) error
}
