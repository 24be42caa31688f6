package commands

// The alerts engineer owns this file: the AlertScheduler interface the core
// uses to add, remove and run subscriptions, and the handlers of the
// "alerts" commands. This first version only registers the command so that
// the language, its help and did-you-mean know it.

import (
	"context"

	"github.com/paasbot/paasbot/reply"
)

// AlertScheduler is what the core needs of the alerts scheduler. It is
// empty until the alerts commands are written.
type AlertScheduler interface{}

// alertCommands are the "alerts" commands, added to the registry by New.
func (c *Core) alertCommands() []*CommandSpec {
	notYet := func(context.Context, *Core, *Call) (reply.Message, error) {
		return reply.Message{}, Errorf(EINVALID, "alerts are not available yet")
	}
	return []*CommandSpec{{
		Name:    "alerts",
		Summary: "scheduled reports in a channel (expiry, upgrade, snapshots)",
		Args:    []Param{{Name: "action", Hint: "list|add|remove|run", Kind: KindString}, {Name: "what", Hint: "kind|id", Kind: KindString}, {Name: "channel", Kind: KindString}},
		Keys: []Param{
			{Name: "schedule", Kind: KindString}, {Name: "tz", Kind: KindString},
			{Name: "days", Kind: KindString}, {Name: "quiet", Kind: KindString},
		},
		NoKey: true,
		Run:   notYet,
	}}
}
