#!/usr/bin/env python3
"""Writes the XML-RPC answers the gandi tests decode.

They are encoded by Python's xmlrpc.client, as the real (Python) service
encodes them, and shaped like the usage guide's samples and FACTS.md:
nested structs, <nil/>, dates without a zone, keys the client does not
know. Run from this directory: python3 generate.py
"""
import xmlrpc.client as x

D = x.DateTime


def write(name, value):
    with open(name, "w") as f:
        f.write(x.dumps((value,), methodresponse=True, allow_none=True))


def fault(name, code, text):
    with open(name, "w") as f:
        f.write(x.dumps(x.Fault(code, text), methodresponse=True))


def op(id, type, step="BILL", **kw):
    o = {
        "id": id, "type": type, "step": step,
        "date_created": D("20111014T14:36:30"), "date_updated": D("20111014T14:37:00"),
        "date_start": None, "eta": 60, "last_error": "", "errortype": None,
        "infos": {"extras": {}, "id": "", "label": "Mon PaaS", "product_action": "create",
                  "product_name": "phpmysql_m", "product_type": "paas", "quantity": ""},
        "params": {"paas_id": 1, "size": "m", "--dry-run": False},
        "paas_id": 1, "session_id": 42,
    }
    o.update(kw)
    return o


instance = {
    "catalog_name": "phpmysql_m", "console": "console.sd3.gpaas.net",
    "data_disk_additional_size": 0, "datacenter_id": 1,
    "date_end": D("20111014T14:36:30"), "date_end_commitment": None,
    "date_start": D("20110914T14:36:30"), "entity_id": "aa1b2c3d",
    "id": 1, "name": "Mon PaaS", "need_upgrade": True,
    "servers": [{"id": 1}], "size": "m", "snapshot_profile": None,
    "state": "running", "type": "phpmysql",
    "unknown_future_key": {"nested": [1, 2, 3]},
}
second = dict(instance, id=2, name="shop-prod", size="s+", need_upgrade=False,
              date_end=D("20270101T00:30:00"), date_end_commitment=D("20271231T23:59:59"),
              snapshot_profile={"id": 7, "name": "daily"}, type="php7.3mysql5.7")
write("paas_list.xml", [instance, second])
write("paas_list_empty.xml", [])
write("count.xml", 1)

write("paas_info.xml", {
    "autorenew": None, "catalog_name": "phpmysql_m", "console": "console.sd3.gpaas.net",
    "console_info": {"date_end": D("20111015T10:00:00"), "enabled": True},
    "data_disk_additional_size": 0,
    "datacenter": {"country": "France", "id": 1, "iso": "FR", "name": "eqx pa2", "dc_code": "FR-SD3"},
    "datadisk_total_size": 10240.0,
    "date_end": D("20111014T14:36:30"), "date_end_commitment": None,
    "date_start": D("20110914T14:36:30"), "entity_id": "aa1b2c3d",
    "ftp_server": "10.0.0.10", "git_server": "git.sd3.gpaas.net",
    "id": 1, "name": "Mon PaaS", "need_upgrade": False,
    "owner": {"handle": "XXX-GANDI", "id": 1},
    "servers": [{
        "graph_urls": {"vcpu": ["http://console.gandi.net/?key=[...]"],
                       "vdi": ["http://console.gandi.net/?key=[...]"],
                       "vif": ["http://console.gandi.net/?key=[...]"]},
        "id": 1, "uuid": 1}],
    "size": "m",
    "snapshot_profile": {"id": 7, "name": "daily", "kept_total": 3, "quota_factor": 1.2,
                         "schedules": [{"name": "daily", "kept_version": 3}]},
    "state": "running", "type": "phpmysql", "user": 2316,
    "vhosts": [{"date_creation": D("20110914T14:36:30"), "id": 1, "name": "vhost.test.fr",
                "state": "running", "paas_entity_id": "aa1b2c3d"}],
    "some_new_key": "ignored",
})

write("paas_create.xml", [op(101, "paas_vm_create"), op(102, "paas_disk_create"),
                          op(103, "rproxy_create", date_start=D("20111014T14:36:31"))])
