package akswinwin024

import data.lib.akswin

# A container of a Windows pod (init, regular or ephemeral) with a TZ environment variable.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	c := akswin.containers(spec)[_]
	e := akswin.seq(object.get(akswin.o(c), "env", []))[_]
	akswin.o(e).name == "TZ"
	msg := sprintf("container %v of the Windows pod %v/%v sets TZ: Windows, .NET and IIS ignore it and keep the container's own time zone", [object.get(akswin.o(c), "name", "?"), obj.kind, akswin.name(obj)])
}
