package commands

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// Forms instead of long command lines (DESIGN §9): `create` alone, `renew
// <instance>` without a duration and `update <instance>` without options
// answer with a reply.Form whose fields are the command's own keys. Its
// submission (FormCommand) is checked field by field against the same
// Params as a typed line, then becomes that typed line, so it takes
// exactly the typed command's path.

// FormPrefix starts the ID of a command's form: "cmd:renew".
const FormPrefix = "cmd:"

// FieldSwitchesName is the field of a form that holds a command's
// switches (fixed, upgrade…), each chosen one written as its bare word.
const FieldSwitchesName = "switches"

// FieldErrors are a form's refusals, by FormField.Name: what Slack shows
// under each field (response_action errors). The key "" is an error of
// the form as a whole, shown on its first field.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, strings.TrimPrefix(k+": ", ": ")+e[k])
	}
	return strings.Join(parts, "; ")
}

// Durations a form offers (the usual Gandi terms).
var formDurations = []string{"1m", "3m", "6m", "12m", "24m", "36m"}

// commandForm is the form of one command: when a typed line asks for it,
// and how to build it.
type commandForm struct {
	// wanted reports whether the typed arguments leave the form to fill
	// in what is missing.
	wanted func(rest []Arg) bool
	build  func(ctx context.Context, c *Core, call *Call, instance string) (reply.Form, error)
}

// formCommands are the commands that have a form.
var formCommands = map[string]bool{"create": true, "renew": true, "update": true}

func (c *Core) commandForms() map[string]commandForm {
	return map[string]commandForm{
		"create": {wanted: func(rest []Arg) bool { return onlyWords(rest, 0) }, build: createForm},
		"renew":  {wanted: func(rest []Arg) bool { return onlyWords(rest, 1) }, build: renewForm},
		"update": {wanted: func(rest []Arg) bool { return onlyWords(rest, 1) }, build: updateForm},
	}
}

// onlyWords reports whether rest is at most n words (the instance), and
// --share at most: nothing the form would ask for was typed.
func onlyWords(rest []Arg, n int) bool {
	words := 0
	for _, a := range rest {
		switch {
		case a.Kind == Flag && strings.EqualFold(a.Key, "share"):
		case a.Kind == Word:
			words++
		default:
			return false
		}
	}
	return words <= n
}

// maybeForm answers a typed line that asks for a form with the form; ok
// is false for any other line, which then goes the usual way.
func (c *Core) maybeForm(ctx context.Context, req Request) (msg reply.Message, ok bool, err error) {
	line, perr := Parse(req.Text)
	if perr != nil || len(line.Args) == 0 {
		return reply.Message{}, false, nil
	}
	spec, rest, lerr := c.reg.lookup(line)
	if lerr != nil {
		return reply.Message{}, false, nil
	}
	f, has := c.forms[spec.Name]
	if !has || !f.wanted(rest) {
		return reply.Message{}, false, nil
	}
	call := &Call{Spec: spec, Line: line, Req: req}
	key, err := c.apiKey(ctx, req.Team, req.User)
	if err != nil {
		return reply.Message{}, true, err
	}
	call.key = key
	instance := ""
	for _, a := range rest {
		if a.Kind == Word {
			instance = a.Value
		}
	}
	form, err := f.build(ctx, c, call, instance)
	if err != nil {
		return reply.Message{}, true, err
	}
	form.ID = FormPrefix + spec.Name
	return reply.Message{Form: &form}, true, nil
}

func instanceField(typed string) reply.FormField {
	f := reply.FormField{Name: "instance", Label: "Instance", Kind: reply.FieldInstance, Placeholder: "type a name"}
	if typed = strings.TrimSpace(strings.TrimPrefix(typed, "#")); typed != "" {
		f.Initial, f.InitialLabel = typed, typed
		if _, err := strconv.Atoi(typed); err == nil {
			f.InitialLabel = "#" + typed
		}
	}
	return f
}

