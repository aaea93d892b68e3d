package akswinwin018

import data.lib.akswin

# A selector no pool of the cluster satisfies, or whose pools all repel the pod with a taint.
# Without the `pools` parameter the rule does not judge.
violation[{"msg": msg}] {
	pools := object.get(input.parameters, "pools", [])
	count(pools) > 0
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	sel := akswin.pod_selector(spec)
	count(sel) > 0
	count(akswin.pools_for(pools, sel)) == 0
	want := sort([sprintf("%v=%v", [k, v]) | v := sel[k]])
	msg := sprintf("%v %v: no pool of the cluster matches %v; select labels an existing pool carries (os, os-sku, agentpool)", [obj.kind, akswin.name(obj), concat(", ", want)])
}

violation[{"msg": msg}] {
	pools := object.get(input.parameters, "pools", [])
	count(pools) > 0
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	sel := akswin.pod_selector(spec)
	count(sel) > 0
	matching := akswin.pools_for(pools, sel)
	count(matching) > 0
	count([p | p := matching[_]; not akswin.repelled(spec, p)]) == 0
	repels := [sprintf("%v (%v)", [p.name, concat(", ", [t | t := p.taints[_]; not akswin.tolerates(spec, t)])]) | p := matching[_]]
	msg := sprintf("%v %v: every pool it selects has a taint it does not tolerate: %v; add a toleration, or select a pool without one", [obj.kind, akswin.name(obj), concat("; ", repels)])
}
