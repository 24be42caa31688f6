package gandi

import (
	"strconv"
	"strings"
	"time"
)

// Return structs, one per return struct of the reference, every key with
// the reference's type. Dates are *time.Time in Europe/Paris (the zone the
// API's wall-clock dates are in), nil when the answer has <nil/> or lacks
// the key. Unknown keys in answers are ignored. Keys seen on real answers
// but missing from the reference (FACTS.md) are included and marked.

// Instance is one item of paas.list (reference: PaasListReturn).
type Instance struct {
	CatalogName            string           `xmlrpc:"catalog_name"`
	Console                string           `xmlrpc:"console"`
	DataDiskAdditionalSize int              `xmlrpc:"data_disk_additional_size"` // GB
	DatacenterID           int              `xmlrpc:"datacenter_id"`
	DateEnd                *time.Time       `xmlrpc:"date_end"`            // expiry
	DateEndCommitment      *time.Time       `xmlrpc:"date_end_commitment"` // end of commitment
	DateStart              *time.Time       `xmlrpc:"date_start"`          // creation
	EntityID               string           `xmlrpc:"entity_id"`
	ID                     int              `xmlrpc:"id"`
	Name                   string           `xmlrpc:"name"`
	NeedUpgrade            bool             `xmlrpc:"need_upgrade"`
	Servers                []MinimalServer  `xmlrpc:"servers"`
	Size                   Size             `xmlrpc:"size"`
	SnapshotProfile        *SnapshotProfile `xmlrpc:"snapshot_profile"` // nil: none
	State                  State            `xmlrpc:"state"`
	Type                   ServiceType      `xmlrpc:"type"`
}

// MinimalServer is a server of a listed instance (reference: MinimalServerReturn).
type MinimalServer struct {
	ID int `xmlrpc:"id"`
}

// InstanceInfo is the answer of paas.info (reference: PaasReturn).
type InstanceInfo struct {
	Autorenew              *Autorenew   `xmlrpc:"autorenew"` // nil: no autorenew
	CatalogName            string       `xmlrpc:"catalog_name"`
	Console                string       `xmlrpc:"console"` // console URL, if any
	ConsoleInfo            *ConsoleInfo `xmlrpc:"console_info"`
	DataDiskAdditionalSize int          `xmlrpc:"data_disk_additional_size"` // GB
	Datacenter             *Datacenter  `xmlrpc:"datacenter"`
	// DatadiskTotalSize is the total size of the disks in megabytes. The
	// reference says string, real answers send a float: both decode here
	// as text; DatadiskTotalSizeMB gives the number.
	DatadiskTotalSize string           `xmlrpc:"datadisk_total_size"`
	DateEnd           *time.Time       `xmlrpc:"date_end"`
	DateEndCommitment *time.Time       `xmlrpc:"date_end_commitment"`
	DateStart         *time.Time       `xmlrpc:"date_start"`
	EntityID          string           `xmlrpc:"entity_id"`
	FTPServer         string           `xmlrpc:"ftp_server"` // SFTP host name
	GitServer         string           `xmlrpc:"git_server"`
	ID                int              `xmlrpc:"id"`
	Name              string           `xmlrpc:"name"`
	NeedUpgrade       bool             `xmlrpc:"need_upgrade"`
	Owner             *Owner           `xmlrpc:"owner"`
	Servers           []Server         `xmlrpc:"servers"`
	Size              Size             `xmlrpc:"size"`
	SnapshotProfile   *SnapshotProfile `xmlrpc:"snapshot_profile"` // nil: none
	State             State            `xmlrpc:"state"`
	Type              ServiceType      `xmlrpc:"type"`
	User              int              `xmlrpc:"user"` // SFTP login user
	Vhosts            []VhostShort     `xmlrpc:"vhosts"`
}

// DatadiskTotalSizeMB parses DatadiskTotalSize; ok is false when it is
// absent or not a number.
func (i *InstanceInfo) DatadiskTotalSizeMB() (mb float64, ok bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(i.DatadiskTotalSize), 64)
	return f, err == nil
}

