# Helpers shared by akswin's admission rules: where a workload's pod spec is, its containers,
# and whether it is a Windows pod. Each mirrors the Rust function of the same name in
# crates/akswin-audit/src/objects.rs; tests/parity.rs proves they give the same verdicts.
package lib.akswin

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# An object a controller owns (a Deployment's ReplicaSets and their Pods, a CronJob's Jobs) was
# judged at its owner: judging it again would report one mistake three times and, with Deny,
# refuse the controller's own updates (a rollout scaling an old ReplicaSet down).
controlled(obj) {
	obj.metadata.ownerReferences[_].controller == true
}

# The pod spec of a Pod or a workload that no controller owns.
pod_spec(obj) = spec {
	obj.kind == "Pod"
	not controlled(obj)
	spec := obj.spec
}

pod_spec(obj) = spec {
	workload_kinds[obj.kind]
	not controlled(obj)
	spec := obj.spec.template.spec
}

pod_spec(obj) = spec {
	obj.kind == "CronJob"
	not controlled(obj)
	spec := obj.spec.jobTemplate.spec.template.spec
}

# The pod template's annotations.
pod_annotations(obj) = a {
	obj.kind == "Pod"
	a := object.get(object.get(obj, "metadata", {}), "annotations", {})
}

pod_annotations(obj) = a {
	workload_kinds[obj.kind]
	a := object.get(object.get(object.get(obj.spec, "template", {}), "metadata", {}), "annotations", {})
}

pod_annotations(obj) = a {
	obj.kind == "CronJob"
	a := object.get(object.get(obj.spec.jobTemplate.spec.template, "metadata", {}), "annotations", {})
}

# The pod template's labels.
pod_labels(obj) = l {
	obj.kind == "Pod"
	l := object.get(object.get(obj, "metadata", {}), "labels", {})
}

pod_labels(obj) = l {
	workload_kinds[obj.kind]
	l := object.get(object.get(object.get(obj.spec, "template", {}), "metadata", {}), "labels", {})
}

pod_labels(obj) = l {
	obj.kind == "CronJob"
	l := object.get(object.get(obj.spec.jobTemplate.spec.template, "metadata", {}), "labels", {})
}

name(obj) = n {
	n := obj.metadata.name
}

name(obj) = "?" {
	not obj.metadata.name
}

seq(x) = x {
	is_array(x)
}

seq(x) = [] {
	not is_array(x)
}

# Init, regular and ephemeral containers.
containers(spec) = cs {
	cs := array.concat(array.concat(seq(object.get(spec, "initContainers", [])), seq(object.get(spec, "containers", []))), seq(object.get(spec, "ephemeralContainers", [])))
}

# Values of `key` in required node affinity `In` expressions, in order.
affinity_values(spec, key) = vals {
	terms := seq(object.get(object.get(object.get(object.get(spec, "affinity", {}), "nodeAffinity", {}), "requiredDuringSchedulingIgnoredDuringExecution", {}), "nodeSelectorTerms", []))
	vals := [v |
		t := terms[_]
		e := seq(object.get(t, "matchExpressions", []))[_]
		e.key == key
		e.operator == "In"
		v := seq(object.get(e, "values", []))[_]
		is_string(v)
	]
}

node_selector(spec, key) = v {
	v := spec.nodeSelector[key]
	is_string(v)
}

# The OS a pod selects: nodeSelector kubernetes.io/os, else the first required affinity value.
selected_os(spec) = os {
	os := node_selector(spec, "kubernetes.io/os")
}

selected_os(spec) = os {
	not node_selector(spec, "kubernetes.io/os")
	vals := affinity_values(spec, "kubernetes.io/os")
	count(vals) > 0
	os := vals[0]
}

has_selected_os(spec) {
	selected_os(spec)
}

selects_windows(spec) {
	selected_os(spec) == "windows"
}

# The tag of an image reference: after the last colon of its last path component, without a
# digest (whose hex could read as a version), or "".
image_tag(image) = tag {
	segs := split(split(image, "@")[0], "/")
	parts := split(segs[count(segs) - 1], ":")
	count(parts) > 1
	tag := parts[count(parts) - 1]
}

