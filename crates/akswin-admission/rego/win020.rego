package akswinwin020

import data.lib.akswin

truthy(v) {
	v == "true"
}

truthy(v) {
	v == true
}

# The workload identity proxy sidecar, or pod-managed identity, on a Windows pod.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	truthy(akswin.o(akswin.pod_annotations(obj))["azure.workload.identity/inject-proxy-sidecar"])
	msg := sprintf("%v/%v is a Windows pod and asks for the workload identity proxy sidecar, which has no Windows image; Workload ID works on Windows pods without it", [obj.kind, akswin.name(obj)])
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	v := akswin.o(akswin.pod_labels(obj)).aadpodidbinding
	is_string(v)
	msg := sprintf("%v/%v is a Windows pod bound to pod-managed identity (aadpodidbinding), which runs on Linux nodes only; move to Microsoft Entra Workload ID", [obj.kind, akswin.name(obj)])
}
