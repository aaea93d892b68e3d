package akswinwin003

import data.lib.akswin

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	uses_beta_label(spec)
	msg := sprintf("%v %v selects the deprecated beta.kubernetes.io/os label; use kubernetes.io/os", [obj.kind, akswin.name(obj)])
}

uses_beta_label(spec) {
	_ = spec.nodeSelector["beta.kubernetes.io/os"]
}

uses_beta_label(spec) {
	count(akswin.affinity_values(spec, "beta.kubernetes.io/os")) > 0
}
