package slacktest

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Ack is one acknowledgement received on a socket.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's payload (a view_submission's response_action,
	// for example), nil when it carried none.
	Payload json.RawMessage
	// RetryAttempt is the retry_attempt of the latest delivery of the
	// envelope when the ack arrived.
	RetryAttempt int
	// Latency runs from the write of that delivery to the ack's arrival.
	Latency time.Duration
	ConnID  int
	At      time.Time
	// Known is false when the envelope id was never sent by this server.
	Known bool
	// Duplicate is true when the envelope had already been acked.
	Duplicate bool
	// Refused is set when Slack would reject this ack's payload (a
	// view_submission "errors" naming no input block of the view, more
	// than 100 options for a block_suggestion, an option text over 75
	// characters, ...): the person would see a generic error.
	Refused string
}

// Delivery is one write of an envelope to a socket.
type Delivery struct {
	EnvelopeID   string
	Type         string
	RetryAttempt int
	RetryReason  string
	ConnID       int
	At           time.Time
}

// Envelope is what a test sent through the socket and what became of it.
type Envelope struct {
	ID          string
	Type        string // slash_commands, interactive or events_api
	Payload     json.RawMessage
	ResponseURL string // empty for view_submission
	TriggerID   string
	Deliveries  int
	Acked       bool
}

// Call is one Web API request. The token is never recorded.
type Call struct {
	Method string
	// Params holds the form fields (token removed) of form requests.
	Params url.Values
	// Body is the JSON body of JSON requests (views.*).
	Body json.RawMessage
	// Auth says how the token came: "form", "bearer" or "none".
	Auth string
	// Status is the HTTP status answered; Error the Slack error, if any.
	Status int
	Error  string
	// RetryAfter is the Retry-After of a 429 answer (before rounding up
	// to whole seconds).
	RetryAfter time.Duration
	// At is the fake's clock (WithClock) when the call arrived; Seq orders
	// calls and every other record of the fake.
	At  time.Time
	Seq int
}

// Visibility says where a message was shown.
type Visibility string

// Visibilities.
const (
	VisibleToChannel Visibility = "channel"   // to a channel's members
	VisibleToOne     Visibility = "ephemeral" // to one person, in a channel
	VisibleInDM      Visibility = "dm"        // in an IM (or a post to a user id)
	VisibleInGroupDM Visibility = "group_dm"  // to a group DM's members
)

// Message is a message the bot posted, in its latest version.
type Message struct {
	// Channel is the channel the app named: a conversation id, or a user
	// id (U…) for a post Slack puts in the app's Messages tab.
	Channel string
	TS      string
	// ThreadTS is the parent's ts for a reply in a thread (the root of
	// the thread even when the app named a reply's ts).
	ThreadTS string
	// Broadcast is true for a thread reply also shown in the channel
	// (reply_broadcast).
	Broadcast bool
	// User is the only person who sees an ephemeral message.
	User      string
	Ephemeral bool
	// Visibility and SeenBy say who could see the message when it was
	// posted: the conversation's members (sorted), or the one person of an
	// ephemeral message or a DM. Everyone is true in an undeclared channel,
	// whose members are unknown: VisibleTo then counts every person in.
	Visibility Visibility
	SeenBy     []string
	Everyone   bool
	Text       string
	Blocks     json.RawMessage
	Deleted    bool
	// Source is the method that created it: chat.postMessage,
	// chat.postEphemeral or response_url (in_channel replies).
	Source string
	// Versions holds every version, oldest first; the fields above repeat
	// the last one.
	Versions []MessageVersion

	seq int
}

// VisibleTo reports whether user could see the message.
func (m Message) VisibleTo(user string) bool {
	return m.Everyone || slices.Contains(m.SeenBy, user)
}

// InChannelView reports whether the message is in its conversation's
// history: not ephemeral, and not a thread reply unless broadcast.
func (m Message) InChannelView() bool { return !m.Ephemeral && (m.ThreadTS == "" || m.Broadcast) }

// MessageVersion is one state of a message.
type MessageVersion struct {
	Text   string
	Blocks json.RawMessage
	// Method is what produced it: chat.postMessage, chat.update,
	// response_url, ...
	Method string
}

// AllText is the message's text and every text found in its blocks, one per
// line, for assertions that do not care about layout.
func (m Message) AllText() string { return allText(m.Text, m.Blocks) }

// Button finds a button of the message by action_id.
func (m Message) Button(actionID string) (Button, bool) { return findButton(m.Blocks, actionID) }

// ResponseURLPost is one POST to a response_url.
type ResponseURLPost struct {
	URL        string
	EnvelopeID string // the slash command or interaction that carried the URL
	Use        int    // 1 for the first post to this URL
	Text       string
	Blocks     json.RawMessage
	// ResponseType is "ephemeral", "in_channel" or "" (Slack: ephemeral).
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// Error is set when Slack refused the post (used_url, expired_url,
	// invalid_payload); such posts changed nothing.
	Error string
	// Channel is where the slash command or click happened; User who did
	// it. Private is true when the post was shown to User alone (an
	// ephemeral reply, or the replacement of an ephemeral message).
	Channel string
	User    string
	Private bool

	seq int
}