func options(values ...string) []reply.Option {
	out := make([]reply.Option, 0, len(values))
	for _, v := range values {
		out = append(out, reply.Option{Label: v, Value: v})
	}
	return out
}

func renewForm(_ context.Context, _ *Core, _ *Call, instance string) (reply.Form, error) {
	return reply.Form{Title: "Renew an instance", Submit: "Ask for approval",
		Usage: "renew " + orPlaceholder(instance) + " duration=12m [fixed]",
		Fields: []reply.FormField{
			instanceField(instance),
			{Name: "duration", Label: "Duration", Kind: reply.FieldSelect, Options: options(formDurations...), Initial: "12m"},
			{Name: FieldSwitchesName, Label: "Commitment", Kind: reply.FieldSwitches, Optional: true,
				Options: []reply.Option{{Label: "fixed: annual commitment", Value: "fixed"}}},
		}}, nil
}

func orPlaceholder(instance string) string {
	if instance == "" {
		return "<instance>"
	}
	return instance
}

func updateForm(ctx context.Context, c *Core, call *Call, instance string) (reply.Form, error) {
	profiles, _ := c.client(call).SnapshotProfiles.List(ctx, nil) // a failure leaves the select without profiles
	profileOpts := []reply.Option{{Label: "none: remove the profile", Value: "none"}}
	for _, p := range profiles {
		profileOpts = append(profileOpts, reply.Option{Label: fmt.Sprintf("%s (#%d)", p.Name, p.ID), Value: strconv.Itoa(p.ID)})
	}
	return reply.Form{Title: "Change an instance", Submit: "Ask for approval",
		Usage: "update " + orPlaceholder(instance) + " [size=] [quantity=GB] [name=] [console=on|off] [upgrade] [reset-password] [snapshot-profile=N|none]",
		Fields: []reply.FormField{
			instanceField(instance),
			{Name: "size", Label: "New size", Kind: reply.FieldSelect, Options: options(sizeNames()...), Optional: true},
			{Name: "quantity", Label: "Additional disk (GB)", Kind: reply.FieldText, Placeholder: "e.g. 20", Optional: true},
			{Name: "name", Label: "New name", Kind: reply.FieldText, Optional: true},
			{Name: "console", Label: "Emergency console", Kind: reply.FieldSelect, Options: options("on", "off"), Optional: true},
			{Name: "snapshot-profile", Label: "Snapshot profile", Kind: reply.FieldSelect, Options: profileOpts, Optional: true},
			{Name: FieldSwitchesName, Label: "Also", Kind: reply.FieldSwitches, Optional: true, Options: []reply.Option{
				{Label: "upgrade to the latest system image", Value: "upgrade"},
				{Label: "reset the password (sent to you privately)", Value: "reset-password"},
				{Label: "reset the MySQL root password", Value: "reset-mysql-password"},
			}},
		}}, nil
}

// maxSelectOptions is Slack's limit on a static select's options.
const maxSelectOptions = 100

