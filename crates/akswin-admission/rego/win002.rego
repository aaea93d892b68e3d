package akswinwin002

import data.lib.akswin

violation[{"msg": msg}] {
	input.parameters.clusterHasWindowsPools == true
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	not akswin.is_windows(spec)
	not akswin.has_selected_os(spec)
	msg := sprintf("%v %v has no OS selector and the cluster has Windows pools; add nodeSelector kubernetes.io/os: linux", [obj.kind, akswin.name(obj)])
}