write("paas_update.xml", [op(201, "paas_vm_update")])
write("paas_renew.xml", [op(301, "paas_vm_renew"), op(302, "paas_disk_renew")])
write("paas_delete.xml", op(401, "paas_vm_delete"))  # the guide shows one struct
write("operation.xml", op(501, "paas_restart", step="RUN"))
write("operation_list.xml", [op(501, "paas_restart", step="DONE"), op(502, "rproxy_update", step="WAIT")])

write("dryrun_txt.xml", [{
    "attr": ["vhost.test.fr", "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b"],
    "error": "EC_TXT+EC_MISSINGMANDATORY", "field": "vhosts", "field_type": None,
    "reason": "You must put a TXT value in your zone"}])
write("dryrun_variants.xml", [
    {"attr": [], "error": "!EC_ENUMIN", "field": "size", "field_type": "string",
     "reason": "size must be one of s, m"},
    {"attr": None, "error": "EC_MISSINGMANDATORY", "field": "duration", "field_type": None,
     "reason": "duration is mandatory"},
    {"attr": "quantity", "error": "EC_RANGE", "field": "quantity", "field_type": "int",
     "reason": "too large"},
    {"error": "EC_UNKNOWN", "field": "x", "reason": "no attr key at all"},
])
write("dryrun_empty.xml", [])

vhost = {"cert_id": None, "date_creation": D("20110914T14:36:30"), "id": 1,
         "name": "vhost.test.fr", "paas_entity_id": "aa1b2c3d", "paas_id": 1, "state": "running"}
write("vhost_info.xml", dict(vhost, cert_id=12))
write("vhost_list.xml", [vhost, dict(vhost, id=2, name="www.test.fr", date_creation=None)])
write("vhost_op.xml", op(601, "rproxy_update"))
write("vhost_dns.xml", {"key": "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b",
                        "txt": "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b", "cname": "", "ttl": 10800})

snap = {"id": 9, "date_created": D("20260301T03:00:00"), "name": "daily-2026-03-01",
        "size": 1024, "source": {"datacenter_id": 1, "paas_id": 1, "state": "running"},
        "type": "daily"}
write("snapshot_info.xml", snap)
write("snapshot_list.xml", [snap, dict(snap, id=10, source=None, date_created=None)])

write("type_list.xml", [
    {"catalog_prefix": "phpmysql", "database": "mysql", "language": "php", "name": "phpmysql",
     "visibility": "all", "id": 1},
    {"catalog_prefix": "python3.6pgsql9.6", "database": "pgsql", "language": "python",
     "name": "python3.6pgsql9.6", "visibility": "beta", "category": "python"},
])
write("version.xml", {"api_version": "3.3.42"})
write("catalog.xml", [{
    "product": {"type": "paas", "description": "phpmysql_m"},
    "action": {"name": "renew", "duration": "12m"},
    "unit_price": [{"price": 120.0, "currency": "EUR", "grid": "A", "min_duration": 1,
                    "max_duration": 10, "duration_unit": "y", "id": 3}],
}])

fault("fault_bad_key.xml", 510150, "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]")
fault("fault_not_found.xml", 537542, "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '42' doesn't exist.]")

# hosting.datacenter.list and paas.snapshotprofile.list: not in the PaaS
# reference; shaped like paas.info's datacenter and FACTS.md's profiles,
# with a key the client does not know.
write("datacenter_list.xml", [
    {"id": 1, "iso": "FR", "dc_code": "FR-SD2", "name": "Equinix Paris", "country": "France", "deactivate_at": None},
    {"id": 3, "iso": "LU", "dc_code": "LU-BI1", "name": "Bissen", "country": "Luxembourg", "deactivate_at": None},
])
write("snapshotprofile_list.xml", [
    {"id": 7, "name": "paas_normal", "kept_total": 3, "quota_factor": 1.3,
     "schedules": [{"name": "daily", "kept_version": 1}, {"name": "weekly4", "kept_version": 1}]},
])
