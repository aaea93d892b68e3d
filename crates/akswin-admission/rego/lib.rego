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
