package akswinwin012

import data.lib.akswin

# The registry of an image reference: a first component with a dot, a port or `localhost`,
# else Docker Hub.
registry(img) = first {
	parts := split(img, "/")
	count(parts) > 1
	first := parts[0]
	is_host(first)
}

registry(img) = "docker.io" {
	parts := split(img, "/")
	count(parts) > 1
	not is_host(parts[0])
}

registry(img) = "docker.io" {
	not contains(img, "/")
}

is_host(s) {
	contains(s, ".")
}

is_host(s) {
	contains(s, ":")
}

is_host(s) {
	s == "localhost"
}

allowed(reg) {
	lower(input.parameters.allowedRegistries[_]) == lower(reg)
}

violation[{"msg": msg}] {
	count(object.get(input.parameters, "allowedRegistries", [])) > 0
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	c := akswin.containers(spec)[_]
	img := c.image
	is_string(img)
	reg := registry(img)
	not allowed(reg)
	msg := sprintf("image %v comes from %v, which is not an allowed registry (allowed: %v)", [img, reg, concat(", ", input.parameters.allowedRegistries)])
}