image_tag(image) = "" {
	segs := split(split(image, "@")[0], "/")
	not contains(segs[count(segs) - 1], ":")
}

windows_tag_markers := ["windowsservercore", "nanoserver"]

is_windows_image(image) {
	contains(lower(image), "mcr.microsoft.com/windows/")
}

is_windows_image(image) {
	contains(lower(image), "mcr.microsoft.com/dotnet/framework/")
}

is_windows_image(image) {
	tag := image_tag(lower(image))
	contains(tag, windows_tag_markers[_])
}

is_windows_image(image) {
	image_windows_sku(image)
}

# A Windows pod: spec.os.name, the OS selector, a Windows OS SKU selector, or a Windows image.
is_windows(spec) {
	spec.os.name == "windows"
}

is_windows(spec) {
	selects_windows(spec)
}

is_windows(spec) {
	startswith(node_selector(spec, "kubernetes.azure.com/os-sku"), "Windows")
}

is_windows(spec) {
	c := containers(spec)[_]
	is_string(c.image)
	is_windows_image(c.image)
}

# The Windows user a container runs as: its own runAsUserName, else the pod's.
run_as_user_name(spec, c) = u {
	u := c.securityContext.windowsOptions.runAsUserName
	is_string(u)
}

run_as_user_name(spec, c) = u {
	not is_string(object.get(object.get(object.get(c, "securityContext", {}), "windowsOptions", {}), "runAsUserName", null))
	u := spec.securityContext.windowsOptions.runAsUserName
	is_string(u)
}

host_process(spec, c) = hp {
	hp := c.securityContext.windowsOptions.hostProcess
	is_boolean(hp)
}

host_process(spec, c) = hp {
	not is_boolean(object.get(object.get(object.get(c, "securityContext", {}), "windowsOptions", {}), "hostProcess", null))
	hp := spec.securityContext.windowsOptions.hostProcess
	is_boolean(hp)
}

host_process(spec, c) = false {
	not is_boolean(object.get(object.get(object.get(c, "securityContext", {}), "windowsOptions", {}), "hostProcess", null))
	not is_boolean(object.get(object.get(object.get(spec, "securityContext", {}), "windowsOptions", {}), "hostProcess", null))
}

# A pod's placement (placement.rs): its nodeSelector (every entry) and its required node
# affinity (any one term, each the conjunction of its expressions), judged against the `pools`
# parameter. A key the pools do not model (not os, os-sku or agentpool, and no pool's own label)
# never rules a pool out and makes the placement uncertain.
o(x) = x {
	is_object(x)
}

o(x) = {} {
	not is_object(x)
}

node_selector_map(spec) = m {
	ns := o(object.get(spec, "nodeSelector", {}))
	m := {k: v | v := ns[k]; is_string(v)}
}

selector_reqs(spec) = [{"key": k, "op": "In", "values": [v]} | v := node_selector_map(spec)[k]]

