package gandi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

// A fake endpoint answering paas.list with the usage guide's sample.
func fakeEndpoint() *httptest.Server {
	body, _ := os.ReadFile("testdata/paas_list.xml")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(body)
	}))
}

func Example() {
	srv := fakeEndpoint()
	defer srv.Close()

	shared := &http.Client{} // one per process, shared by every user's Client
	c := gandi.NewClient("the user's key", gandi.WithEndpoint(srv.URL), gandi.WithHTTPClient(shared),
		gandi.WithTimeout(10*time.Second))

	ctx := context.Background()
	list, err := c.PaaS.List(ctx, &gandi.PaasListOptions{
		PaasCountOptions: gandi.PaasCountOptions{State: gandi.StateRunning, NameLike: gandi.Strings{"shop%"}},
		Page:             gandi.Page{SortBy: "date_end"},
	})
	switch {
	case errors.Is(err, gandi.ErrBadAPIKey):
		fmt.Println("please /paas login again")
	case err != nil:
		fmt.Println("error:", err)
	}
	for _, i := range list {
		fmt.Println(i.ID, i.Name, i.Size, i.DateEnd.Format(time.DateTime+" MST"))
	}
	fmt.Println(strings.Replace(c.String(), srv.URL, "URL", 1)) // never shows the key
	// Output:
	// 1 Mon PaaS m 2011-10-14 14:36:30 CEST
	// 2 shop-prod s+ 2027-01-01 00:30:00 CET
	// gandi.Client{endpoint: URL, key: [redacted]}
}
