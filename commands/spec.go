package commands

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
)

// ValueKind is the type of a parameter's value, checked before any call.
type ValueKind int

const (
	KindString   ValueKind = iota
	KindInt                // a whole number ≥ 0
	KindInts               // comma-separated whole numbers: 1,2,3
	KindStrings            // comma-separated words: a,b
	KindEnum               // one of Param.Enum
	KindEnums              // comma-separated values of Param.Enum
	KindBool               // on/off, yes/no, true/false; as a switch: present = true
	KindDate               // 2026-12-31 or 2026-12-31 14:00[:05], Paris time
	KindDuration           // a Gandi duration: 1m, 12m (months), 1y
	KindDays               // a span in days: 30d, 2w, 30
)

// Param describes one positional argument, key=value or switch of a
// command. The same description validates input and writes the help.
type Param struct {
	Name    string   // the canonical key, e.g. "~name", "sort_by", "fixed"
	Aliases []string // other keys accepted for it, e.g. "sort", "name~"
	Kind    ValueKind
	Enum    []string // valid values for KindEnum/KindEnums
	// Required params must be given; positional ones are listed in order.
	Required bool
	// Switch params are booleans that may be written as a bare word
	// ("fixed"), a --flag or key=on/off.
	Switch bool
	Help   string
	// Hint is the placeholder of the value in the help ("<instance>", "N").
	Hint string
	// Hidden params are parsed but never shown in a usage line or the
	// help: login's key, accepted only to be refused unrepeated.
	Hidden bool
}

// CommandSpec describes one command: its words, its parameters and its
// handler. Parsing, validation and help all come from these values.
type CommandSpec struct {
	// Name is the command's words, e.g. "list" or "vhost create".
	Name    string
	Aliases []string // other names of the last word, e.g. "ls"
	Summary string
	// Args are positional parameters in order (optional ones last).
	Args []Param
	// Keys are key=value parameters and switches.
	Keys []Param
	// Examples are full command lines shown by "help <command>".
	Examples []string
	// NoKey marks commands that work without a stored API key (help,
	// login, approvals…).
	NoKey bool
	// Paid marks commands that go through an approval.
	Paid bool
	// Run does the work. The *Call holds the validated values.
	Run func(ctx context.Context, c *Core, call *Call) (reply.Message, error)
}

// Call is one validated command ready to run.
type Call struct {
	Req  Request
	Spec *CommandSpec
	// Line is the parsed line, for paging buttons that re-run it.
	Line Line
	// Share is set by --share: the reply goes to the channel.
	Share bool

	args   []string          // positional values in order
	links  map[string]string // Slack link targets of positional values ("#0" for the first)
	values map[string]any    // by canonical Param.Name
	raw    map[string]string
	order  []string     // names as given, for rebuilding the line
	key    secret.Value // the caller's API key, loaded when needed
}

// Arg returns the i-th positional value ("" when absent).
func (c *Call) Arg(i int) string {
	if i < len(c.args) {
		return c.args[i]
	}
	return ""
}

// ArgLink returns the Slack link target of the i-th positional value when
// it was written as one link (e.g. "#C123" for <#C123|ops>), else "".
func (c *Call) ArgLink(i int) string { return c.links["#"+strconv.Itoa(i)] }

// Has reports whether the parameter was given.
func (c *Call) Has(name string) bool { _, ok := c.values[name]; return ok }

// String returns a string or enum value ("" when absent).
func (c *Call) String(name string) string { s, _ := c.values[name].(string); return s }

// Int returns an int value (0 when absent).
func (c *Call) Int(name string) int { n, _ := c.values[name].(int); return n }

// IntPtr returns a pointer to an int value, nil when absent.
func (c *Call) IntPtr(name string) *int {
	if n, ok := c.values[name].(int); ok {
		return &n
	}
	return nil
}

// Ints returns a list of ints (nil when absent).
func (c *Call) Ints(name string) []int { v, _ := c.values[name].([]int); return v }

// Strings returns a list of strings (nil when absent).
func (c *Call) Strings(name string) []string { v, _ := c.values[name].([]string); return v }

// Bool returns a boolean value (false when absent).
func (c *Call) Bool(name string) bool { b, _ := c.values[name].(bool); return b }

// Days returns a KindDays value.
func (c *Call) Days(name string) int { return c.Int(name) }

// registry is the set of commands, built once per Core.
type registry struct {
	specs  []*CommandSpec
	byName map[string]*CommandSpec // full name and alias forms
	groups map[string][]string     // "vhost" → its subcommands
}

