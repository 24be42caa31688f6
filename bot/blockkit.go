package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/reply"
)

// Slack's Block Kit limits (characters are counted as Unicode code points).
// The renderer never exceeds them; the tests check every one.
const (
	MaxBlocksPerMessage   = 50
	MaxSectionText        = 3000
	MaxFieldText          = 2000
	MaxFieldsPerSection   = 10
	MaxHeaderText         = 150
	MaxContextElements    = 10
	MaxActionsPerBlock    = 25
	MaxButtonText         = 75
	MaxButtonValue        = 2000
	MaxActionID           = 255
	MaxConfirmTitle       = 100
	MaxConfirmText        = 300
	MaxConfirmButtonLabel = 30
	// MaxFallbackText keeps a message's text under Slack's 4000-character
	// advice for the notification fallback.
	MaxFallbackText = 3900
	// MaxMessageChars bounds the text carried by one message's blocks.
	// Slack documents no exact figure for the whole payload (it answers
	// msg_blocks_too_long); this conservative budget keeps posts readable
	// and well clear of it.
	MaxMessageChars = 12000
)

// SlackMessage is one Slack post: the fallback Text shown in notifications
// and the Blocks shown in the client. Send both
// (slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)):
// Text is already escaped.
type SlackMessage struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// MsgOptions returns the options that post or update m with slack-go.
func (m SlackMessage) MsgOptions() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
}

// LimitError says that a value the renderer must not shorten (a button's
// Action or Value re-enters the command pipeline) exceeds a Slack limit. It
// is a bug in whoever built the reply, never something to show a user.
type LimitError struct {
	What  string // "button value", "button action"
	Limit int
	Got   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("blockkit: %s is %d characters, Slack allows %d", e.What, e.Got, e.Limit)
}

// RenderBlocks renders m as one or more Slack messages within every Block
// Kit limit. Nothing is cut: long text and tables are split across sections
// and, past MaxBlocksPerMessage or MaxMessageChars, across messages, in
// order; a table's header row is repeated in every part. Only labels are
// shortened with an ellipsis (a title, a button text, a confirm dialog).
//
// Layout: header (Title, with the Tone's emoji), Text, Fields, Table,
// Notes (context blocks), then Buttons (actions blocks; Button.Command is
// not shown). Form, Visibility and ReplaceOriginal are the adapter's
// business (see RenderLoginModal). An empty Message renders to no message.
// The error is a *LimitError when a button's Action or Value is too long.
func RenderBlocks(m reply.Message) ([]SlackMessage, error) {
	blocks, err := messageBlocks(m, newActionIDs())
	if err != nil || len(blocks) == 0 {
		return nil, err
	}
	return pack(blocks, fallbackText(m)), nil
}

// messageBlocks lays m out as blocks (see RenderBlocks), its buttons'
// action_ids taken from ids so that several messages can share one view.
func messageBlocks(m reply.Message, ids actionIDs) ([]slack.Block, error) {
	var blocks []slack.Block
	emoji := toneEmoji(m.Tone)
	if m.Title != "" {
		title := m.Title
		if emoji != "" {
			title = emoji + " " + title
		}
		blocks = append(blocks, slack.NewHeaderBlock(plain(shorten(title, MaxHeaderText))))
	}
	if m.Text != "" {
		text := wrapPre(m.Text)
		if emoji != "" && m.Title == "" {
			text = emoji + " " + text
		}
		for _, chunk := range splitMrkdwn(text, MaxSectionText) {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
		}
	}
	blocks = append(blocks, renderFields(m.Fields)...)
	buttons := m.Buttons
	if m.Table != nil && m.RowButtons && len(m.Buttons) == len(m.Table.Rows) && rowsFitSections(*m.Table) {
		rows, err := renderRowButtons(*m.Table, m.Buttons, ids)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, rows...)
		buttons = nil
	} else if m.Table != nil {
		blocks = append(blocks, renderTable(*m.Table)...)
	}
	blocks = append(blocks, renderNotes(m.Notes)...)
	actions, err := renderButtons(buttons, ids)
	if err != nil {
		return nil, err
	}
	return append(blocks, actions...), nil
}

// MaxHomeBlocks is Slack's limit on a Home tab view's blocks.
const MaxHomeBlocks = 100

