package akswinwin022

import data.lib.akswin

# A Windows container (not init, not ephemeral) with a liveness probe and no startup probe.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	c := akswin.seq(object.get(spec, "containers", []))[_]
	_ = akswin.o(c).livenessProbe
	not akswin.has_key(akswin.o(c), "startupProbe")
	msg := sprintf("container %v of the Windows pod %v/%v has a liveness probe and no startup probe: a slow IIS or .NET start is killed and restarted", [object.get(akswin.o(c), "name", "?"), obj.kind, akswin.name(obj)])
}
