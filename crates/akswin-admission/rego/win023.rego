package akswinwin023

import data.lib.akswin

# GMSACredentialSpec contents (win023_gmsa_credential_spec_contents.rs): each check below is
# one of the Rust rule's, with the same reading of missing and mistyped values.

aks_plugin := "{ccc2a336-d7f3-4818-a213-272b7924213e}"

field(n, k) = v {
	v := n[k]
	is_string(v)
}

credspec(obj) = akswin.o(object.get(obj, "credspec", {}))

join(obj) = akswin.o(object.get(credspec(obj), "DomainJoinConfig", {}))

ad(obj) = akswin.o(object.get(credspec(obj), "ActiveDirectoryConfig", {}))

gmsa_spec(obj) {
	obj.kind == "GMSACredentialSpec"
}

domain_sid(s) {
	regex.match(`^S-1-5-21-[0-9]+-[0-9]+-[0-9]+$`, s)
}

guid(s) {
	regex.match(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, s)
}

lists_ad(obj) {
	akswin.seq(object.get(credspec(obj), "CmsPlugins", []))[_] == "ActiveDirectory"
}

under(d, t) {
	d == t
}

under(d, t) {
	endswith(d, concat("", [".", t]))
}

dns_ok(j) {
	d := field(j, "DnsName")
	t := field(j, "DnsTreeName")
	contains(d, ".")
	not endswith(d, ".")
	under(lower(d), lower(t))
}

netbios_ok(j) {
	n := field(j, "NetBiosName")
	count(n) > 0
	count(n) <= 15
	not contains(n, ".")
}

account_ok(j) {
	a := field(j, "MachineAccountName")
	count(a) > 0
	not endswith(a, "$")
}

listed(obj, a) {
	e := akswin.seq(object.get(ad(obj), "GroupManagedServiceAccounts", []))[_]
	n := field(akswin.o(e), "Name")
	lower(n) == lower(a)
}

input_ok(s) {
	parts := split(s, ";")
	p := parts[_]
	startswith(p, "ObjectId=")
	guid(trim_prefix(p, "ObjectId="))
	q := parts[_]
	startswith(q, "SecretUri=")
	v := trim_prefix(q, "SecretUri=")
	startswith(v, "https://")
	contains(v, "/secrets/")
}

message(obj, what) = sprintf("GMSACredentialSpec %v: %v", [akswin.name(obj), what])

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not lists_ad(obj)
	msg := message(obj, "CmsPlugins does not list ActiveDirectory")
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not domain_sid(field(join(obj), "Sid"))
	msg := message(obj, sprintf("Sid %v is not a domain SID (S-1-5-21- and three numbers; an account's SID has a fourth)", [object.get(join(obj), "Sid", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not guid(field(join(obj), "Guid"))
	msg := message(obj, sprintf("Guid %v is not the domain's GUID (8-4-4-4-12 hexadecimal digits, no braces)", [object.get(join(obj), "Guid", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not dns_ok(join(obj))
	msg := message(obj, sprintf("DnsName %v is not a DNS domain name under DnsTreeName %v", [object.get(join(obj), "DnsName", null), object.get(join(obj), "DnsTreeName", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not netbios_ok(join(obj))
	msg := message(obj, sprintf("NetBiosName %v is not a NetBIOS domain name (1 to 15 characters, no dot)", [object.get(join(obj), "NetBiosName", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not account_ok(join(obj))
	msg := message(obj, sprintf("MachineAccountName %v is not the gMSA's name without the trailing $", [object.get(join(obj), "MachineAccountName", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	account_ok(join(obj))
	a := field(join(obj), "MachineAccountName")
	not listed(obj, a)
	msg := message(obj, sprintf("GroupManagedServiceAccounts has no entry for %v", [a]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	not akswin.has_key(ad(obj), "HostAccountConfig")
	msg := message(obj, "ActiveDirectoryConfig has no HostAccountConfig: AKS nodes are not domain-joined and fetch the gMSA through the AKS plug-in")
}

host(obj) = akswin.o(ad(obj).HostAccountConfig)

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	h := host(obj)
	not lower(field(h, "PluginGUID")) == aks_plugin
	msg := message(obj, sprintf("HostAccountConfig.PluginGUID %v is not the AKS plug-in {CCC2A336-D7F3-4818-A213-272B7924213E}", [object.get(h, "PluginGUID", null)]))
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	h := host(obj)
	not object.get(h, "PortableCcgVersion", null) == "1"
	msg := message(obj, "HostAccountConfig.PortableCcgVersion is not the string \"1\"")
}

violation[{"msg": msg}] {
	obj := input.review.object
	gmsa_spec(obj)
	h := host(obj)
	not input_ok(field(h, "PluginInput"))
	msg := message(obj, "HostAccountConfig.PluginInput is not ObjectId=<kubelet identity object id>;SecretUri=https://<vault>/secrets/<name>")
}
