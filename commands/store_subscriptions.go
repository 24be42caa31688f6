package commands

import (
	"context"

	"github.com/paasbot/paasbot/store"
)

// SubscriptionStore keeps alert subscriptions (store.DB). The alerts
// commands own this file.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s *store.Subscription) (int64, error)
	Subscription(ctx context.Context, id int64) (*store.Subscription, error)
	Subscriptions(ctx context.Context, team string) ([]store.Subscription, error)
	DeleteSubscription(ctx context.Context, team string, id int64) error
	// TakeOverSubscription makes newOwner the owner of a paused
	// subscription (their key is used from now on) and un-pauses it;
	// store.ErrConflict when it is running.
	TakeOverSubscription(ctx context.Context, id int64, newOwner string) error
}
