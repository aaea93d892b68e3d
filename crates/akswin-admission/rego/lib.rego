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

windows_tag_markers := ["windowsservercore", "nanoserver", "ltsc2025", "ltsc2022", "ltsc2019", "1809"]

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

# The labels a pod's nodes must carry (objects.rs pod_selector): its nodeSelector, plus each
# of the os, os-sku and agentpool keys whose required affinity allows exactly one value.
selector_affinity_keys := ["kubernetes.io/os", "kubernetes.azure.com/os-sku", "kubernetes.azure.com/agentpool"]

node_selector_map(spec) = m {
	ns := object.get(spec, "nodeSelector", {})
	is_object(ns)
	m := {k: v | v := ns[k]; is_string(v)}
}

node_selector_map(spec) = {} {
	not is_object(object.get(spec, "nodeSelector", {}))
}

pod_selector(spec) = sel {
	ns := node_selector_map(spec)
	aff := {k: v |
		k := selector_affinity_keys[_]
		not ns[k]
		vals := affinity_values(spec, k)
		count(vals) == 1
		v := vals[0]
	}
	sel := object.union(ns, aff)
}

# Whether a pool (a `pools` parameter item: name, os, osSku, labels, taints) carries a label.
pool_has(p, k, v) {
	{"kubernetes.io/os", "beta.kubernetes.io/os"}[k]
	lower(p.os) == lower(v)
}

pool_has(p, "kubernetes.azure.com/os-sku", v) {
	p.osSku == v
}

pool_has(p, k, v) {
	{"kubernetes.azure.com/agentpool", "agentpool"}[k]
	p.name == v
}

pool_has(p, "kubernetes.io/arch", "amd64") {
	true
}

special_keys := {"kubernetes.io/os", "beta.kubernetes.io/os", "kubernetes.azure.com/os-sku", "kubernetes.azure.com/agentpool", "agentpool", "kubernetes.io/arch"}

# The pool's own labels are judged; a label Kubernetes or AKS sets on every node that the
# parameter does not model (mode, zone, instance type, windows-build) is assumed present.
pool_has(p, k, v) {
	not special_keys[k]
	object.get(object.get(p, "labels", {}), k, null) == v
}

pool_has(p, k, v) {
	not special_keys[k]
	not has_key(object.get(p, "labels", {}), k)
	platform_label(k)
}

has_key(obj, k) {
	_ = obj[k]
}

# context.rs platform_label.
platform_label(key) {
	prefix := split(key, "/")[0]
	contains(key, "/")
	platform_prefix(prefix)
}

platform_label(key) {
	{"storageprofile", "storagetier", "accelerator"}[key]
}

platform_prefix(p) {
	{"kubernetes.io", "k8s.io", "kubernetes.azure.com"}[p]
}

platform_prefix(p) {
	endswith(p, ".kubernetes.io")
}

platform_prefix(p) {
	endswith(p, ".k8s.io")
}

# The pools whose labels satisfy a selector (Context::pools_for).
pools_for(pools, sel) = ps {
	ps := [p |
		p := pools[_]
		count([k | v := sel[k]; not pool_has(p, k, v)]) == 0
	]
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
	ps := [p | p := pools_for(pools, pod_selector(spec))[_]; not repelled(spec, p)]
}

# The Windows version an image is built for, from its tag, as an OS SKU name.
image_windows_sku(image) = "Windows2025" {
	contains(lower(image_tag(image)), "ltsc2025")
}

image_windows_sku(image) = "Windows2022" {
	t := lower(image_tag(image))
	not contains(t, "ltsc2025")
	contains(t, "ltsc2022")
}

image_windows_sku(image) = "Windows2019" {
	t := lower(image_tag(image))
	not contains(t, "ltsc2025")
	not contains(t, "ltsc2022")
	tag_2019(t)
}

tag_2019(t) {
	contains(t, "ltsc2019")
}

tag_2019(t) {
	contains(t, "1809")
}
