package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/reply"
)

func (c *Core) helpCommands() []*CommandSpec {
	return []*CommandSpec{{
		Name: "help", Summary: "what paasbot can do; help <command> for details",
		Args:  []Param{{Name: "command", Kind: KindString, Hint: "command", Help: "a command, e.g. list"}, {Name: "sub", Kind: KindString, Hint: "subcommand", Help: "a subcommand, e.g. create of vhost create"}},
		NoKey: true, Run: runHelp, Examples: []string{"help", "help list", "help vhost create"},
	}}
}

func runHelp(_ context.Context, c *Core, call *Call) (reply.Message, error) {
	topic := strings.ToLower(strings.TrimSpace(call.Arg(0) + " " + call.Arg(1)))
	term := call.Req.Terminal
	if topic == "" {
		return c.helpOverview(term), nil
	}
	if s, ok := c.reg.byName[topic]; ok {
		return helpFor(s, term), nil
	}
	if subs, ok := c.reg.groups[call.Arg(0)]; ok && call.Arg(1) == "" {
		m := reply.Message{Title: commandTitle(call.Arg(0), term)}
		for _, sub := range subs {
			s := c.reg.byName[call.Arg(0)+" "+sub]
			m.Fields = append(m.Fields, reply.Field{Label: usageLine(s), Value: s.Summary})
		}
		return m, nil
	}
	return reply.Message{}, apperr.Errorf(apperr.EINVALID, "No help on %s.%s Commands: %s.", quoteWord(topic),
		didYouMean(topic, c.reg.allNames()), strings.Join(c.reg.topNames(), ", "))
}

// helpFamilies are the sections of the help, in order: each command's
// first word names its family (DESIGN §9: grouped as people think of them).
var helpFamilies = []struct {
	title string
	words []string
}{
	{"Instances", []string{"list", "count", "info", "create", "update", "renew", "restart", "delete", "types", "datacenters", "operations", "operation"}},
	{"Virtual hosts", []string{"vhost"}},
	{"Snapshots", []string{"snapshot"}},
	{"Approvals", []string{"approvals", "approve", "deny", "cancel", "audit"}},
	{"Alerts", []string{"alerts"}},
	{"You", []string{"login", "logout", "whoami", "help"}},
}

// commandTitle names a command as it is typed where the help is read:
// "/paas list" in Slack, "list" in the shell.
func commandTitle(name string, terminal bool) string {
	if terminal {
		return name
	}
	return "/paas " + name
}

func (c *Core) helpOverview(terminal bool) reply.Message {
	var b strings.Builder
	placed := map[*CommandSpec]bool{}
	section := func(title string, specs []*CommandSpec) {
		if len(specs) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("*" + title + "*")
		for _, s := range specs {
			b.WriteString("\n`" + usageShort(s) + "` " + s.Summary)
			placed[s] = true
		}
	}
	for _, f := range helpFamilies {
		var specs []*CommandSpec
		for _, s := range c.reg.specs {
			if slices.Contains(f.words, strings.Fields(s.Name)[0]) {
				specs = append(specs, s)
			}
		}
		section(f.title, specs)
	}
	var rest []*CommandSpec
	for _, s := range c.reg.specs {
		if !placed[s] {
			rest = append(rest, s)
		}
	}
	section("More", rest)
	notes := []string{
		"An instance is named by its id or its exact name. Add --share to show a reply to the channel.",
		"`create`, `renew <instance>` and `update <instance>` alone open a form; buttons under a reply do the next step.",
		"`help <command>` shows every option, e.g. `help list`.",
	}
	if terminal {
		notes = []string{
			"An instance is named by its id or its exact name. Type a command with its options; what a button does in Slack is shown in brackets, e.g. [approve 7]: type it.",
			"`help <command>` shows every option, e.g. `help list`. quit, Ctrl-D or Ctrl-C twice leaves.",
		}
	}
	return reply.Message{
		Title: "paasbot: your Gandi Simple Hosting instances from chat",
		Text:  b.String(),
		Notes: notes,
	}
}

// usageShort is the synopsis without optional keys, for the overview.
func usageShort(s *CommandSpec) string {
	parts := usageArgs(s)
	for _, p := range s.Keys {
		if p.Required && !p.Hidden {
			parts = append(parts, p.Name+"=")
		}
	}
	if hasOptional(s) {
		parts = append(parts, "[options]")
	}
	return strings.Join(parts, " ")
}

func hasOptional(s *CommandSpec) bool {
	for _, p := range s.Keys {
		if !p.Required && !p.Hidden {
			return true
		}
	}
	return false
}

// maxHelpEnum is how many values of an enum the help lists.
const maxHelpEnum = 10

func helpFor(s *CommandSpec, terminal bool) reply.Message {
	m := reply.Message{Title: commandTitle(s.Name, terminal), Text: s.Summary + "\n`" + usageLine(s) + "`"}
	for _, p := range append(append([]Param{}, s.Args...), s.Keys...) {
		if p.Hidden {
			continue
		}
		label := p.Name
		if len(p.Aliases) > 0 {
			label += " (" + strings.Join(p.Aliases, ", ") + ")"
		}
		val := p.Help
		switch {
		case len(p.Enum) > maxHelpEnum:
			val = strings.TrimSpace(fmt.Sprintf("%s One of %d values: %s… (all of them in the error for a wrong one; `types` lists what you can use).",
				val, len(p.Enum), strings.Join(p.Enum[:maxHelpEnum], ", ")))
		case len(p.Enum) > 0:
			val = strings.TrimSpace(val + " One of: " + strings.Join(p.Enum, ", ") + ".")
		}
		if val == "" {
			val = kindHelp(p)
		}
		m.Fields = append(m.Fields, reply.Field{Label: label, Value: val})
	}
	for _, e := range s.Examples {
		m.Notes = append(m.Notes, "e.g. `"+e+"`")
	}
	if s.Paid {
		m.Notes = append(m.Notes, "Asks for a confirmation (an approval) before anything is done.")
	}
	if _, form := formCommands[s.Name]; form && !terminal {
		m.Notes = append(m.Notes, "Typed without its options, it opens a form.")
	}
	return m
}

func kindHelp(p Param) string {
	if p.Switch {
		return "a switch: write " + p.Name + " to turn it on"
	}
	switch p.Kind {
	case KindInt:
		return "a number"
	case KindInts:
		return "numbers, comma-separated"
	case KindStrings:
		return "values, comma-separated"
	case KindBool:
		return "on or off"
	case KindDate:
		return "a date, e.g. 2026-12-31 (Paris time)"
	case KindDuration:
		return "months, e.g. 1m, 12m"
	case KindDays:
		return "days, e.g. 30d"
	}
	return "text"
}
