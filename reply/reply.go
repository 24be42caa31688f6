// Package reply is the neutral message model that paasbot's core, its
// approvals engine and its report builders produce and that each transport
// (Slack Block Kit, the terminal) renders in its own way. It knows nothing of
// Slack: a transport must be able to show every Message without losing
// information, splitting it into several posts when a platform limit requires.
package reply

// Visibility says who may see a message.
type Visibility int

const (
	// Private messages are shown only to the person who asked (Slack:
	// ephemeral or the response_url; shell: printed). It is the default so
	// that replies about someone's own account never leak by accident.
	Private Visibility = iota
	// Shared messages are posted in the channel for everyone (approval
	// requests, reports, and replies the caller asked to share).
	Shared
)

// Tone colours a message; transports may show it as an emoji or a prefix.
type Tone int

const (
	Info Tone = iota
	Success
	Warning
	Error
)

// Message is one reply. All fields are optional; an empty Message renders
// nothing. Text uses a small markup subset understood by every transport:
// *bold*, _italic_, `code` and ```blocks```.
type Message struct {
	Visibility Visibility
	Tone       Tone
	Title      string
	Text       string
	Fields     []Field
	Table      *Table
	// Notes are short context lines shown after the body (hints, paging
	// information, "expires in 24 h").
	Notes   []string
	Buttons []Button
	// RowButtons says that Buttons[i] acts on Table.Rows[i] (a report's
	// Renew button of each instance): a transport may show each beside its
	// row. It holds only when both have the same length.
	RowButtons bool
	// Form asks the transport to collect a secret from the caller out of
	// band (Slack: a modal with a password-style input; shell: a prompt).
	// A secret never travels through a channel message.
	Form *Form
	// ReplaceOriginal asks that this message replace the one carrying the
	// button that was clicked, instead of adding a new one.
	ReplaceOriginal bool
}

// Field is a labelled value shown in a compact grid.
type Field struct {
	Label string
	Value string
}

// Table is tabular data. Transports never truncate rows silently: when a
// table is too large for one post they split it across several.
type Table struct {
	Columns []string
	Rows    [][]string
	// Align holds one entry per column; true right-aligns it (numbers).
	Align []bool
	// Key is the column that names a row (shown first and in bold where a
	// transport lays rows out as lines rather than aligned columns).
	Key int
}

// ButtonStyle suggests how prominent a button is.
type ButtonStyle int

const (
	Default ButtonStyle = iota
	Primary
	Danger
)

// Button lets a person continue the conversation. Action and Value
// re-enter the command pipeline when clicked; Value is opaque and must
// never hold a secret. Command is the text a shell user types to do the
// same thing (for example "approve 7").
type Button struct {
	Label   string
	Action  string
	Value   string
	Style   ButtonStyle
	Command string
	// Confirm, when set, makes the transport ask "are you sure?" first.
	Confirm *Confirm
}

// Confirm is the second question asked before a dangerous click runs.
type Confirm struct {
	Title   string
	Text    string
	Confirm string
	Deny    string
}

// Form is a request for one secret input, such as an API key, or, with
// Fields, a form of several inputs that completes a command (Slack: a
// modal; shell: the line to type, Usage).
type Form struct {
	// ID names the form so the transport can route the submission back.
	ID          string
	Title       string
	Label       string
	Hint        string
	Placeholder string
	Submit      string
	// Fields are the inputs of a command's form, in order; none means
	// the one secret input of Label.
	Fields []FormField
	// Usage is the command line with its options that does the same, for
	// transports that show no form (the shell) or when one cannot open.
	Usage string
}

// FieldKind is how a form field is filled in.
type FieldKind int

const (
	FieldText     FieldKind = iota // free text
	FieldSelect                    // one of Options
	FieldInstance                  // one of the person's instances, searched as they type
	FieldSwitches                  // any of Options, each a switch
)

// FormField is one input of a command's form. Name is the command key it
// fills ("duration"), or "instance" for the instance the command names.
type FormField struct {
	Name        string
	Label       string
	Hint        string
	Placeholder string
	Kind        FieldKind
	Options     []Option
	// Initial is the value shown at first (an option's Value for a
	// select; for FieldInstance, InitialLabel is what it shows).
	Initial      string
	InitialLabel string
	Optional     bool
}

// Option is one choice of a select: the text shown and the value sent.
type Option struct {
	Label string
	Value string
}

// Ref identifies a message a transport has posted, so that it can be
// updated later (approval progress). Both parts are opaque to the core.
type Ref struct {
	Channel string
	ID      string
}

// IsZero reports whether r points at no message.
func (r Ref) IsZero() bool { return r.Channel == "" && r.ID == "" }
