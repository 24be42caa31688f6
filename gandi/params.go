package gandi

// Parameter structs, one per parameter struct of the reference. Field tags
// name the wire key. A field is sent only when set (non-zero, non-nil)
// unless its tag says ",always"; use the pointer fields where the zero value
// itself is meaningful (for example Console: false turns the console off).
//
// Date filters are strings as in the reference; DateFilter formats a
// time.Time the way this package sends dates (Paris wall-clock time).

// Ints is an "int or array of int" value: nil is not sent, one element is
// sent as a single int, more as an array.
type Ints []int

// Strings is an "array of string or string" value: nil is not sent, one
// element is sent as a single string, more as an array.
type Strings []string

// IntOrString is an "int or string" value (PaasUpdateParams.snapshot_profile).
// Build it with IntValue or StringValue.
type IntOrString struct {
	Int   int
	Str   string
	IsStr bool
}

// IntValue makes an IntOrString holding an int.
func IntValue(n int) *IntOrString { return &IntOrString{Int: n} }

// StringValue makes an IntOrString holding a string (for example "" to unset).
func StringValue(s string) *IntOrString { return &IntOrString{Str: s, IsStr: true} }

// Page selects one page of a list call. Page counts from 0; ItemsPerPage
// defaults to 100 on the server, which caps it at MaxItemsPerPage.
type Page struct {
	ItemsPerPage int    `xmlrpc:"items_per_page"`
	Page         int    `xmlrpc:"page"`
	SortBy       string `xmlrpc:"sort_by"` // a field, optionally followed by " DESC"
}

// MaxItemsPerPage is the largest page the server answers.
const MaxItemsPerPage = 500

// PaasCountOptions filters paas.count (reference: PaasCountOptions).
type PaasCountOptions struct {
	DataDiskAdditionalSizeLT *int    `xmlrpc:"<data_disk_additional_size"`
	DateEndBefore            string  `xmlrpc:"<date_end"`
	DataDiskAdditionalSizeGT *int    `xmlrpc:">data_disk_additional_size"`
	DateEndAfter             string  `xmlrpc:">date_end"`
	Contact                  Strings `xmlrpc:"contact"`
	DataDiskAdditionalSize   *int    `xmlrpc:"data_disk_additional_size"`
	DatacenterID             Ints    `xmlrpc:"datacenter_id"`
	DateEnd                  string  `xmlrpc:"date_end"`
	DateStart                string  `xmlrpc:"date_start"`
	ID                       Ints    `xmlrpc:"id"`
	Name                     Strings `xmlrpc:"name"`
	Size                     Strings `xmlrpc:"size"`
	State                    State   `xmlrpc:"state"`
	Type                     Strings `xmlrpc:"type"`
	Vhost                    Strings `xmlrpc:"vhost"`
	NameLike                 Strings `xmlrpc:"~name"`  // SQL LIKE, % wildcards
	VhostLike                Strings `xmlrpc:"~vhost"` // SQL LIKE, % wildcards
}

// PaasListOptions filters and pages paas.list (reference: PaasListOptions).
// SortBy accepts contact, data_disk_additional_size, datacenter_id,
// date_end, date_start, id, name, size, state, type, vhost.
type PaasListOptions struct {
	PaasCountOptions
	Page
}

// PaasCreateParams are the parameters of paas.create (reference:
// PaasCreateParams). DatacenterID, Duration ("1m", "12m"…), Name, Password,
// Size and Type are mandatory and always sent.
type PaasCreateParams struct {
	DatacenterID    int         `xmlrpc:"datacenter_id,always"`
	Duration        string      `xmlrpc:"duration,always"`
	Name            string      `xmlrpc:"name,always"`
	Password        string      `xmlrpc:"password,always"`
	Size            Size        `xmlrpc:"size,always"`
	Type            ServiceType `xmlrpc:"type,always"`
	Fixed           bool        `xmlrpc:"fixed"` // annual commitment
	Keys            []int       `xmlrpc:"keys"`  // ids of existing SSH keys
	Override        bool        `xmlrpc:"override"`
	Quantity        int         `xmlrpc:"quantity"` // additional disk, GB
	SnapshotProfile *int        `xmlrpc:"snapshot_profile"`
	SSHKey          Strings     `xmlrpc:"ssh_key"`
	Trial           *bool       `xmlrpc:"trial"`
	Vhosts          []string    `xmlrpc:"vhosts"`
	ZoneAlter       bool        `xmlrpc:"zone_alter"`
}

// String hides the password so that params can be logged.
func (p PaasCreateParams) String() string {
	if p.Password != "" {
		p.Password = redacted
	}
	type plain PaasCreateParams
	return sprintPlain(plain(p))
}

// PaasUpdateParams are the parameters of paas.update (reference:
// PaasUpdateParams). Pointer fields are sent whenever non-nil.
type PaasUpdateParams struct {
	Console            *bool        `xmlrpc:"console"`
	Keys               []int        `xmlrpc:"keys"`
	Name               string       `xmlrpc:"name"`
	Password           string       `xmlrpc:"password"`
	Quantity           *int         `xmlrpc:"quantity"` // additional disk, GB
	ResetMySQLPassword bool         `xmlrpc:"reset_mysql_password"`
	Size               Size         `xmlrpc:"size"`
	SnapshotProfile    *IntOrString `xmlrpc:"snapshot_profile"`
	SSHKey             Strings      `xmlrpc:"ssh_key"`
	Upgrade            bool         `xmlrpc:"upgrade"`
}

