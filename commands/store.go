package commands

// Store is everything the core keeps: the union of the small interfaces
// declared next to it (one file each, so that each feature extends its
// own). *store.DB implements it; the compile-time check lives in the tests
// and in cmd/paasbot.
type Store interface {
	KeyStore
	AuditStore
	SubscriptionStore
}