// createForm asks Gandi at once for the types the account may use, the
// datacenters and the snapshot profiles (one round trip), so that no id
// has to be looked up elsewhere. A failed list leaves its field as text.
func createForm(ctx context.Context, c *Core, call *Call, _ string) (reply.Form, error) {
	gc := c.client(call)
	var wg sync.WaitGroup
	var types []gandi.PaasType
	var dcs []gandi.Datacenter
	var profiles []gandi.SnapshotProfile
	var typesErr, dcsErr error
	wg.Go(func() {
		types, typesErr = gc.Types.List(ctx, &gandi.TypeListOptions{Visibility: gandi.VisibilityAll, Page: gandi.Page{ItemsPerPage: maxSelectOptions}})
	})
	wg.Go(func() { dcs, dcsErr = gc.Datacenters.List(ctx, nil) })
	wg.Go(func() { profiles, _ = gc.SnapshotProfiles.List(ctx, nil) })
	wg.Wait()
	if typesErr != nil && dcsErr != nil {
		return reply.Form{}, apperr.FromGandi(typesErr, "")
	}
	typeField := reply.FormField{Name: "type", Label: "Type", Kind: reply.FieldText, Placeholder: "e.g. phpmysql", Hint: "`types` lists them"}
	if typesErr == nil && len(types) > 0 {
		sort.Slice(types, func(i, j int) bool { return types[i].Name < types[j].Name })
		typeField.Kind = reply.FieldSelect
		for _, t := range types[:min(len(types), maxSelectOptions)] {
			typeField.Options = append(typeField.Options, reply.Option{Label: t.Name, Value: t.Name})
		}
	}
	dcField := reply.FormField{Name: "datacenter", Label: "Datacenter", Kind: reply.FieldText, Placeholder: "a datacenter id", Hint: "`datacenters` lists them"}
	if dcsErr == nil && len(dcs) > 0 {
		sort.Slice(dcs, func(i, j int) bool { return dcs[i].ID < dcs[j].ID })
		dcField.Kind = reply.FieldSelect
		for _, dc := range dcs[:min(len(dcs), maxSelectOptions)] {
			dcField.Options = append(dcField.Options, reply.Option{Label: fmt.Sprintf("%s · %s, %s", dc.DCCode, dc.Name, dc.Country), Value: strconv.Itoa(dc.ID)})
		}
	}
	fields := []reply.FormField{
		{Name: "name", Label: "Name", Kind: reply.FieldText, Placeholder: "e.g. blog"},
		{Name: "size", Label: "Size", Kind: reply.FieldSelect, Options: options(sizeNames()...), Initial: "s"},
		typeField, dcField,
		{Name: "duration", Label: "Duration", Kind: reply.FieldSelect, Options: options(formDurations...), Initial: "1m"},
		{Name: "vhosts", Label: "Virtual hosts", Kind: reply.FieldText, Placeholder: "blog.example.com, www.blog.example.com", Optional: true},
	}
	if len(profiles) > 0 {
		pf := reply.FormField{Name: "snapshot-profile", Label: "Snapshot profile", Kind: reply.FieldSelect, Optional: true}
		for _, p := range profiles[:min(len(profiles), maxSelectOptions)] {
			pf.Options = append(pf.Options, reply.Option{Label: fmt.Sprintf("%s (#%d)", p.Name, p.ID), Value: strconv.Itoa(p.ID)})
		}
		fields = append(fields, pf)
	}
	return reply.Form{Title: "Create an instance", Submit: "Check and ask",
		Usage:  "create name= size= type= datacenter= duration= [vhosts=a,b] [snapshot-profile=N]",
		Fields: fields}, nil
}

