package akswinwin008

import data.lib.akswin

exception_annotation := "akswin.io/container-administrator-reason"

excepted(obj) {
	reason := akswin.pod_annotations(obj)[exception_annotation]
	is_string(reason)
	trim_space(reason) != ""
}

server_core(c) {
	img := lower(object.get(c, "image", ""))
	contains(img, "servercore")
}

server_core(c) {
	img := lower(object.get(c, "image", ""))
	contains(img, "dotnet/framework")
}

problem(spec, c) = "runs as ContainerAdministrator" {
	lower(akswin.run_as_user_name(spec, c)) == "containeradministrator"
}

problem(spec, c) = "runs as ContainerAdministrator by default (Server Core image, no runAsUserName)" {
	not akswin.run_as_user_name(spec, c)
	server_core(c)
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	not spec.securityContext.windowsOptions.hostProcess == true
	not excepted(obj)
	c := akswin.containers(spec)[_]
	p := problem(spec, c)
	msg := sprintf("container %v %v; set securityContext.windowsOptions.runAsUserName: ContainerUser", [object.get(c, "name", "?"), p])
}
