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
	if err := e.cfg.Notifier.PostPrivate(ctx, a.Channel, a.Requester, m); err != nil {
		e.log.WarnContext(ctx, "cannot deliver the generated password", "id", a.ID, "err", err)
		return err
	}
	return nil
}

// passwordTarget names the instance for `update X reset-password`.
func passwordTarget(p Plan) string { return strings.TrimPrefix(checkCommand(p), "info ") }