// RenderHome lays out an App Home: its sections in order, a divider
// between them, every action_id unique in the view. Past MaxHomeBlocks
// a section's end is left out and a last line says where the rest is.
func RenderHome(sections []reply.Message) (slack.HomeTabViewRequest, error) {
	ids := newActionIDs()
	var blocks []slack.Block
	const reserve = 2 // the divider and the line saying what was left out
	for i, sec := range sections {
		bs, err := messageBlocks(sec, ids)
		if err != nil {
			return slack.HomeTabViewRequest{}, err
		}
		if i > 0 && len(bs) > 0 {
			bs = append([]slack.Block{slack.NewDividerBlock()}, bs...)
		}
		if len(blocks)+len(bs) > MaxHomeBlocks-reserve {
			bs = bs[:max(0, MaxHomeBlocks-reserve-len(blocks))]
			blocks = append(blocks, bs...)
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn("More than fits here: `/paas approvals`, `/paas list expires-within=30d` and `/paas alerts list` show everything.")))
			break
		}
		blocks = append(blocks, bs...)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}, nil
}

// pack distributes blocks over messages of at most MaxBlocksPerMessage
// blocks and MaxMessageChars characters, keeping their order.
func pack(blocks []slack.Block, fallback string) []SlackMessage {
	var msgs []SlackMessage
	var cur []slack.Block
	chars := 0
	for _, b := range blocks {
		cost := blockChars(b)
		if len(cur) > 0 && (len(cur) == MaxBlocksPerMessage || chars+cost > MaxMessageChars) {
			msgs = append(msgs, SlackMessage{Blocks: cur})
			cur, chars = nil, 0
		}
		cur = append(cur, b)
		chars += cost
	}
	msgs = append(msgs, SlackMessage{Blocks: cur})
	for i := range msgs {
		text := fallback
		if len(msgs) > 1 {
			text = fmt.Sprintf("%s (%d/%d)", fallback, i+1, len(msgs))
		}
		msgs[i].Text = text
	}
	return msgs
}

// blockChars is the text a block carries, for the per-message budget.
func blockChars(b slack.Block) int {
	n := 0
	add := func(t *slack.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	switch x := b.(type) {
	case *slack.HeaderBlock:
		add(x.Text)
	case *slack.SectionBlock:
		add(x.Text)
		for _, f := range x.Fields {
			add(f)
		}
		if x.Accessory != nil && x.Accessory.ButtonElement != nil {
			add(x.Accessory.ButtonElement.Text)
			n += utf8.RuneCountInString(x.Accessory.ButtonElement.Value)
		}
	case *slack.ContextBlock:
		for _, e := range x.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				add(t)
			}
		}
	case *slack.ActionBlock:
		for _, e := range x.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok {
				add(btn.Text)
				n += utf8.RuneCountInString(btn.Value)
			}
		}
	}
	return n
}

func toneEmoji(t reply.Tone) string {
	switch t {
	case reply.Success:
		return ":white_check_mark:"
	case reply.Warning:
		return ":warning:"
	case reply.Error:
		return ":x:"
	}
	return "" // Info: most replies; an icon on each would be noise
}

// fallbackText is the notification text: the title, else the start of the
// text, escaped and bounded.
func fallbackText(m reply.Message) string {
	base := m.Title
	if base == "" {
		base = m.Text
	}
	if base == "" && m.Table != nil {
		base = strings.Join(m.Table.Columns, ", ")
	}
	if base == "" && len(m.Fields) > 0 {
		base = m.Fields[0].Label + ": " + m.Fields[0].Value
	}
	if base == "" {
		base = "paasbot"
	}
	if e := toneEmoji(m.Tone); e != "" {
		base = e + " " + base
	}
	// Room for " (nn/nn)" and for escaping growth.
	return escapeMrkdwn(shorten(base, 1000))
}

func renderFields(fields []reply.Field) []slack.Block {
	var blocks []slack.Block
	var cur []*slack.TextBlockObject
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, slack.NewSectionBlock(nil, cur, nil))
			cur = nil
		}
	}
	for _, f := range fields {
		text := "*" + escapeMrkdwn(f.Label) + "*\n" + escapeMrkdwn(f.Value)
		if utf8.RuneCountInString(text) > MaxFieldText {
			// Too long for a field: give it sections of its own, whole.
			flush()
			for _, chunk := range splitMrkdwn("*"+f.Label+"*\n"+f.Value, MaxSectionText) {
				blocks = append(blocks, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
			}
			continue
		}
		if len(cur) == MaxFieldsPerSection {
			flush()
		}
		cur = append(cur, mrkdwn(text))
	}
	flush()
	return blocks
}

