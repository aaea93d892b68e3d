package akswinwin011

import data.lib.akswin

controllers := ["ingress-nginx", "nginx-ingress", "traefik", "haproxy-ingress", "contour", "oss/kubernetes/ingress/nginx"]

violation[{"msg": msg}] {
	obj := input.review.object
	obj.kind == "Ingress"
	msg := sprintf("Ingress %v: the architecture uses no in-cluster ingress; expose the workload through an internal LoadBalancer Service behind Front Door", [akswin.name(obj)])
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	c := akswin.containers(spec)[_]
	img := c.image
	is_string(img)
	contains(img, controllers[_])
	msg := sprintf("%v %v runs an ingress controller (%v); ingress is Front Door, then application proxy, then the internal load balancer", [obj.kind, akswin.name(obj), img])
}
