package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// gandiKeyLen is the length of every Gandi API key (the v3 keys of the
// XML-RPC API): a key of another length is a copy-paste slip, told before
// Gandi is asked.
const gandiKeyLen = 24

// FormLogin is the ID of the form that collects an API key.
const FormLogin = "login"

func (c *Core) loginCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "login", Summary: "store your Gandi API key (asked privately, checked with Gandi)", NoKey: true, Run: runLogin,
			// A key typed on the line is accepted by the parser only to be
			// refused without being repeated anywhere.
			Args: []Param{{Name: "key", Kind: KindString, Hidden: true}},
			Keys: []Param{{Name: "apikey", Aliases: []string{"key", "api-key", "api_key"}, Kind: KindString, Hidden: true}}},
		{Name: "logout", Summary: "delete your stored API key", NoKey: true, Run: runLogout},
		{Name: "whoami", Summary: "who you are here and whether your key works", NoKey: true, Run: runWhoami},
	}
}

func runLogin(_ context.Context, _ *Core, call *Call) (reply.Message, error) {
	if call.Arg(0) != "" || call.Has("apikey") {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Do not type your API key after `login`: it stays in the chat history. Run `login` alone and paste the key into the form it opens.")
	}
	text := "Paste your Gandi API key in the form. It is checked with Gandi, stored encrypted, and never shown again."
	if call.Req.Terminal {
		text = "Type or paste your Gandi API key at the prompt. It is checked with Gandi, stored encrypted, and never shown again."
	}
	return reply.Message{
		Text: text,
		Form: &reply.Form{
			ID: FormLogin, Title: "Gandi API key", Label: "API key",
			Hint:        "Gandi's account settings → Security → API key (24 characters).",
			Placeholder: "24 characters", Submit: "Save",
		},
	}, nil
}

// SubmitForm receives a filled form. For "login" it checks the key with
// version.info, stores it for the submitter and answers privately with its
// fingerprint. A refused key is an *apperr.Error apperr.EINVALID (the Slack
// modal shows it on the field). A submission with an empty Team or User is
// refused (apperr.EINVALID) before the key is looked at. The key never appears
// in a reply, a log line or an error.
func (c *Core) SubmitForm(ctx context.Context, s Submission) (msg reply.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &apperr.Error{Code: apperr.EINTERNAL, Err: fmt.Errorf("panic in form %q: %v", s.FormID, r)}
			msg = c.errorReply(ctx, "form:"+s.FormID, Request{Team: s.Team, User: s.User}, err, nil)
		}
	}()
	if err := c.anonymous(ctx, s.Team, s.User); err != nil {
		c.observe("form", apperr.EINVALID)
		return reply.Message{}, err
	}
	if s.FormID != FormLogin {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Unknown form %q.", s.FormID)
	}
	typed := strings.TrimSpace(s.Value)
	defer func() { c.observe("login", codeOf(err)) }()
	if typed == "" {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "The API key is empty.")
	}
	if len(typed) > 200 || strings.ContainsFunc(typed, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "That does not look like a Gandi API key (printable characters, no spaces).")
	}
	if n := len(typed); n != gandiKeyLen {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Gandi API keys are %d characters; this one has %d. Copy the whole key from Gandi's account settings.", gandiKeyLen, n)
	}
	key := secret.Value(typed)
	v, err := c.cfg.Gandi(key).Version.Info(ctx)
	if err != nil {
		if errors.Is(err, gandi.ErrBadAPIKey) {
			c.audit(ctx, s.Team, s.User, "login", "", "refused: key rejected by Gandi", nil)
			return reply.Message{}, &apperr.Error{Code: apperr.EINVALID, Message: "Gandi refused this API key. Check it in Gandi's account settings and try again.", Err: err}
		}
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	fp, err := c.cfg.Store.PutAPIKey(ctx, store.Identity{Team: s.Team, User: s.User}, key)
	if err != nil {
		return reply.Message{}, fmt.Errorf("store API key: %w", err)
	}
	c.audit(ctx, s.Team, s.User, "login", "", "ok", nil)
	return reply.Message{
		Visibility: reply.Private, Tone: reply.Success,
		Text:  fmt.Sprintf("Your Gandi API key is stored (fingerprint `%s`, API %s). Try `list`.", fp, v.APIVersion),
		Notes: []string{"`logout` deletes it."},
	}, nil
}

func runLogout(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	err := c.cfg.Store.DeleteAPIKey(ctx, store.Identity{Team: call.Req.Team, User: call.Req.User})
	if errors.Is(err, store.ErrNotFound) {
		return reply.Message{Text: "You had no API key stored here."}, nil
	}
	if err != nil {
		return reply.Message{}, fmt.Errorf("delete API key: %w", err)
	}
	c.audit(ctx, call.Req.Team, call.Req.User, "logout", "", "ok", nil)
	return reply.Message{Tone: reply.Success, Text: "Your API key is deleted. `login` stores a new one."}, nil
}

func runWhoami(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	who := call.Req.User
	if call.Req.UserName != "" && call.Req.UserName != call.Req.User {
		who = call.Req.UserName + " (" + call.Req.User + ")"
	}
	m := reply.Message{Title: "You are " + who, Fields: []reply.Field{{Label: "Workspace", Value: call.Req.Team}}}
	// One read: its key and its metadata go together, and a failed read
	// never continues with an empty key.
	key, meta, err := c.cfg.Store.APIKey(ctx, store.Identity{Team: call.Req.Team, User: call.Req.User})
	if err != nil {
		err = keyError(err)
		var ae *apperr.Error
		if errors.As(err, &ae) {
			m.Fields = append(m.Fields, reply.Field{Label: "API key", Value: ae.Message})
			return m, nil
		}
		return reply.Message{}, err
	}
	m.Fields = append(m.Fields, reply.Field{Label: "API key", Value: fmt.Sprintf("fingerprint %s, stored %s", meta.Fingerprint, human.DateTime(&meta.CreatedAt))})
	if v, err := c.cfg.Gandi(key).Version.Info(ctx); err != nil {
		msg := apperr.Message(ctx, c.log, "whoami: version.info failed", apperr.FromGandi(err, ""), "team", call.Req.Team, "user", call.Req.User)
		m.Fields = append(m.Fields, reply.Field{Label: "Gandi", Value: msg})
	} else {
		m.Fields = append(m.Fields, reply.Field{Label: "Gandi", Value: "key accepted, API " + v.APIVersion})
	}
	if c.cfg.Approvals.IsApprover(call.Req.User) {
		m.Fields = append(m.Fields, reply.Field{Label: "Role", Value: "approver"})
	}
	return m, nil
}