func renderNotes(notes []string) []slack.Block {
	var blocks []slack.Block
	var cur []slack.MixedElement
	for _, n := range notes {
		if n == "" {
			continue
		}
		for _, chunk := range splitMrkdwn(n, MaxFieldText) {
			if len(cur) == MaxContextElements {
				blocks = append(blocks, slack.NewContextBlock("", cur...))
				cur = nil
			}
			cur = append(cur, mrkdwn(chunk))
		}
	}
	if len(cur) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", cur...))
	}
	return blocks
}

// ActionSep separates a button's Action from the suffix that makes its
// action_id unique in its message ("cmd~2"); ActionOf strips it.
const ActionSep = "~"

// ActionOf is the reply.Button Action an action_id was rendered from.
func ActionOf(actionID string) string {
	a, _, _ := strings.Cut(actionID, ActionSep)
	return a
}

// actionIDs hands out the action_ids of one message: every interactive
// element has its own (DESIGN §9), the first of an Action keeping it
// bare and the next ones suffixed "~2", "~3".
type actionIDs map[string]int

func newActionIDs() actionIDs { return actionIDs{} }

func (a actionIDs) next(action string) string {
	a[action]++
	if n := a[action]; n > 1 {
		return action + ActionSep + strconv.Itoa(n)
	}
	return action
}

// renderButtons lays buttons out in one actions block (one row that
// Slack wraps), a new one only past MaxActionsPerBlock, each with its own
// action_id.
func renderButtons(buttons []reply.Button, ids actionIDs) ([]slack.Block, error) {
	var blocks []slack.Block
	var cur []slack.BlockElement
	for _, b := range buttons {
		btn, err := renderButton(b, ids)
		if err != nil {
			return nil, err
		}
		if len(cur) == MaxActionsPerBlock {
			blocks = append(blocks, slack.NewActionBlock("", cur...))
			cur = nil
		}
		cur = append(cur, btn)
	}
	if len(cur) > 0 {
		blocks = append(blocks, slack.NewActionBlock("", cur...))
	}
	return blocks, nil
}

func renderButton(b reply.Button, ids actionIDs) (*slack.ButtonBlockElement, error) {
	id := ids.next(b.Action)
	if n := utf8.RuneCountInString(id); n > MaxActionID {
		return nil, &LimitError{What: "button action", Limit: MaxActionID, Got: n}
	}
	if n := utf8.RuneCountInString(b.Value); n > MaxButtonValue {
		return nil, &LimitError{What: "button value", Limit: MaxButtonValue, Got: n}
	}
	label := b.Label
	if label == "" {
		label = b.Action
	}
	btn := slack.NewButtonBlockElement(id, b.Value, plain(shorten(label, MaxButtonText)))
	switch b.Style {
	case reply.Primary:
		btn.Style = slack.StylePrimary
	case reply.Danger:
		btn.Style = slack.StyleDanger
	}
	if b.Confirm != nil {
		btn.Confirm = renderConfirm(*b.Confirm, b.Style)
	}
	return btn, nil
}

// rowsFitSections reports whether each row of t fits one section's text,
// as a row with its button must.
func rowsFitSections(t reply.Table) bool {
	for _, r := range t.Rows {
		if utf8.RuneCountInString(rowLine(t, r)) > MaxSectionText {
			return false
		}
	}
	return true
}

// renderRowButtons renders a table whose row i is acted on by buttons[i]
// as one section per row, its line with the button as accessory.
func renderRowButtons(t reply.Table, buttons []reply.Button, ids actionIDs) ([]slack.Block, error) {
	var blocks []slack.Block
	for i, r := range t.Rows {
		btn, err := renderButton(buttons[i], ids)
		if err != nil {
			return nil, err
		}
		line := rowLine(t, r)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil, slack.NewAccessory(btn)))
	}
	return blocks, nil
}

func renderConfirm(c reply.Confirm, style reply.ButtonStyle) *slack.ConfirmationBlockObject {
	title, confirm, deny := c.Title, c.Confirm, c.Deny
	if title == "" {
		title = "Are you sure?"
	}
	if confirm == "" {
		confirm = "Confirm"
	}
	if deny == "" {
		deny = "Cancel"
	}
	text := c.Text
	if text == "" {
		text = title
	}
	obj := slack.NewConfirmationBlockObject(
		plain(shorten(title, MaxConfirmTitle)),
		plain(shorten(text, MaxConfirmText)),
		plain(shorten(confirm, MaxConfirmButtonLabel)),
		plain(shorten(deny, MaxConfirmButtonLabel)),
	)
	if style == reply.Danger {
		obj.Style = slack.StyleDanger
	}
	return obj
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("plain_text", s, true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("mrkdwn", s, false, false)
}
