package commands

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// pageKeys are the paging and sorting keys of list commands. page counts
// from 1 for people (the API counts from 0).
func pageKeys(sortFields []string) []Param {
	return []Param{
		{Name: "sort_by", Aliases: []string{"sort"}, Kind: KindString, Hint: "field[ desc]",
			Help: "sort by " + strings.Join(sortFields, ", ") + "; add \" desc\" or a leading - to reverse"},
		{Name: "page", Kind: KindInt, Hint: "N", Help: "page number, from 1"},
		{Name: "per-page", Aliases: []string{"items_per_page", "per_page"}, Kind: KindInt, Hint: "N", Help: "rows per page (1–500)"},
	}
}

// pageOf reads sort_by, page and per-page of call; per-page defaults to
// the core's page size.
func (c *Core) pageOf(call *Call, sortFields []string) (gandi.Page, error) {
	return pageSized(call, sortFields, c.pageSz)
}

// pageSized is pageOf with its own default per-page, so that page is
// bounded by the page size actually sent.
func pageSized(call *Call, sortFields []string, perPage int) (gandi.Page, error) {
	p := gandi.Page{ItemsPerPage: perPage}
	if call.Has("per-page") {
		n := call.Int("per-page")
		if n < 1 || n > gandi.MaxItemsPerPage {
			return p, apperr.Errorf(apperr.EINVALID, "per-page must be between 1 and %d.", gandi.MaxItemsPerPage)
		}
		p.ItemsPerPage = n
	}
	if call.Has("page") {
		n := call.Int("page")
		if n < 1 {
			return p, apperr.Errorf(apperr.EINVALID, "page counts from 1.")
		}
		// Gandi takes page and items_per_page as XML-RPC ints (32 bits)
		// and skips page×items_per_page rows: past that it faults, or
		// the offset wraps.
		if last := maxRow / p.ItemsPerPage; n > last {
			return p, apperr.Errorf(apperr.EINVALID, "page must be between 1 and %d at %d per page.", last, p.ItemsPerPage)
		}
		p.Page = n - 1
	}
	if s := call.String("sort_by"); s != "" {
		field, dir := s, ""
		if strings.HasPrefix(field, "-") {
			field, dir = field[1:], " DESC"
		}
		if f, d, ok := strings.Cut(field, " "); ok {
			switch strings.ToLower(strings.TrimSpace(d)) {
			case "desc":
				dir = " DESC"
			case "asc":
			default:
				return p, apperr.Errorf(apperr.EINVALID, "sort_by takes a field and optionally asc or desc, not %s.", quoteWord(s))
			}
			field = f
		}
		field = sortAlias(strings.ToLower(strings.TrimSpace(field)), sortFields)
		ok := false
		for _, f := range sortFields {
			ok = ok || f == field
		}
		if !ok {
			return p, apperr.Errorf(apperr.EINVALID, "Cannot sort by %s.%s Valid: %s.", quoteWord(field), didYouMean(field, sortFields), strings.Join(sortFields, ", "))
		}
		p.SortBy = field + dir
	}
	return p, nil
}

// sortAliases are the words people use for the API's date fields, each
// with the fields it may mean, in order; the first a listing sorts by wins.
var sortAliases = map[string][]string{
	"expires": {"date_end"}, "expiry": {"date_end"}, "expiration": {"date_end"}, "end": {"date_end"},
	"created": {"date_created", "date_creation", "date_start"}, "creation": {"date_creation", "date_created", "date_start"},
	"start": {"date_start"}, "started": {"date_start"},
}

// sortAlias is the sort field that field means among sortFields
// ("expires" → "date_end"), or field itself.
func sortAlias(field string, sortFields []string) string {
	for _, f := range sortAliases[field] {
		for _, sf := range sortFields {
			if f == sf {
				return f
			}
		}
	}
	return field
}

// maxRow is the largest row number a page may reach: Gandi reads page and
// items_per_page as XML-RPC ints, so their product must fit 2^31-1.
const maxRow = math.MaxInt32

// emptyList is the answer to a list call that returned no rows: with
// total > 0 rows in all, the page asked for lies past the end, which is
// said the same way by every list command; otherwise none (for example
// "No snapshots of blog.").
func emptyList(pg gandi.Page, total int, noun, none string) reply.Message {
	if total > 0 {
		return reply.Message{Text: fmt.Sprintf("Page %d is empty: %s in all.", pg.Page+1, human.Plural(total, noun))}
	}
	return reply.Message{Text: none}
}

// pageNotes adds "showing 1–25 of 140" and Previous / Next buttons that
// show the neighbouring pages in place of this one (DESIGN §9: paging
// edits the message, it posts no new one per page).
func pageNotes(m *reply.Message, call *Call, pg gandi.Page, shown, total int) {
	if shown == 0 {
		return
	}
	from := pg.Page*pg.ItemsPerPage + 1
	to := from + shown - 1
	if total >= 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("showing %d–%d of %d", from, to, total))
	}
	if pg.Page > 0 {
		m.Buttons = append(m.Buttons, pageButton("Previous", call, pg.Page))
	}
	if (total >= 0 && to < total) || (total < 0 && shown == pg.ItemsPerPage) {
		m.Buttons = append(m.Buttons, pageButton("Next", call, pg.Page+2))
	}
}

