package akswinwin001

import data.lib.akswin

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	not akswin.selects_windows(spec)
	msg := sprintf("%v %v is a Windows workload but does not select kubernetes.io/os=windows; add nodeSelector kubernetes.io/os: windows", [obj.kind, akswin.name(obj)])
}