// Autorenew is the autorenew state of an instance. The reference only says
// "struct"; these are the keys of Gandi's hosting API autorenew struct.
type Autorenew struct {
	ID            int    `xmlrpc:"id"`
	Active        bool   `xmlrpc:"active"`
	Contact       string `xmlrpc:"contact"`
	Duration      int    `xmlrpc:"duration"`
	ProductID     int    `xmlrpc:"product_id"`
	ProductTypeID int    `xmlrpc:"product_type_id"`
}

// ConsoleInfo is the emergency console state (reference: ConsoleInfo).
type ConsoleInfo struct {
	DateEnd *time.Time `xmlrpc:"date_end"`
	Enabled bool       `xmlrpc:"enabled"`
}

// Datacenter is where an instance runs: paas.info's datacenter and an item
// of hosting.datacenter.list (FACTS: id, iso, dc_code, name, country).
type Datacenter struct {
	ID      int    `xmlrpc:"id"`
	ISO     string `xmlrpc:"iso"`
	DCCode  string `xmlrpc:"dc_code"`
	Name    string `xmlrpc:"name"`
	Country string `xmlrpc:"country"`
}

// Owner is the Gandi handle owning an instance (reference: PaasOwnerReturn).
type Owner struct {
	Handle string `xmlrpc:"handle"`
	ID     int    `xmlrpc:"id"`
}

// Server is a server of an instance (reference: ServerReturn). GraphURLs is
// deprecated by Gandi (graph name → URLs).
type Server struct {
	GraphURLs map[string][]string `xmlrpc:"graph_urls"`
	ID        int                 `xmlrpc:"id"`
	UUID      int                 `xmlrpc:"uuid"`
}

// SnapshotProfile is the snapshot profile of an instance (reference:
// SnapshotProfile: id, name; FACTS adds kept_total, quota_factor, schedules).
type SnapshotProfile struct {
	ID          int                `xmlrpc:"id"`
	Name        string             `xmlrpc:"name"`
	KeptTotal   int                `xmlrpc:"kept_total"`
	QuotaFactor float64            `xmlrpc:"quota_factor"`
	Schedules   []SnapshotSchedule `xmlrpc:"schedules"`
}

// SnapshotSchedule is one schedule of a snapshot profile.
type SnapshotSchedule struct {
	Name        string `xmlrpc:"name"` // daily, weekly, weekly4, hourly6
	KeptVersion int    `xmlrpc:"kept_version"`
}

// VhostShort is a virtual host as paas.info lists it (reference: PaasVHostShortReturn).
type VhostShort struct {
	DateCreation *time.Time `xmlrpc:"date_creation"`
	ID           int        `xmlrpc:"id"`
	Name         string     `xmlrpc:"name"`
	PaasEntityID string     `xmlrpc:"paas_entity_id"`
	State        string     `xmlrpc:"state"`
}

// Vhost is the answer of paas.vhost.info and an item of paas.vhost.list
// (reference: PaasVHostReturn).
type Vhost struct {
	CertID       int        `xmlrpc:"cert_id"`
	DateCreation *time.Time `xmlrpc:"date_creation"`
	ID           int        `xmlrpc:"id"`
	Name         string     `xmlrpc:"name"` // the FQDN
	PaasEntityID string     `xmlrpc:"paas_entity_id"`
	PaasID       int        `xmlrpc:"paas_id"`
	State        string     `xmlrpc:"state"`
}

// DNSEntries is the answer of paas.vhost.get_dns_entries: the records to
// put in the zone, including the TXT record proving ownership. The reference
// only says "struct"; Key and TXT are read when present and All keeps every
// member as text.
type DNSEntries struct {
	Key   string            `xmlrpc:"key"`
	TXT   string            `xmlrpc:"txt"`
	CNAME string            `xmlrpc:"cname"`
	All   map[string]string `xmlrpc:",rest"`
}

