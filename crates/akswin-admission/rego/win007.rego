package akswinwin007

import data.lib.akswin

# Requests and limits compare by value: `1` and `1000m`, `1Gi` and `1024Mi` are equal.
quantity(q) = n {
	is_string(q)
	n := units.parse(q)
}

quantity(q) = q {
	is_number(q)
}

resource(c, kind, res) = v {
	v := c.resources[kind][res]
	not is_null(v)
}

problem(c, res) = sprintf("no %v request and limit", [res]) {
	not resource(c, "requests", res)
}

problem(c, res) = sprintf("no %v request and limit", [res]) {
	not resource(c, "limits", res)
}

problem(c, res) = sprintf("%v request %v differs from limit %v (overcommit on a Windows node)", [res, a, b]) {
	a := resource(c, "requests", res)
	b := resource(c, "limits", res)
	not same(a, b)
}

same(a, b) {
	quantity(a) == quantity(b)
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	c := akswin.seq(object.get(spec, "containers", []))[_]
	res := ["cpu", "memory"][_]
	p := problem(c, res)
	msg := sprintf("container %v: %v; set requests equal to limits for cpu and memory", [object.get(c, "name", "?"), p])
}
