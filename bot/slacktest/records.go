package slacktest

import (
	"encoding/json"
	"net/url"
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
	Type        string // slash_commands or interactive
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
}

// Message is a message the bot posted, in its latest version.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	// User is the only person who sees an ephemeral message.
	User      string
	Ephemeral bool
	Text      string
	Blocks    json.RawMessage
	Deleted   bool
	// Source is the method that created it: chat.postMessage,
	// chat.postEphemeral or response_url (in_channel replies).
	Source string
	// Versions holds every version, oldest first; the fields above repeat
	// the last one.
	Versions []MessageVersion
}

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
}

// AllText is the post's text and every text found in its blocks.
func (p ResponseURLPost) AllText() string { return allText(p.Text, p.Blocks) }

// Button finds a button of the post by action_id.
func (p ResponseURLPost) Button(actionID string) (Button, bool) {
	return findButton(p.Blocks, actionID)
}

// View is a modal opened with views.open, in its latest version.
type View struct {
	ID              string
	UserID          string // whose trigger opened it
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	Hash            string
	Title           string
	// JSON is the view as the app last sent it (views.open or views.update).
	JSON    json.RawMessage
	Updates int
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