// String hides the password so that params can be logged.
func (p PaasUpdateParams) String() string {
	if p.Password != "" {
		p.Password = redacted
	}
	type plain PaasUpdateParams
	return sprintPlain(plain(p))
}

// RenewOptions are the parameters of paas.renew (reference: RenewOptions);
// both keys are mandatory and always sent.
type RenewOptions struct {
	Duration string `xmlrpc:"duration,always"`
	Fixed    bool   `xmlrpc:"fixed,always"`
}

// DNSEntriesParams are the parameters of paas.vhost.get_dns_entries
// (reference: PaasDnsEntry); both are mandatory.
type DNSEntriesParams struct {
	Datacenter int    `xmlrpc:"datacenter,always"`
	Vhost      string `xmlrpc:"vhost,always"`
}

// VhostCreateParams are the parameters of paas.vhost.create (reference:
// PaasVhost). Override only acts when ZoneAlter is also set.
type VhostCreateParams struct {
	PaasID    int    `xmlrpc:"paas_id,always"`
	Vhost     string `xmlrpc:"vhost,always"`
	Override  bool   `xmlrpc:"override"`
	ZoneAlter bool   `xmlrpc:"zone_alter"`
}

// VhostListOptions filters and pages paas.vhost.list and paas.vhost.count
// (reference: VhostListOptions). SortBy accepts date_creation, id, name,
// paas_id, state. Count ignores Page.
type VhostListOptions struct {
	DateCreationBefore string `xmlrpc:"<date_creation"`
	DateCreationAfter  string `xmlrpc:">date_creation"`
	DateCreation       string `xmlrpc:"date_creation"`
	ID                 Ints   `xmlrpc:"id"`
	Name               string `xmlrpc:"name"`
	PaasID             int    `xmlrpc:"paas_id"`
	State              State  `xmlrpc:"state"`
	NameLike           string `xmlrpc:"~name"`
	Page
}

// SnapshotListOptions filters and pages paas.snapshot.list and
// paas.snapshot.count (reference: PaasSnapshotListOptions). SortBy accepts
// date_created, name, paas_id, size, type. Count ignores Page.
type SnapshotListOptions struct {
	DateCreatedBefore string `xmlrpc:"<date_created"`
	SizeLT            *int   `xmlrpc:"<size"`
	DateCreatedAfter  string `xmlrpc:">date_created"`
	SizeGT            *int   `xmlrpc:">size"`
	DateCreated       string `xmlrpc:"date_created"`
	Name              string `xmlrpc:"name"`
	PaasID            int    `xmlrpc:"paas_id"`
	Size              *int   `xmlrpc:"size"`
	Type              string `xmlrpc:"type"`
	NameLike          string `xmlrpc:"~name"`
	Page
}

// TypeListOptions filters and pages paas.type.list and paas.type.count
// (reference: PaasTypeListOptions). SortBy accepts catalog_prefix,
// category, database, id, name, visibility. Count ignores Page.
type TypeListOptions struct {
	CatalogPrefix Strings    `xmlrpc:"catalog_prefix"`
	Category      Strings    `xmlrpc:"category"`
	Database      Strings    `xmlrpc:"database"`
	ID            Ints       `xmlrpc:"id"`
	Name          Strings    `xmlrpc:"name"`
	Visibility    Visibility `xmlrpc:"visibility"`
	Page
}

// OperationListOptions filters and pages operation.list and
// operation.count (not in the PaaS reference; the keys of Gandi's hosting
// API). PaasID keeps the operations of some instances; SortBy accepts
// date_created, id, step, type ("date_created DESC": newest first). Count
// ignores Page.
type OperationListOptions struct {
	ID                Ints    `xmlrpc:"id"`
	PaasID            Ints    `xmlrpc:"paas_id"`
	Step              Strings `xmlrpc:"step"`
	Type              Strings `xmlrpc:"type"`
	DateCreatedBefore string  `xmlrpc:"<date_created"`
	DateCreatedAfter  string  `xmlrpc:">date_created"`
	Page
}

// DatacenterListOptions filters hosting.datacenter.list (keys of Gandi's
// hosting API; empty fields are not sent).
type DatacenterListOptions struct {
	ID      Ints   `xmlrpc:"id"`
	ISO     string `xmlrpc:"iso"`     // country code, for example "FR"
	Country string `xmlrpc:"country"` // for example "France"
	DCCode  string `xmlrpc:"dc_code"` // for example "FR-SD2"
	Name    string `xmlrpc:"name"`
}

// SnapshotProfileListOptions filters and pages paas.snapshotprofile.list.
// SortBy accepts id and name.
type SnapshotProfileListOptions struct {
	ID   Ints    `xmlrpc:"id"`
	Name Strings `xmlrpc:"name"`
	Page
}

// CatalogListOptions select catalog.list prices (FACTS: catalog.list(apikey,
// {product: {type, description}, action: {name, duration}}, currency, grid)).
// Empty fields are not sent; Grid is sent only with a Currency.
type CatalogListOptions struct {
	ProductType        string // for example "paas"
	ProductDescription string // for example "phpmysql_m"
	ActionName         string // for example "renew", "create"
	ActionDuration     string // for example "12m"
	Currency           string // for example "EUR"
	Grid               string // for example "A"
}
