package akswinwin004

import data.lib.akswin

# Where the pod can run: with the cluster's pools, every Windows pool it can reach (its
# selectors match and it tolerates the pool's taints); without them, or when it reaches none,
# the OS SKU it selects.
pool_targets(spec) = ts {
	ts := [[sprintf("pool %v (%v)", [p.name, p.osSku]), p.osSku] |
		p := akswin.reachable_pools(spec, object.get(input.parameters, "pools", []))[_]
		p.os == "Windows"
	]
}

targets(spec) = ts {
	ts := pool_targets(spec)
	count(ts) > 0
}

targets(spec) = ts {
	count(pool_targets(spec)) == 0
	sku := akswin.pod_selector(spec)["kubernetes.azure.com/os-sku"]
	ts := [[sprintf("os-sku %v", [sku]), sku]]
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	ts := targets(spec)
	c := akswin.containers(spec)[_]
	img := c.image
	is_string(img)
	v := akswin.image_windows_sku(img)
	wrong := [what | t := ts[_]; t[1] != v; what := t[0]]
	count(wrong) > 0
	msg := message(img, v, wrong, count(wrong) < count(ts))
}

message(img, v, wrong, true) = m {
	m := sprintf("image %v is built for %v, and the pod can also land on %v, where it never starts; pin it with nodeSelector kubernetes.azure.com/os-sku: %v", [img, v, concat(", ", wrong), v])
}

message(img, v, wrong, false) = m {
	m := sprintf("image %v is built for %v; the pod targets %v: rebuild the image for the pool's Windows version, or target a pool of the image's version", [img, v, concat(", ", wrong)])
}
