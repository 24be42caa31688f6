package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi"
)

// instanceRef is an instance named by a person, resolved to its id.
// Catalog is its catalog product as paas.list or paas.info answered it
// ("" when not verified), which lets the approvals engine ask a renewal's
// price beside its own paas.info.
type instanceRef struct {
	ID      int
	Name    string
	Catalog string
}

// Label is the human name used in messages: "shop-prod (#42)".
func (r instanceRef) Label() string { return approvals.InstanceLabel(r.ID, r.Name) }

// resolveInstance turns what a person typed (an id or an exact name) into
// an instance of their account. A name costs one paas.list {name} call;
// none or several matches are errors naming candidates. With verify, an
// id is checked with paas.info (so "no instance 42" comes before any
// confirmation) and its name filled in.
func resolveInstance(ctx context.Context, paas PaaS, typed string, verify bool) (instanceRef, error) {
	typed = strings.TrimSpace(strings.TrimPrefix(typed, "#"))
	if typed == "" {
		return instanceRef{}, apperr.Errorf(apperr.EINVALID, "Name an instance by its id or its exact name.")
	}
	if id, err := strconv.Atoi(typed); err == nil && id > 0 {
		if !verify {
			return instanceRef{ID: id}, nil
		}
		info, err := paas.Info(ctx, id)
		if err != nil {
			return instanceRef{}, apperr.FromGandi(err, fmt.Sprintf("no instance %d in your account", id))
		}
		return instanceRef{ID: info.ID, Name: info.Name, Catalog: info.CatalogName}, nil
	}
	found, err := paas.List(ctx, &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{typed}}})
	if err != nil {
		return instanceRef{}, apperr.FromGandi(err, "")
	}
	switch len(found) {
	case 1:
		return instanceRef{ID: found[0].ID, Name: found[0].Name, Catalog: found[0].CatalogName}, nil
	case 0:
		return instanceRef{}, notFoundInstance(ctx, paas, typed)
	}
	var ids []string
	for _, in := range found {
		ids = append(ids, fmt.Sprintf("#%d (%s, %s)", in.ID, in.State, in.Type))
	}
	return instanceRef{}, apperr.Errorf(apperr.EINVALID, "Several instances are named %s: %s. Use the id instead.", quoteWord(typed), strings.Join(ids, ", "))
}

// notFoundInstance builds the "no instance named x" error with the
// names that contain it (one ~name call; a failure just drops the hint).
func notFoundInstance(ctx context.Context, paas PaaS, typed string) error {
	msg := fmt.Sprintf("No instance named %s in your account.", quoteWord(typed))
	like := typed
	if len(like) > 4 {
		like = like[:4]
	}
	opts := &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{NameLike: gandi.Strings{"%" + like + "%"}}, Page: gandi.Page{ItemsPerPage: 50}}
	if cands, err := paas.List(ctx, opts); err == nil && len(cands) > 0 {
		var names []string
		for _, in := range cands {
			names = append(names, in.Name)
		}
		if dym := didYouMean(typed, names); dym != "" {
			msg += dym
		} else {
			if len(names) > 5 {
				names = names[:5]
			}
			msg += " Similar: " + strings.Join(names, ", ") + "."
		}
	}
	msg += " `list` shows your instances."
	return apperr.Errorf(apperr.ENOTFOUND, "%s", msg)
}