func newRegistry(tables ...[]*CommandSpec) (*registry, error) {
	r := &registry{byName: map[string]*CommandSpec{}, groups: map[string][]string{}}
	for _, t := range tables {
		for _, s := range t {
			if err := r.add(s); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

func (r *registry) add(s *CommandSpec) error {
	words := strings.Fields(s.Name)
	if len(words) == 0 || len(words) > 2 || s.Run == nil {
		return fmt.Errorf("commands: bad spec %q", s.Name)
	}
	names := []string{s.Name}
	for _, a := range s.Aliases {
		names = append(names, strings.Join(append(words[:len(words)-1:len(words)-1], a), " "))
	}
	for _, n := range names {
		if _, dup := r.byName[n]; dup {
			return fmt.Errorf("commands: command %q registered twice", n)
		}
		r.byName[n] = s
	}
	if len(words) == 2 {
		r.groups[words[0]] = append(r.groups[words[0]], words[1])
	}
	r.specs = append(r.specs, s)
	return nil
}

// topNames lists what may start a command, for errors and help.
func (r *registry) topNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range r.specs {
		w := strings.Fields(s.Name)[0]
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// lookup finds the spec named by the first words of line and returns the
// remaining args.
func (r *registry) lookup(line Line) (*CommandSpec, []Arg, error) {
	if len(line.Args) == 0 {
		return nil, nil, apperr.Errorf(apperr.EINVALID, "Type a command, for example `list`; `help` lists them all.")
	}
	first := line.Args[0]
	if first.Kind != Word {
		return nil, nil, apperr.Errorf(apperr.EINVALID, "A command starts with its name, not %s; `help` lists the commands.", quoteWord(first.String()))
	}
	name := strings.ToLower(first.Value)
	if subs, ok := r.groups[name]; ok {
		if len(line.Args) > 1 && line.Args[1].Kind == Word {
			sub := strings.ToLower(line.Args[1].Value)
			if s, ok := r.byName[name+" "+sub]; ok {
				return s, line.Args[2:], nil
			}
			if _, alone := r.byName[name]; !alone {
				return nil, nil, apperr.Errorf(apperr.EINVALID, "%s is not a command. `%s` takes: %s.%s",
					quoteWord(name+" "+line.Args[1].Value), name, strings.Join(subs, ", "), didYouMean(sub, subs))
			}
		}
		if s, ok := r.byName[name]; ok { // "types" runs alone too
			return s, line.Args[1:], nil
		}
		if s, ok := r.byName[name+" list"]; ok {
			return s, line.Args[1:], nil
		}
		return nil, nil, apperr.Errorf(apperr.EINVALID, "`%s` needs one of: %s.", name, strings.Join(subs, ", "))
	}
	if s, ok := r.byName[name]; ok {
		return s, line.Args[1:], nil
	}
	if secret.LooksLikeAPIKey(first.Value) {
		return nil, nil, apperr.Errorf(apperr.EINVALID, "That looks like an API key, so it is not repeated here. Run `login` alone and paste the key into the form it opens; consider the key seen by this chat and revoke it at Gandi if in doubt.")
	}
	all := r.allNames()
	return nil, nil, apperr.Errorf(apperr.EINVALID, "Unknown command %s.%s Commands: %s. `help` explains them.",
		quoteWord(first.Value), didYouMean(name, all), strings.Join(r.topNames(), ", "))
}

func (r *registry) allNames() []string {
	out := make([]string, 0, len(r.byName))
	for n := range r.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// bind validates args against spec and returns the call. now is used for
// relative values (expires-within).
func bind(spec *CommandSpec, line Line, args []Arg) (*Call, error) {
	call := &Call{Spec: spec, Line: line, values: map[string]any{}, raw: map[string]string{}, links: map[string]string{}}
	keyIndex := map[string]*Param{}
	var keyNames []string
	for i := range spec.Keys {
		p := &spec.Keys[i]
		keyIndex[strings.ToLower(p.Name)] = p
		keyNames = append(keyNames, p.Name)
		for _, a := range p.Aliases {
			keyIndex[strings.ToLower(a)] = p
		}
	}
	set := func(p *Param, raw string, a Arg) error {
		if _, dup := call.values[p.Name]; dup {
			return apperr.Errorf(apperr.EINVALID, "`%s` is given twice.", p.Name)
		}
		v, err := convert(p, raw)
		if err != nil {
			return apperr.Errorf(apperr.EINVALID, "%s: %s", quoteWord(a.String()), err.Error())
		}
		call.values[p.Name] = v
		call.raw[p.Name] = raw
		call.order = append(call.order, p.Name)
		return nil
	}
	usage := func() string { return " Usage: `" + usageLine(spec) + "`." }
	for ai, a := range args {
		switch a.Kind {
		case Flag:
			name := strings.ToLower(a.Key)
			if name == "share" {
				call.Share = true
				continue
			}
			if p, ok := keyIndex[name]; ok && p.Switch {
				if err := set(p, "on", a); err != nil {
					return nil, err
				}
				continue
			}
			return nil, apperr.Errorf(apperr.EINVALID, "`%s` has no flag %s.%s Valid: %s.%s", spec.Name, quoteWord("--"+a.Key),
				didYouMean(name, switchNames(spec)), validList(spec), usage())
		case Pair:
			name := strings.ToLower(a.Key)
			p, ok := keyIndex[name]
			if !ok {
				return nil, apperr.Errorf(apperr.EINVALID, "`%s` has no key %s.%s Valid keys: %s.", spec.Name, quoteWord(a.Key),
					didYouMean(name, keyNames), strings.Join(keyNames, ", "))
			}
			if err := set(p, a.Value, a); err != nil {
				return nil, err
			}
		case Word:
			name := strings.ToLower(a.Value)
			if p, ok := keyIndex[name]; ok && p.Switch {
				if err := set(p, "on", a); err != nil {
					return nil, err
				}
				continue
			}
			if p, ok := keyIndex[name]; ok && ai+1 < len(args) && args[ai+1].Kind == Word {
				// "state running": a key written as two words.
				return nil, apperr.Errorf(apperr.EINVALID, "Did you mean `%s=%s`? Options are written key=value.%s", p.Name, strings.Trim(quoteWord(args[ai+1].Value), `"`), usage())
			}
			i := len(call.args)
			if i >= len(spec.Args) {
				hint := didYouMean(name, switchNames(spec))
				if hint == "" {
					hint = valueOfKey(spec, a.Value)
				}
				if hint == "" && len(spec.Keys) > 0 {
					hint = " Options are written key=value."
				}
				return nil, apperr.Errorf(apperr.EINVALID, "`%s` does not take %s here.%s%s", spec.Name, quoteWord(a.Value), hint, usage())
			}
			p := &spec.Args[i]
			v, err := convert(p, a.Value)
			if err != nil {
				return nil, apperr.Errorf(apperr.EINVALID, "%s: %s", quoteWord(a.Value), err.Error())
			}
			if a.Link != "" {
				call.links["#"+strconv.Itoa(i)] = a.Link
			}
			if s, ok := v.(string); ok {
				call.args = append(call.args, s)
			} else {
				call.args = append(call.args, a.Value)
			}
		}
	}
	for i, p := range spec.Args {
		if p.Required && i >= len(call.args) {
			return nil, apperr.Errorf(apperr.EINVALID, "`%s` needs %s.%s", spec.Name, hintOf(p), usage())
		}
	}
	var missing []string
	for _, p := range spec.Keys {
		if p.Required && !call.Has(p.Name) {
			missing = append(missing, p.Name+"=")
		}
	}
	if len(missing) > 0 {
		return nil, apperr.Errorf(apperr.EINVALID, "`%s` needs %s.%s", spec.Name, strings.Join(missing, " "), usage())
	}
	return call, nil
}

// valueOfKey is the did-you-mean of a bare word that is a valid value of
// exactly one of spec's non-switch keys ("renew x 12m": duration=12m),
// else "".
func valueOfKey(spec *CommandSpec, word string) string {
	var found []string
	for i := range spec.Keys {
		p := &spec.Keys[i]
		if p.Switch || p.Kind == KindString || p.Kind == KindStrings {
			continue // anything is a string: no hint
		}
		if _, err := convert(p, word); err == nil {
			found = append(found, p.Name+"="+word)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return " Did you mean `" + strings.Trim(quoteWord(found[0]), `"`) + "`?"
}

func switchNames(spec *CommandSpec) []string {
	var out []string
	for _, p := range spec.Keys {
		if p.Switch {
			out = append(out, p.Name)
		}
	}
	return append(out, "share")
}

func validList(spec *CommandSpec) string {
	var out []string
	for _, n := range switchNames(spec) {
		out = append(out, "--"+n)
	}
	return strings.Join(out, ", ")
}

func hintOf(p Param) string {
	if p.Hint != "" {
		return p.Hint
	}
	return "<" + p.Name + ">"
}

// usageArgs starts a synopsis: the command's name and its positional
// arguments, optional ones in brackets.
func usageArgs(s *CommandSpec) []string {
	parts := []string{s.Name}
	for _, p := range s.Args {
		if p.Hidden {
			continue
		}
		if p.Required {
			parts = append(parts, hintOf(p))
		} else {
			parts = append(parts, "["+hintOf(p)+"]")
		}
	}
	return parts
}

// usageLine renders the synopsis of a spec, e.g.
// "renew <instance> duration=12m [fixed]".
func usageLine(s *CommandSpec) string {
	parts := usageArgs(s)
	for _, p := range s.Keys {
		if p.Hidden {
			continue
		}
		var txt string
		switch {
		case p.Switch:
			txt = p.Name
		case p.Hint != "":
			txt = p.Name + "=" + p.Hint
		default:
			txt = p.Name + "="
		}
		if p.Required {
			parts = append(parts, txt)
		} else {
			parts = append(parts, "["+txt+"]")
		}
	}
	return strings.Join(parts, " ")
}