// Snapshot is the answer of paas.snapshot.info and an item of
// paas.snapshot.list (reference: PaasSnapshotReturn; id is not in the
// reference but is what paas.snapshot.info takes).
type Snapshot struct {
	ID          int             `xmlrpc:"id"`
	DateCreated *time.Time      `xmlrpc:"date_created"`
	Name        string          `xmlrpc:"name"`
	Size        int             `xmlrpc:"size"`
	Source      *SnapshotSource `xmlrpc:"source"`
	Type        string          `xmlrpc:"type"`
}

// SnapshotSource is the data disk a snapshot was taken of (reference: PaasDiskReturn).
type SnapshotSource struct {
	DatacenterID int    `xmlrpc:"datacenter_id"`
	PaasID       int    `xmlrpc:"paas_id"`
	State        string `xmlrpc:"state"`
}

// PaasType is an item of paas.type.list (reference: PaasTypeReturn).
type PaasType struct {
	CatalogPrefix string     `xmlrpc:"catalog_prefix"`
	Database      string     `xmlrpc:"database"`
	Language      string     `xmlrpc:"language"`
	Name          string     `xmlrpc:"name"`
	Visibility    Visibility `xmlrpc:"visibility"`
}

// VersionInfo is the answer of version.info.
type VersionInfo struct {
	APIVersion string `xmlrpc:"api_version"`
}

// Operation is an asynchronous job (operation.info, and what paas.create,
// update, renew, delete, restart and vhost create/delete answer). Follow
// it with Operations.Wait. Types seen: paas_vm_create, paas_disk_create,
// rproxy_create, paas_vm_update, paas_disk_update, rproxy_update,
// paas_console, paas_vm_renew, paas_disk_renew, paas_vm_delete,
// paas_disk_delete, paas_restart.
type Operation struct {
	ID          int             `xmlrpc:"id"`
	Type        string          `xmlrpc:"type"`
	Step        Step            `xmlrpc:"step"`
	DateCreated *time.Time      `xmlrpc:"date_created"`
	DateUpdated *time.Time      `xmlrpc:"date_updated"`
	DateStart   *time.Time      `xmlrpc:"date_start"`
	ETA         int             `xmlrpc:"eta"` // as the API sends it (seconds, when known)
	LastError   string          `xmlrpc:"last_error"`
	ErrorType   string          `xmlrpc:"errortype"`
	Infos       *OperationInfos `xmlrpc:"infos"`
	Params      map[string]any  `xmlrpc:"params"` // the call's params, as sent back
	PaasID      int             `xmlrpc:"paas_id"`
	VMID        int             `xmlrpc:"vm_id"`
	DiskID      int             `xmlrpc:"disk_id"`
	Source      string          `xmlrpc:"source"`
}

// OperationInfos describes what an operation bills (Gandi's hosting API).
type OperationInfos struct {
	ID            string `xmlrpc:"id"`
	Label         string `xmlrpc:"label"`
	ProductAction string `xmlrpc:"product_action"`
	ProductName   string `xmlrpc:"product_name"`
	ProductType   string `xmlrpc:"product_type"`
	Quantity      string `xmlrpc:"quantity"`
}

// CatalogItem is one item of catalog.list: a product, an action and its prices.
type CatalogItem struct {
	Product   CatalogProduct `xmlrpc:"product"`
	Action    CatalogAction  `xmlrpc:"action"`
	UnitPrice []UnitPrice    `xmlrpc:"unit_price"`
}

// CatalogProduct names a catalog product.
type CatalogProduct struct {
	Type        string `xmlrpc:"type"`
	Description string `xmlrpc:"description"`
}

// CatalogAction names a catalog action.
type CatalogAction struct {
	Name     string `xmlrpc:"name"`
	Duration string `xmlrpc:"duration"`
}

// UnitPrice is one price of a catalog item. Prices are information only:
// Gandi publishes no PaaS example, so never gate an action on them.
type UnitPrice struct {
	Price        float64 `xmlrpc:"price"`
	Currency     string  `xmlrpc:"currency"`
	Grid         string  `xmlrpc:"grid"`
	MinDuration  int     `xmlrpc:"min_duration"`
	MaxDuration  int     `xmlrpc:"max_duration"`
	DurationUnit string  `xmlrpc:"duration_unit"`
}
