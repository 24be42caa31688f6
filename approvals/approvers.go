package approvals

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paasbot/paasbot/internal/human"
)

// Who the approvers are. PAASBOT_APPROVERS holds user ids (U…, W…) and
// user-group ids (S…); a group's members are read with Config.Groups when
// a request is posted and when a click is checked, and trusted for
// Config.GroupTTL (at most 5 minutes), so that someone removed from the
// group stops approving within minutes without a Slack call per click. A
// group that cannot be read counts as empty (nobody approves through it)
// and is logged: money is never approved by a list paasbot could not read.

// IsGroupID reports whether id names a Slack user group (S…).
func IsGroupID(id string) bool {
	if len(id) < 3 || id[0] != 'S' {
		return false
	}
	for _, r := range id[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// isGroup reports whether approver id is a user group to expand: only
// with a GroupResolver (the shell names people, and "SAM" is one).
func (e *Engine) isGroup(id string) bool { return e.cfg.Groups != nil && IsGroupID(id) }

// groupCache holds the members of the approvers' groups, read at.
type groupCache struct {
	mu      sync.Mutex
	members map[string]cachedGroup
}

type cachedGroup struct {
	users []string
	at    time.Time
}

func newGroupCache() *groupCache { return &groupCache{members: map[string]cachedGroup{}} }

// groupMembers returns the members of group, read again when the cached
// copy is older than GroupTTL. ok is false when it could not be read.
func (e *Engine) groupMembers(ctx context.Context, group string) ([]string, bool) {
	now := e.now()
	e.groups.mu.Lock()
	c, cached := e.groups.members[group]
	e.groups.mu.Unlock()
	if cached && now.Sub(c.at) < e.cfg.GroupTTL {
		return c.users, true
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	users, err := e.cfg.Groups.GroupMembers(ctx, group)
	if err != nil {
		e.log.WarnContext(ctx, "cannot read the members of an approvers' user group; nobody approves through it", "group", group, "err", err)
		return nil, false
	}
	users = slices.Clone(users)
	e.groups.mu.Lock()
	e.groups.members[group] = cachedGroup{users: users, at: now}
	e.groups.mu.Unlock()
	return users, true
}

// approvers are the people who may approve a paid request now: the listed
// users and the members of the listed groups, in order, without repeats.
func (e *Engine) approvers(ctx context.Context) []string {
	var out []string
	for _, id := range e.cfg.Approvers {
		if !e.isGroup(id) {
			out = append(out, id)
			continue
		}
		users, _ := e.groupMembers(ctx, id)
		out = append(out, users...)
	}
	seen := make(map[string]bool, len(out))
	return slices.DeleteFunc(out, func(u string) bool {
		dup := seen[u]
		seen[u] = true
		return dup
	})
}

// isApprover reports whether user may approve paid requests, reading the
// groups that need it.
func (e *Engine) isApprover(ctx context.Context, user string) bool {
	if slices.Contains(e.cfg.Approvers, user) {
		return true
	}
	for _, id := range e.cfg.Approvers {
		if !e.isGroup(id) {
			continue
		}
		if users, _ := e.groupMembers(ctx, id); slices.Contains(users, user) {
			return true
		}
	}
	return false
}

// IsApprover reports whether user is one of the configured approvers,
// listed or a member of a listed group as last read (it asks Slack
// nothing: whoami shows it).
func (e *Engine) IsApprover(user string) bool {
	if slices.Contains(e.cfg.Approvers, user) {
		return true
	}
	e.groups.mu.Lock()
	defer e.groups.mu.Unlock()
	for _, id := range e.cfg.Approvers {
		if slices.Contains(e.groups.members[id].users, user) {
			return true
		}
	}
	return false
}

// approverList names the configured approvers for messages: people as
// mentions, a group as "user group S…".
func (e *Engine) approverList() string {
	if len(e.cfg.Approvers) == 0 {
		return "the requester"
	}
	names := make([]string, len(e.cfg.Approvers))
	for i, id := range e.cfg.Approvers {
		if e.isGroup(id) {
			names[i] = "user group " + id
			continue
		}
		names[i] = human.Person(id)
	}
	return strings.Join(names, ", ")
}

// deciders are who a pending request waits for: the approvers other than
// its requester for a paid request with approvers configured, else the
// requester alone.
func (e *Engine) deciders(ctx context.Context, requester string, paid bool) []string {
	if !paid || len(e.cfg.Approvers) == 0 {
		return []string{requester}
	}
	return slices.DeleteFunc(e.approvers(ctx), func(u string) bool { return u == requester })
}
