package commands

import (
	"context"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

var typeSortFields = []string{"catalog_prefix", "category", "database", "id", "name", "visibility"}

func typeFilterKeys() []Param {
	var vis []string
	for _, v := range gandi.Visibilities() {
		vis = append(vis, string(v))
	}
	return []Param{
		{Name: "name", Kind: KindStrings}, {Name: "database", Kind: KindStrings, Help: "e.g. mysql5.7"},
		{Name: "category", Kind: KindStrings}, {Name: "catalog_prefix", Kind: KindStrings},
		{Name: "id", Kind: KindInts}, {Name: "visibility", Kind: KindEnum, Enum: vis},
	}
}

func (c *Core) typeCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "types", Summary: "the instance types you can create", Keys: append(typeFilterKeys(), pageKeys(typeSortFields)...),
			Run: runTypes, Examples: []string{"types", "types visibility=all database=mysql5.7"}},
		{Name: "types count", Summary: "how many types match", Keys: typeFilterKeys(), Run: runTypesCount},
	}
}

func typeFilters(call *Call) gandi.TypeListOptions {
	return gandi.TypeListOptions{
		Name: call.Strings("name"), Database: call.Strings("database"), Category: call.Strings("category"),
		CatalogPrefix: call.Strings("catalog_prefix"), ID: call.Ints("id"), Visibility: gandi.Visibility(call.String("visibility")),
	}
}

func runTypes(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o := typeFilters(call)
	pg, err := pageSized(call, typeSortFields, 100)
	if err != nil {
		return reply.Message{}, err
	}
	o.Page = pg
	gc := c.client(call)
	return listing[gandi.PaasType]{
		count: func(ctx context.Context) (int, error) { return gc.Types.Count(ctx, &o) },
		page:  func(ctx context.Context) ([]gandi.PaasType, error) { return gc.Types.List(ctx, &o) },
		noun:  "type", none: "No types" + filterSuffix(call), title: "Instance types",
		table: func(items []gandi.PaasType) *reply.Table {
			t := &reply.Table{Columns: []string{"type", "language", "database", "visibility"}}
			for _, p := range items {
				t.Rows = append(t.Rows, []string{p.Name, human.OrDash(p.Language), human.OrDash(p.Database), string(p.Visibility)})
			}
			return t
		},
	}.answer(ctx, call, pg)
}

func runTypesCount(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o := typeFilters(call)
	n, err := c.client(call).Types.Count(ctx, &o)
	return countAnswer(n, err, "type", filterSuffix(call))
}