// FormCommand turns a submitted command form into the line a person
// would have typed, checked field by field against the command's own
// Params without calling Gandi (Slack wants the answer within 3 s): a
// refused field is a FieldErrors naming it. The returned Request is then
// handled like a typed command (Handle), which does what needs Gandi. A
// submission with an empty Team or User is refused (apperr.EINVALID).
func (c *Core) FormCommand(ctx context.Context, s Submission) (Request, error) {
	if err := c.anonymous(ctx, s.Team, s.User); err != nil {
		return Request{}, err
	}
	name := strings.TrimPrefix(s.FormID, FormPrefix)
	spec, ok := c.reg.byName[name]
	if _, has := c.forms[name]; !ok || !has || !strings.HasPrefix(s.FormID, FormPrefix) {
		return Request{}, apperr.Errorf(apperr.EINVALID, "Unknown form %s.", quoteWord(s.FormID))
	}
	keys := map[string]*Param{}
	for i := range spec.Keys {
		keys[spec.Keys[i].Name] = &spec.Keys[i]
	}
	line := Line{}
	for _, w := range strings.Fields(spec.Name) {
		line.Args = append(line.Args, Arg{Kind: Word, Value: w})
	}
	errs := FieldErrors{}
	names := make([]string, 0, len(s.Values))
	for k := range s.Values {
		names = append(names, k)
	}
	sort.Strings(names)
	// The instance first: it is the command's positional word.
	if v := strings.TrimSpace(s.Values["instance"]); v != "" {
		line.Args = append(line.Args, Arg{Kind: Word, Value: v})
	} else if len(spec.Args) > 0 && spec.Args[0].Required {
		errs["instance"] = "Choose an instance."
	}
	changes := 0
	for _, n := range names {
		v := strings.TrimSpace(s.Values[n])
		switch {
		case n == "instance" || v == "":
		case n == FieldSwitchesName:
			for _, sw := range splitList(v) {
				p, ok := keys[sw]
				if !ok || !p.Switch {
					errs[n] = fmt.Sprintf("%s is not an option of %s.", quoteWord(sw), spec.Name)
					continue
				}
				line.Args = append(line.Args, Arg{Kind: Word, Value: p.Name})
				changes++
			}
		default:
			p, ok := keys[n]
			if !ok {
				errs[""] = fmt.Sprintf("This form is out of date (no field %s): close it and run `%s` again.", quoteWord(n), spec.Name)
				continue
			}
			if _, err := convert(p, v); err != nil {
				errs[n] = human.Sentence(strings.TrimSpace(err.Error()))
				continue
			}
			line.Args = append(line.Args, Arg{Kind: Pair, Key: p.Name, Value: v})
			changes++
		}
	}
	if name == "update" && changes == 0 && len(errs) == 0 {
		errs["size"] = "Choose at least one change."
	}
	if len(errs) == 0 {
		// What the fields cannot see alone (a required key left out):
		// the typed command's own check.
		if _, err := bind(spec, line, line.Args[len(strings.Fields(spec.Name)):]); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				errs[""] = ae.Message
			} else {
				errs[""] = err.Error()
			}
		}
	}
	if len(errs) > 0 {
		return Request{}, errs
	}
	return Request{Team: s.Team, User: s.User, Channel: s.Channel, Text: line.String()}, nil
}

// maxSuggestions is Slack's limit on an external_select's options.
const maxSuggestions = 100

// SuggestInstances answers an instance picker: the person's own instances
// whose name contains typed (one paas.list with ~name, their key), at most
// 100, by name. The picker must be answered within Slack's 3 s whatever
// Gandi does: when the call fails or ctx ends first, the answer is what
// paasbot has, the text typed itself (an id or an exact name the command
// then resolves), never an error.
func (c *Core) SuggestInstances(ctx context.Context, team, user, typed string) []reply.Option {
	typed = strings.TrimSpace(typed)
	var asTyped []reply.Option
	if typed != "" {
		asTyped = []reply.Option{{Label: fmt.Sprintf("%s (as typed)", typed), Value: typed}}
	}
	if c.anonymous(ctx, team, user) != nil {
		return nil
	}
	key, err := c.apiKey(ctx, team, user)
	if err != nil {
		return asTyped
	}
	o := &gandi.PaasListOptions{Page: gandi.Page{ItemsPerPage: maxSuggestions, SortBy: "name"}}
	if typed != "" {
		o.NameLike = gandi.Strings{likePattern(typed)}
	}
	found, err := c.cfg.Gandi(key).PaaS.List(ctx, o)
	if err != nil {
		c.log.WarnContext(ctx, "instance picker: paas.list failed, answering with the text typed", "team", team, "user", user, "err", err)
		return asTyped
	}
	out := make([]reply.Option, 0, len(found))
	for _, in := range found {
		out = append(out, reply.Option{Label: fmt.Sprintf("%s (#%d) · %s", in.Name, in.ID, in.State), Value: strconv.Itoa(in.ID)})
	}
	if len(out) == 0 {
		return asTyped
	}
	return out
}
