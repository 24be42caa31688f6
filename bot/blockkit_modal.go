package bot

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/reply"
)

// The ids of the login modal's single input, as the view_submission's
// view.state.values carries them back: values[FormBlockID][FormActionID].
const (
	FormBlockID  = "paasbot_secret"
	FormActionID = "secret"
)

// Modal limits.
const (
	MaxModalTitle       = 24
	MaxModalButton      = 24
	MaxPrivateMetadata  = 3000
	MaxInputLabel       = 2000
	MaxInputHint        = 2000
	MaxInputPlaceholder = 150
)

// secretNotice ends every login hint: Slack has no password input, so the
// person must know what happens to what they type.
const secretNotice = "The key is checked with Gandi, stored encrypted, and never shown again, in Slack or anywhere else."

// RenderLoginModal renders f as a modal (views.open with the slash
// command's trigger_id) that collects one secret. Slack has no true password
// input: the plain_text_input shows what is typed to the person typing it
// only, and the hint says the key is stored encrypted and never shown.
// CallbackID is f.ID, so the adapter can route the view_submission;
// privateMetadata travels back untouched and must stay under
// MaxPrivateMetadata characters (the caller's job: it is not cut here).
// Read the value back with FormValue.
func RenderLoginModal(f reply.Form, privateMetadata string) slack.ModalViewRequest {
	title := f.Title
	if title == "" {
		title = "Gandi login"
	}
	submit := f.Submit
	if submit == "" {
		submit = "Save"
	}
	label := f.Label
	if label == "" {
		label = "API key"
	}
	hint := strings.TrimSpace(f.Hint + " " + secretNotice)

	input := slack.NewPlainTextInputBlockElement(nil, FormActionID)
	if f.Placeholder != "" {
		input.Placeholder = plain(shorten(f.Placeholder, MaxInputPlaceholder))
	}
	block := slack.NewInputBlock(FormBlockID,
		plain(shorten(label, MaxInputLabel)),
		plain(shorten(hint, MaxInputHint)),
		input)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(shorten(title, MaxModalTitle)),
		Submit:          plain(shorten(submit, MaxModalButton)),
		Close:           plain("Cancel"),
		CallbackID:      f.ID,
		PrivateMetadata: privateMetadata,
		Blocks:          slack.Blocks{BlockSet: []slack.Block{block}},
	}
}

// FormValue reads the secret typed into a login modal from a
// view_submission's view. ok is false when the view carries no such input
// (another modal, or a malformed payload). The value is a secret: never log
// it.
func FormValue(view slack.View) (value string, ok bool) {
	if view.State == nil {
		return "", false
	}
	action, ok := view.State.Values[FormBlockID][FormActionID]
	if !ok {
		return "", false
	}
	return action.Value, true
}

// FormError is the ack payload that shows msg under the modal's input
// (for example "Gandi refused this key") and keeps the modal open.
func FormError(msg string) *slack.ViewSubmissionResponse {
	return slack.NewErrorsViewSubmissionResponse(map[string]string{FormBlockID: shorten(msg, MaxInputHint)})
}
