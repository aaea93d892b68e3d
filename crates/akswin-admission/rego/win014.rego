package akswinwin014

import data.lib.akswin

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	not spec.os.name == "windows"
	msg := sprintf("Windows pod %v/%v does not set spec.os.name: windows; add os: { name: windows } to the pod spec", [obj.kind, akswin.name(obj)])
}
