package akswinwin005

import data.lib.akswin

pod_fields := ["hostPID", "hostIPC", "shareProcessNamespace"]

pod_security_fields := ["runAsUser", "runAsGroup", "fsGroup", "fsGroupChangePolicy", "supplementalGroups", "sysctls", "seLinuxOptions", "seccompProfile", "appArmorProfile"]

container_security_fields := ["runAsUser", "runAsGroup", "seLinuxOptions", "seccompProfile", "capabilities", "privileged", "procMount", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "appArmorProfile"]

linux_only(spec) = fields {
	pod := {f | f := pod_fields[_]; spec[f] == true}
	pod_sc := {f | f := pod_security_fields[_]; _ = spec.securityContext[f]}
	cont := {f | c := akswin.containers(spec)[_]; f := container_security_fields[_]; _ = c.securityContext[f]}
	fields := (pod | pod_sc) | cont
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	field := linux_only(spec)[_]
	msg := sprintf("%v is a Linux-only field on the Windows pod %v/%v; on Windows use securityContext.windowsOptions", [field, obj.kind, akswin.name(obj)])
}
