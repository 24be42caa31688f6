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
	return modal(title, submit, f.ID, privateMetadata, []slack.Block{block})
}

// modal is a modal view with its labels cut to Slack's limits and a
// Cancel button.
func modal(title, submit, callbackID, privateMetadata string, blocks []slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(shorten(title, MaxModalTitle)),
		Submit:          plain(shorten(submit, MaxModalButton)),
		Close:           plain("Cancel"),
		CallbackID:      callbackID,
		PrivateMetadata: privateMetadata,
		Blocks:          slack.Blocks{BlockSet: blocks},
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

// FieldBlockPrefix starts the block_id of a command form's field:
// "f_duration"; its action_id is the field's name.
const FieldBlockPrefix = "f_"

// Limits of a modal's inputs.
const (
	MaxModalBlocks   = 100
	MaxSelectOptions = 100
	MaxOptionText    = 75
	MaxOptionValue   = 150
)

// RenderFormModal renders a command's form (reply.Form with Fields) as a
// modal: one input block per field, a static_select for a select, an
// external_select answered on block_suggestion for an instance (listing
// instances before anything is typed), checkboxes for switches. The
// submission comes back with CallbackID f.ID and privateMetadata
// untouched; read it with FormValues.
func RenderFormModal(f reply.Form, privateMetadata string) slack.ModalViewRequest {
	var blocks []slack.Block
	for _, fd := range f.Fields[:min(len(f.Fields), MaxModalBlocks)] {
		label := fd.Label
		if label == "" {
			label = fd.Name
		}
		var hint *slack.TextBlockObject
		if fd.Hint != "" {
			hint = plain(shorten(fd.Hint, MaxInputHint))
		}
		var placeholder *slack.TextBlockObject
		if fd.Placeholder != "" {
			placeholder = plain(shorten(fd.Placeholder, MaxInputPlaceholder))
		}
		var el slack.BlockElement
		switch fd.Kind {
		case reply.FieldSelect:
			opts := optionObjects(fd.Options)
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder, fd.Name, opts...)
			for _, o := range opts {
				if o.Value == fd.Initial {
					sel.InitialOption = o
				}
			}
			el = sel
		case reply.FieldInstance:
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, placeholder, fd.Name)
			zero := 0
			sel.MinQueryLength = &zero
			if fd.Initial != "" {
				sel.InitialOption = optionObjects([]reply.Option{{Label: fd.InitialLabel, Value: fd.Initial}})[0]
			}
			el = sel
		case reply.FieldSwitches:
			el = slack.NewCheckboxGroupsBlockElement(fd.Name, optionObjects(fd.Options)...)
		default:
			in := slack.NewPlainTextInputBlockElement(placeholder, fd.Name)
			in.InitialValue = fd.Initial
			el = in
		}
		block := slack.NewInputBlock(FieldBlockPrefix+fd.Name, plain(shorten(label, MaxInputLabel)), hint, el)
		block.Optional = fd.Optional
		blocks = append(blocks, block)
	}
	title, submit := f.Title, f.Submit
	if title == "" {
		title = "paasbot"
	}
	if submit == "" {
		submit = "Submit"
	}
	return modal(title, submit, f.ID, privateMetadata, blocks)
}

// optionObjects renders options, at most MaxSelectOptions, each label cut
// to Slack's limit (a value, which the submission carries back, never is).
func optionObjects(opts []reply.Option) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, 0, min(len(opts), MaxSelectOptions))
	for _, o := range opts[:min(len(opts), MaxSelectOptions)] {
		label := o.Label
		if label == "" {
			label = o.Value
		}
		out = append(out, slack.NewOptionBlockObject(o.Value, plain(shorten(label, MaxOptionText)), nil))
	}
	return out
}

// FormValues reads a command form's submission: each field's value by its
// name (a select's chosen value, checkboxes' chosen values joined by
// commas). Blocks that are no field of a form are ignored.
func FormValues(view slack.View) map[string]string {
	out := map[string]string{}
	if view.State == nil {
		return out
	}
	for blockID, actions := range view.State.Values {
		name, ok := strings.CutPrefix(blockID, FieldBlockPrefix)
		if !ok {
			continue
		}
		a, ok := actions[name]
		if !ok {
			continue
		}
		switch {
		case a.SelectedOption.Value != "":
			out[name] = a.SelectedOption.Value
		case len(a.SelectedOptions) > 0:
			var vs []string
			for _, o := range a.SelectedOptions {
				vs = append(vs, o.Value)
			}
			out[name] = strings.Join(vs, ",")
		default:
			out[name] = a.Value
		}
	}
	return out
}

// FieldErrorsResponse is the ack payload that shows each error under its
// field and keeps the modal open; an error of the whole form (key "")
// shows on the first field, firstField.
func FieldErrorsResponse(errs map[string]string, firstField string) *slack.ViewSubmissionResponse {
	out := map[string]string{}
	for name, msg := range errs {
		if name == "" {
			name = firstField
		}
		id := FieldBlockPrefix + name
		if prev, ok := out[id]; ok {
			msg = prev + " " + msg
		}
		out[id] = shorten(msg, MaxInputHint)
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// SuggestionOptions is the ack payload of a block_suggestion: at most
// MaxSelectOptions options.
func SuggestionOptions(opts []reply.Option) *slack.OptionsResponse {
	return &slack.OptionsResponse{Options: optionObjects(opts)}
}
