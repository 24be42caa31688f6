package commands

import (
	"context"

	"github.com/paasbot/paasbot/store"
)

// SubscriptionStore keeps alert subscriptions. The alerts engineer owns
// this file and may add the methods the alerts commands need.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s *store.Subscription) (int64, error)
	Subscription(ctx context.Context, id int64) (*store.Subscription, error)
	Subscriptions(ctx context.Context, team string) ([]store.Subscription, error)
	DeleteSubscription(ctx context.Context, team string, id int64) error
}