// AllText is the post's text and every text found in its blocks.
func (p ResponseURLPost) AllText() string { return allText(p.Text, p.Blocks) }

// Button finds a button of the post by action_id.
func (p ResponseURLPost) Button(actionID string) (Button, bool) {
	return findButton(p.Blocks, actionID)
}

// View is a modal (views.open, or pushed by a view_submission ack) or a
// person's Home tab (views.publish), in its latest version.
type View struct {
	ID string
	// Type is "modal" or "home".
	Type            string
	UserID          string // whose trigger opened it, or whose Home it is
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	Hash            string
	Title           string
	// JSON is the view as the app last sent it (views.open, views.update,
	// views.publish or a response_action).
	JSON json.RawMessage
	// Updates counts the changes after the first version.
	Updates int
	// PreviousViewID is the view under a pushed modal; RootViewID the
	// bottom of its stack.
	PreviousViewID string
	RootViewID     string
	// NotifyOnClose is the view's notify_on_close: only then does Slack
	// send view_closed.
	NotifyOnClose bool
	// Closed is true once the modal is gone: submitted and acked without
	// a response_action, cleared, or closed by the person.
	Closed bool
}

// AllText is every text found in the view's blocks.
func (v View) AllText() string {
	var b struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(v.JSON, &b)
	return allText(v.Title, b.Blocks)
}

// Button is an interactive element found in a message's blocks.
type Button struct {
	BlockID  string
	ActionID string
	Text     string
	Value    string
	Style    string
	// Confirm is true when the button asks for confirmation first.
	Confirm bool
}

// Buttons lists every button in a blocks JSON array, in order: the
// elements of actions blocks and any section accessory whose "type" is
// "button". Elements are read one by one as raw JSON, so blocks and
// elements of other shapes (a context block's text elements, whose "text"
// is a string, images, inputs) are skipped rather than hiding the buttons
// of the whole message.
func Buttons(blocks json.RawMessage) []Button {
	var bs []struct {
		BlockID   string            `json:"block_id"`
		Elements  []json.RawMessage `json:"elements"`
		Accessory json.RawMessage   `json:"accessory"`
	}
	if json.Unmarshal(blocks, &bs) != nil {
		var loose []json.RawMessage // one odd block must not hide the others
		if json.Unmarshal(blocks, &loose) != nil {
			return nil
		}
		bs = bs[:0]
		for _, raw := range loose {
			var b struct {
				BlockID   string            `json:"block_id"`
				Elements  []json.RawMessage `json:"elements"`
				Accessory json.RawMessage   `json:"accessory"`
			}
			if json.Unmarshal(raw, &b) == nil {
				bs = append(bs, b)
			}
		}
	}
	var out []Button
	for _, b := range bs {
		els := b.Elements
		if len(b.Accessory) > 0 {
			els = append(els, b.Accessory)
		}
		for _, raw := range els {
			if btn, ok := decodeButton(raw); ok {
				btn.BlockID = b.BlockID
				out = append(out, btn)
			}
		}
	}
	return out
}

// decodeButton reads one block element, reporting whether it is a button.
func decodeButton(raw json.RawMessage) (Button, bool) {
	var kind struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &kind) != nil || kind.Type != "button" {
		return Button{}, false
	}
	var el struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		Style    string `json:"style"`
		Text     struct {
			Text string `json:"text"`
		} `json:"text"`
		Confirm json.RawMessage `json:"confirm"`
	}
	if json.Unmarshal(raw, &el) != nil {
		return Button{}, false
	}
	return Button{
		ActionID: el.ActionID, Text: el.Text.Text, Value: el.Value, Style: el.Style,
		Confirm: len(el.Confirm) > 0 && string(el.Confirm) != "null",
	}, true
}

func findButton(blocks json.RawMessage, actionID string) (Button, bool) {
	for _, b := range Buttons(blocks) {
		if b.ActionID == actionID {
			return b, true
		}
	}
	return Button{}, false
}

// allText collects text plus every string under a "text" key in blocks.
func allText(text string, blocks json.RawMessage) string {
	parts := []string{}
	if text != "" {
		parts = append(parts, text)
	}
	var v any
	if len(blocks) > 0 && json.Unmarshal(blocks, &v) == nil {
		walkText(v, &parts)
	}
	return strings.Join(parts, "\n")
}

func walkText(v any, parts *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if s, ok := x[k].(string); ok && k == "text" {
				*parts = append(*parts, s)
				continue
			}
			walkText(x[k], parts)
		}
	case []any:
		for _, e := range x {
			walkText(e, parts)
		}
	}
}
