package akswinwin004

import data.lib.akswin

pools := object.get(input.parameters, "pools", [])

spec := akswin.pod_spec(input.review.object)

# Where the pod can run: with the cluster's pools, every Windows pool it can reach (its
# placement allows it and it tolerates the pool's taints); without them, or when it reaches
# none, the OS SKU it pins.
pool_targets := [[sprintf("pool %v (%v)", [p.name, p.osSku]), p.osSku] |
	p := akswin.reachable_pools(spec, pools)[_]
	p.os == "Windows"
]

targets = pool_targets {
	count(pool_targets) > 0
}

targets = ts {
	count(pool_targets) == 0
	sku := akswin.placement_os_sku(spec)
	ts := [[sprintf("os-sku %v", [sku]), sku]]
}

# Each image built for a Windows version, with the targets it mismatches.
mismatch[[img, v, wrong]] {
	c := akswin.containers(spec)[_]
	img := c.image
	is_string(img)
	v := akswin.image_windows_sku(img)
	wrong := [what | t := targets[_]; t[1] != v; what := t[0]]
	count(wrong) > 0
}

# Every pool the pod may reach mismatches: reported whatever the placement.
violation[{"msg": msg}] {
	[img, v, wrong] := mismatch[_]
	count(wrong) == count(targets)
	msg := sprintf("%v %v: image %v is built for %v; the pod targets %v: rebuild the image for the pool's Windows version, or target a pool of the image's version", [input.review.object.kind, akswin.name(input.review.object), img, v, concat(", ", wrong)])
}

# Some pools match and others do not: reported only when the placement is certain (no
# nodeName, no label the pools do not model).
violation[{"msg": msg}] {
	[img, v, wrong] := mismatch[_]
	count(wrong) < count(targets)
	not akswin.uncertain(pools, spec)
	msg := sprintf("%v %v: image %v is built for %v, and the pod can also land on %v, where it never starts; pin it with nodeSelector kubernetes.azure.com/os-sku: %v", [input.review.object.kind, akswin.name(input.review.object), img, v, concat(", ", wrong), v])
}