terms_node(spec) = t {
	t := o(o(o(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms
}

has_terms(spec) {
	_ = terms_node(spec)
}

strings(x) = [v | v := seq(x)[_]; is_string(v)]

term_reqs(t) = [r |
	e := seq(object.get(o(t), "matchExpressions", []))[_]
	r := {
		"key": str_or(object.get(o(e), "key", ""), ""),
		"op": str_or(object.get(o(e), "operator", ""), ""),
		"values": strings(object.get(o(e), "values", [])),
	}
]

term_fields(t) {
	count(seq(object.get(o(t), "matchFields", []))) > 0
}

all_reqs(spec) = array.concat(selector_reqs(spec), [r | t := seq(terms_node(spec))[_]; r := term_reqs(t)[_]])

placement_empty(spec) {
	count(selector_reqs(spec)) == 0
	not has_terms(spec)
}

node_name(spec) {
	n := spec.nodeName
	is_string(n)
	n != ""
}

os_keys := {"kubernetes.io/os", "beta.kubernetes.io/os"}

os_sku_key := "kubernetes.azure.com/os-sku"

pool_keys := {"kubernetes.azure.com/agentpool", "agentpool"}

has_key(obj, k) {
	_ = obj[k]
}

# The keys the `pools` parameter models: os, os-sku, agentpool and every pool's own labels.
modelled_keys := (os_keys | pool_keys) | {os_sku_key} | {k | _ = o(object.get(input.parameters, "pools", [])[_].labels)[k]}

modelled(pools, key) {
	modelled_keys[key]
}

# What the pools say of a label on a pool's nodes: a value, absent, a Linux OS SKU (never a
# Windows value; its Linux value is not modelled), or unknown.
label(pools, p, key) = l {
	os_keys[key]
	l := {"t": "value", "v": lower(p.os)}
}

label(pools, p, key) = l {
	key == os_sku_key
	l := sku_label(p)
}

label(pools, p, key) = l {
	pool_keys[key]
	l := {"t": "value", "v": p.name}
}

label(pools, p, key) = l {
	not modelled_keys[key]
	l := {"t": "unknown"}
}

label(pools, p, key) = l {
	modelled_keys[key]
	not os_keys[key]
	key != os_sku_key
	not pool_keys[key]
	l := own_label(o(p.labels), key)
}

sku_label(p) = {"t": "value", "v": p.osSku} {
	p.os == "Windows"
}

sku_label(p) = {"t": "linux"} {
	p.os != "Windows"
}

own_label(labels, key) = {"t": "value", "v": labels[key]} {
	has_key(labels, key)
}

own_label(labels, key) = {"t": "absent"} {
	not has_key(labels, key)
}

known_ops := {"In", "NotIn", "Exists", "DoesNotExist"}

in_values(r, v) {
	r.values[_] == v
}

value_holds(r, v) {
	r.op == "In"
	in_values(r, v)
}

value_holds(r, v) {
	r.op == "NotIn"
	not in_values(r, v)
}

value_holds(r, v) {
	r.op == "Exists"
}

value_holds(r, v) {
	not known_ops[r.op]
}

linux_sku_holds(r) {
	r.op == "In"
	v := r.values[_]
	not startswith(v, "Windows")
}

linux_sku_holds(r) {
	not {"In", "DoesNotExist"}[r.op]
}

# Whether a requirement can hold on a pool's nodes (unknown: it can).
holds(pools, p, r) {
	label_holds(label(pools, p, r.key), r)
}

label_holds(l, r) {
	l.t == "unknown"
}

label_holds(l, r) {
	l.t == "value"
	value_holds(r, l.v)
}

label_holds(l, r) {
	l.t == "absent"
	{"NotIn", "DoesNotExist"}[r.op]
}

label_holds(l, r) {
	l.t == "linux"
	linux_sku_holds(r)
}

selector_fails(pools, spec, p) {
	r := selector_reqs(spec)[_]
	not holds(pools, p, r)
}

term_fails(pools, reqs, p) {
	r := reqs[_]
	not holds(pools, p, r)
}

term_allows(pools, t, p) {
	reqs := term_reqs(t)
	count(reqs) > 0
	not term_fails(pools, reqs, p)
}

term_allows(pools, t, p) {
	term_fields(t)
	not term_fails(pools, term_reqs(t), p)
}

terms_allow(pools, spec, p) {
	not has_terms(spec)
}

terms_allow(pools, spec, p) {
	t := seq(terms_node(spec))[_]
	term_allows(pools, t, p)
}

# The pools whose labels allow the pod, taints aside (Placement::pools).
placement_pools(pools, spec) = [p |
	p := pools[_]
	not selector_fails(pools, spec, p)
	terms_allow(pools, spec, p)
]

# Placement::certain, negated.
uncertain(pools, spec) {
	node_name(spec)
}

uncertain(pools, spec) {
	term_fields(seq(terms_node(spec))[_])
}

uncertain(pools, spec) {
	r := all_reqs(spec)[_]
	not known_ops[r.op]
}

uncertain(pools, spec) {
	r := all_reqs(spec)[_]
	not modelled(pools, r.key)
}

# The OS SKU a pod pins without pools: its nodeSelector's, or the one value of an `os-sku In`
# expression in its only affinity term (Placement::os_sku).
placement_os_sku(spec) = v {
	v := node_selector_map(spec)[os_sku_key]
}

placement_os_sku(spec) = v {
	not node_selector_map(spec)[os_sku_key]
	ts := seq(terms_node(spec))
	count(ts) == 1
	skus := [r | r := term_reqs(ts[0])[_]; r.key == os_sku_key; r.op == "In"]
	count(skus) == 1
	count(skus[0].values) == 1
	v := skus[0].values[0]
}

str_or(x, d) = x {
	is_string(x)
}

str_or(x, d) = d {
	not is_string(x)
}

# A taint as AKS writes it (`key=value:Effect` or `key:Effect`), split.
taint_effect(taint) = e {
	parts := split(taint, ":")
	count(parts) > 1
	e := parts[count(parts) - 1]
}

taint_effect(taint) = "NoSchedule" {
	not contains(taint, ":")
}

taint_kv(taint) = kv {
	parts := split(taint, ":")
	count(parts) > 1
	kv := concat(":", array.slice(parts, 0, count(parts) - 1))
}

taint_kv(taint) = taint {
	not contains(taint, ":")
}

taint_key(taint) = k {
	kv := taint_kv(taint)
	k := split(kv, "=")[0]
}

taint_value(taint) = v {
	kv := taint_kv(taint)
	i := indexof(kv, "=")
	i >= 0
	v := substring(kv, i + 1, count(kv) - i - 1)
}

taint_value(taint) = "" {
	indexof(taint_kv(taint), "=") < 0
}

# Whether a pod's tolerations admit a taint (objects.rs tolerates); PreferNoSchedule never
# keeps a pod out.
tolerates(spec, taint) {
	taint_effect(taint) == "PreferNoSchedule"
}

tolerates(spec, taint) {
	t := seq(object.get(spec, "tolerations", []))[_]
	toleration_admits(t, taint_key(taint), taint_value(taint), taint_effect(taint))
}

toleration_admits(t, key, value, effect) {
	tk := str_or(object.get(t, "key", ""), "")
	op := str_or(object.get(t, "operator", "Equal"), "Equal")
	tv := str_or(object.get(t, "value", ""), "")
	te := str_or(object.get(t, "effect", ""), "")
	key_ok(tk, op, key)
	value_ok(op, tv, value)
	effect_ok(te, effect)
}

key_ok(tk, op, key) {
	tk == ""
	op == "Exists"
}

key_ok(tk, op, key) {
	tk == key
}

value_ok(op, tv, value) {
	op == "Exists"
}

value_ok(op, tv, value) {
	tv == value
}

effect_ok(te, effect) {
	te == ""
}

effect_ok(te, effect) {
	te == effect
}

# A pool a pod cannot land on: a taint it does not tolerate.
repelled(spec, p) {
	t := seq(object.get(p, "taints", []))[_]
	not tolerates(spec, t)
}

# The pools of the `pools` parameter a pod can land on (Context::reachable_pools).
reachable_pools(spec, pools) = ps {
	ps := [p | p := placement_pools(pools, spec)[_]; not repelled(spec, p)]
}

# The Windows version an image is built for, from the parts of its tag between -, _ and .
# (resolve.rs image_windows_sku).
tag_has(image, marker) {
	split(replace(replace(lower(image_tag(image)), "-", "."), "_", "."), ".")[_] == marker
}

image_windows_sku(image) = "Windows2025" {
	tag_has(image, "ltsc2025")
}

image_windows_sku(image) = "Windows2022" {
	not tag_has(image, "ltsc2025")
	tag_has(image, "ltsc2022")
}

image_windows_sku(image) = "Windows2019" {
	not tag_has(image, "ltsc2025")
	not tag_has(image, "ltsc2022")
	tag_2019(image)
}

tag_2019(image) {
	tag_has(image, "ltsc2019")
}

tag_2019(image) {
	tag_has(image, "1809")
}
