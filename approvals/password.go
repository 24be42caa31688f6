package approvals

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Password alphabets: no look-alike characters (0 O o, 1 l I), and symbols
// that survive a shell, an SFTP client and a git URL without quoting.
const (
	pwLower   = "abcdefghijkmnpqrstuvwxyz"
	pwUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwDigits  = "23456789"
	pwSymbols = "-_.+="
)

// PasswordLength is the length of generated instance passwords: well
// inside Gandi's 8–64 characters, about 115 bits of entropy.
const PasswordLength = 20

// generatePassword returns a fresh password of PasswordLength characters
// read from r (crypto/rand in production) with at least two lower-case
// letters, two capitals, two digits and one symbol, the classes Gandi's
// password policy asks for. It is never stored, logged or audited: the
// caller passes it in the params of the real call and sends it privately
// to the requester.
func generatePassword(r io.Reader) (secret.Value, error) {
	classes := []struct {
		set string
		min int
	}{{pwLower, 2}, {pwUpper, 2}, {pwDigits, 2}, {pwSymbols, 1}}
	all := pwLower + pwUpper + pwDigits + pwSymbols
	buf := make([]byte, 0, PasswordLength)
	pick := func(set string) error {
		n, err := rand.Int(r, big.NewInt(int64(len(set))))
		if err != nil {
			return fmt.Errorf("generate password: %w", err)
		}
		buf = append(buf, set[n.Int64()])
		return nil
	}
	for _, c := range classes {
		for range c.min {
			if err := pick(c.set); err != nil {
				return "", err
			}
		}
	}
	for len(buf) < PasswordLength {
		if err := pick(all); err != nil {
			return "", err
		}
	}
	// Fisher–Yates, so the guaranteed classes are not always first.
	for i := len(buf) - 1; i > 0; i-- {
		j, err := rand.Int(r, big.NewInt(int64(i+1)))
		if err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		buf[i], buf[j.Int64()] = buf[j.Int64()], buf[i]
	}
	return secret.Value(buf), nil
}

// deliverPassword sends the password a call is about to set to the
// requester only, in a private message, before the call leaves: whatever
// happens next (a refusal, no answer, a crash), the password Gandi may set
// is one somebody has seen. It is never stored, logged or shown to anyone
// else. An error means it could not be delivered: the call must not be
// sent.
func (e *Engine) deliverPassword(ctx context.Context, a *store.Approval, p Plan, password secret.Value) error {
	if e.cfg.Notifier == nil {
		return errors.New("no notifier to deliver the password privately")
	}
	name := p.Target
	if p.Create != nil {
		name = p.Create.Name
	}
	m := reply.Message{Visibility: reply.Private, Tone: reply.Info,
		Title: "Password of " + name,
		Text:  "```" + password.Reveal() + "```",
		Notes: []string{
			fmt.Sprintf("Shown to you only, once: paasbot does not keep it. It is set when request #%d runs, now; paasbot tells you if it is not. It opens SFTP, git and the admin console of the instance.", a.ID),
			fmt.Sprintf("Lost it? `update %s reset-password` asks for a new one.", passwordTarget(p)),
		},
	}
	if !e.canDM() {
		// A terminal: its one person reads what PostPrivate prints.
		if err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
			e.log.WarnContext(ctx, "cannot deliver the generated password", "id", a.ID, "err", err)
			return err
		}
		return nil
	}
	// Only by DM: an ephemeral is lost when the person is away, and
	// nothing less private is ever tried instead.
	if _, err := e.dm(ctx, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot deliver the generated password by DM", "id", a.ID, "err", err)
		return err
	}
	return nil
}

// passwordUndelivered tells the requester of a call that was therefore not
// sent, privately and without the password, that the DM carrying it could
// not be sent, and how to get one.
func (e *Engine) passwordUndelivered(ctx context.Context, a *store.Approval, p Plan, cause error) {
	why := unreachable(a.Requester, cause)
	text := fmt.Sprintf("paasbot could not send you the new password of request #%d by DM (%s), so it did not send the request to Gandi: nothing changed and no password was set or kept.", a.ID, strings.TrimSuffix(why, "."))
	if p.Action == ActionCreate {
		text += " Once paasbot can DM you, ask again; a password is set later with `update <instance> reset-password`."
	} else {
		text += fmt.Sprintf(" Once paasbot can DM you, `update %s reset-password` sets a new one.", passwordTarget(p))
	}
	m := reply.Message{Visibility: reply.Private, Tone: reply.Warning, Title: "Password not delivered", Text: text}
	if err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot tell the requester that the password was not delivered", "id", a.ID, "err", err)
	}
}

// passwordTarget names the instance for `update X reset-password`.
func passwordTarget(p Plan) string { return strings.TrimPrefix(checkCommand(p), "info ") }
