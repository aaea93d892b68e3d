package akswinwin016

import data.lib.akswin

prefix := "service.beta.kubernetes.io/"

annotation(obj, key) = v {
	v := obj.metadata.annotations[concat("", [prefix, key])]
	is_string(v)
}

problems(obj) = ps {
	not_internal := {"creates a Private Link Service but is not internal; annotate azure-load-balancer-internal: \"true\"" | not annotation(obj, "azure-load-balancer-internal") == "true"}
	local := {"uses externalTrafficPolicy Local with the Private Link Service on the default subnet; set azure-pls-ip-configuration-subnet to a dedicated subnet, or use externalTrafficPolicy: Cluster" |
		obj.spec.externalTrafficPolicy == "Local"
		not annotation(obj, "azure-pls-ip-configuration-subnet")
	}
	ps := not_internal | local
}

violation[{"msg": msg}] {
	obj := input.review.object
	obj.kind == "Service"
	annotation(obj, "azure-pls-create") == "true"
	p := problems(obj)[_]
	msg := sprintf("Service %v %v", [akswin.name(obj), p])
}
