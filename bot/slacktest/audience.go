package slacktest

import (
	"slices"
)

// MessageFilter selects messages by where they were shown and who could
// see them; the zero filter selects every message not deleted.
type MessageFilter struct {
	Channel string // the channel the app named ("" for any)
	// VisibleTo keeps what this person could see.
	VisibleTo string
	// Visibility keeps one kind: VisibleToChannel, VisibleToOne, ...
	Visibility Visibility
	// ThreadTS keeps the replies in this thread (not its parent).
	ThreadTS string
	// TopLevel keeps what the conversation's history shows: no
	// ephemeral, no thread reply unless broadcast.
	TopLevel bool
	// Source keeps messages made by chat.postMessage, chat.postEphemeral
	// or response_url.
	Source         string
	IncludeDeleted bool
}

func (f MessageFilter) match(m Message) bool {
	return (f.Channel == "" || m.Channel == f.Channel) &&
		(f.VisibleTo == "" || m.VisibleTo(f.VisibleTo)) &&
		(f.Visibility == "" || m.Visibility == f.Visibility) &&
		(f.ThreadTS == "" || (m.ThreadTS == f.ThreadTS && m.TS != f.ThreadTS)) &&
		(!f.TopLevel || m.InChannelView()) &&
		(f.Source == "" || m.Source == f.Source) &&
		(f.IncludeDeleted || !m.Deleted)
}

// Find returns every message f selects, in the order they were shown: the
// bot's posts (latest versions) and, as ephemeral messages with no ts,
// the replies through a response_url that only the person who typed or
// clicked saw. Who saw what is in each message's Visibility and SeenBy, so
// tests need not match wording.
func (s *Server) Find(f MessageFilter) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []Message
	for _, m := range s.messages {
		all = append(all, m.clone())
	}
	for _, p := range s.posts {
		if p.Error != "" || !p.Private {
			continue
		}
		all = append(all, Message{
			Channel: p.Channel, User: p.User, Ephemeral: true, Text: p.Text, Blocks: p.Blocks,
			Visibility: VisibleToOne, SeenBy: []string{p.User}, Source: "response_url",
			Versions: []MessageVersion{{Text: p.Text, Blocks: p.Blocks, Method: "response_url"}},
			seq:      p.seq,
		})
	}
	slices.SortStableFunc(all, func(a, b Message) int { return a.seq - b.seq })
	out := all[:0]
	for _, m := range all {
		if f.match(m) {
			out = append(out, m)
		}
	}
	return slices.Clip(out)
}

// VisibleTo returns everything user could see (deleted messages aside):
// posts in conversations they are in (every undeclared channel counts),
// their ephemerals and DMs.
func (s *Server) VisibleTo(user string) []Message {
	return s.Find(MessageFilter{VisibleTo: user})
}

// Thread returns a thread: its parent message first, then its replies in
// order (deleted ones aside). Nil when channel has no message at ts.
func (s *Server) Thread(channel, ts string) []Message {
	parent, ok := s.Message(channel, ts)
	if !ok || parent.Deleted {
		return nil
	}
	return append([]Message{parent}, s.Find(MessageFilter{Channel: channel, ThreadTS: ts})...)
}

// DMs returns the messages the bot posted in its IM with user (opened with
// conversations.open or IMWith), in order: what DESIGN §9 calls a DM.
func (s *Server) DMs(user string) []Message {
	s.mu.Lock()
	id, ok := s.imByUser[user]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.Find(MessageFilter{Channel: id})
}
