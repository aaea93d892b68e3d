package akswinwin021

import data.lib.akswin

hyperv(n) {
	contains(lower(n), "hypervisor")
}

hyperv(n) {
	contains(lower(n), "hyperv")
}

hyperv(n) {
	contains(lower(n), "hyper-v")
}

# A RuntimeClass with a Hyper-V handler.
violation[{"msg": msg}] {
	obj := input.review.object
	obj.kind == "RuntimeClass"
	h := obj.handler
	is_string(h)
	hyperv(h)
	msg := sprintf("RuntimeClass %v uses the Hyper-V handler %v: AKS runs Windows containers with process isolation only", [akswin.name(obj), h])
}

# A pod that names a Hyper-V runtime class.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	rc := spec.runtimeClassName
	is_string(rc)
	hyperv(rc)
	msg := sprintf("%v/%v asks for the runtime class %v: AKS has no Hyper-V isolation; build the image for the pool's Windows version", [obj.kind, akswin.name(obj), rc])
}