// ActionPage is the Action of paging buttons. Its Value is a PageValue:
// who asked for the list, whether it was shared, and the command line of
// the page to show, so that any replica can serve the click from the
// button alone (DESIGN §11).
const ActionPage = "page"

// PageValue is what a paging button carries.
type PageValue struct {
	Owner  string // who asked for the list: only they may replace it
	Shared bool   // the list is in the channel (--share)
	Line   string // the command of the page to show, without --share
}

// String encodes v as a button value: "owner|s|line" or "owner|p|line".
func (v PageValue) String() string {
	vis := "p"
	if v.Shared {
		vis = "s"
	}
	return v.Owner + "|" + vis + "|" + v.Line
}

// ParsePageValue reads a paging button's value; ok is false for a value
// that is not one.
func ParsePageValue(s string) (v PageValue, ok bool) {
	owner, rest, ok1 := strings.Cut(s, "|")
	vis, line, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 || (vis != "s" && vis != "p") || strings.TrimSpace(line) == "" {
		return PageValue{}, false
	}
	return PageValue{Owner: owner, Shared: vis == "s", Line: line}, true
}

func pageButton(label string, call *Call, page int) reply.Button {
	line := nextPageLine(call.Line, page)
	v := PageValue{Owner: call.Req.User, Shared: call.Share, Line: line}
	return reply.Button{Label: label, Action: ActionPage, Value: v.String(), Command: line}
}

// nextPageLine is line with page= set to n and without --share: anyone
// in the channel may click the button of a shared list, and the click runs
// with the clicker's own key, so it must never post their account there.
func nextPageLine(line Line, n int) string {
	out := Line{}
	for _, a := range line.Args {
		if a.Kind == Pair && strings.EqualFold(a.Key, "page") || a.Kind == Flag && strings.EqualFold(a.Key, "share") {
			continue
		}
		out.Args = append(out.Args, a)
	}
	out.Args = append(out.Args, Arg{Kind: Pair, Key: "page", Value: strconv.Itoa(n)})
	return out.String()
}

// likePattern makes a ~ filter a substring match unless the person wrote
// their own % wildcards.
func likePattern(s string) string {
	if strings.Contains(s, "%") {
		return s
	}
	return "%" + s + "%"
}

func likePatterns(ss []string) gandi.Strings {
	var out gandi.Strings
	for _, s := range ss {
		out = append(out, likePattern(s))
	}
	return out
}

// listing is one page of a list command: how to count the items that
// match and fetch the page, and how to say it.
type listing[T any] struct {
	count func(context.Context) (int, error)
	page  func(context.Context) ([]T, error)
	noun  string // "snapshot": "Page 3 is empty: 12 snapshots in all."
	none  string // the answer when nothing matches: "No snapshots of blog."
	title string
	table func([]T) *reply.Table
}

// answer counts and fetches the page at once (one round trip to Gandi,
// not two: DESIGN §10; Gandi's errors come back as sentences) and answers
// with its table, "showing 1–25 of 140" and a More button re-running the
// command at the next page, or with the empty answer.
func (l listing[T]) answer(ctx context.Context, call *Call, pg gandi.Page) (reply.Message, error) {
	total, items, err := countAndPage(ctx, l.count, l.page)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	if len(items) == 0 {
		return emptyList(pg, total, l.noun, l.none), nil
	}
	m := reply.Message{Title: l.title, Table: l.table(items)}
	pageNotes(&m, call, pg, len(items), total)
	return m, nil
}

// countAndPage runs count and page at once, since neither needs the
// other. The first to fail cancels the other, and its error is the one
// returned, not the cancellation it caused.
func countAndPage[T any](ctx context.Context, count func(context.Context) (int, error), page func(context.Context) ([]T, error)) (int, []T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() {
			first = err
			cancel()
		})
	}
	var total int
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		var err error
		if total, err = count(ctx); err != nil {
			fail(err)
		}
	}()
	items, err := page(ctx)
	if err != nil {
		fail(err)
	}
	<-counted
	if first != nil {
		return 0, nil, first
	}
	return total, items, nil
}

// countAnswer answers a count command: "3 snapshots of blog.".
func countAnswer(n int, err error, noun, suffix string) (reply.Message, error) {
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	return reply.Message{Text: human.Plural(n, noun) + suffix}, nil
}

// instanceScope narrows a vhost or snapshot listing to the instance named
// by the command's first word, if any (one paas.list call); otherwise it
// keeps paasID, which paas_id= may have set.
// The instance's name, when the command gave it, is added to names so
// that the rows need no call to name it.
func (c *Core) instanceScope(ctx context.Context, call *Call, paasID int, names map[int]string) (int, error) {
	if call.Arg(0) == "" {
		return paasID, nil
	}
	ref, err := resolveInstance(ctx, c.client(call).PaaS, call.Arg(0), false)
	if err != nil {
		return paasID, err
	}
	if ref.Name != "" && names != nil {
		names[ref.ID] = ref.Name
	}
	return ref.ID, nil
}
