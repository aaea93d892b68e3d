package akswinwin018

import data.lib.akswin

pools := object.get(input.parameters, "pools", [])

obj := input.review.object

spec := akswin.pod_spec(obj)

# Without the `pools` parameter, or for a pod with nodeName, the rule does not judge.
judged {
	count(pools) > 0
	not akswin.placement_empty(spec)
	not akswin.node_name(spec)
}

matching := akswin.placement_pools(pools, spec)

# A placement no pool of the cluster satisfies.
violation[{"msg": msg}] {
	judged
	count(matching) == 0
	msg := sprintf("%v %v: no pool of the cluster matches its node selector and required node affinity; select labels an existing pool carries (os, os-sku, agentpool, or the pool's own labels)", [obj.kind, akswin.name(obj)])
}

# Pools match, and each repels the pod with a taint it does not tolerate.
violation[{"msg": msg}] {
	judged
	count(matching) > 0
	count([p | p := matching[_]; not akswin.repelled(spec, p)]) == 0
	repels := [sprintf("%v (%v)", [p.name, concat(", ", [t | t := p.taints[_]; not akswin.tolerates(spec, t)])]) | p := matching[_]]
	msg := sprintf("%v %v: every pool it selects has a taint it does not tolerate: %v; add a toleration, or select a pool without one", [obj.kind, akswin.name(obj), concat("; ", repels)])
}
