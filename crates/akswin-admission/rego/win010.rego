package akswinwin010

import data.lib.akswin

internal := "service.beta.kubernetes.io/azure-load-balancer-internal"

violation[{"msg": msg}] {
	obj := input.review.object
	obj.kind == "Service"
	obj.spec.type == "LoadBalancer"
	not object.get(object.get(obj.metadata, "annotations", {}), internal, "") == "true"
	msg := sprintf("Service %v is a public load balancer; annotate %v: \"true\"", [akswin.name(obj), internal])
}
