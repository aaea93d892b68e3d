package akswinwin019

import data.lib.akswin

# subPath mounts, NFS and memory-backed volumes on a Windows pod.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	c := akswin.containers(spec)[_]
	m := akswin.seq(object.get(akswin.o(c), "volumeMounts", []))[_]
	key := ["subPath", "subPathExpr"][_]
	v := akswin.o(m)[key]
	is_string(v)
	v != ""
	msg := sprintf("%v on the Windows pod %v/%v: a Windows container can mount only a whole volume; mount the whole volume at its own path", [key, obj.kind, akswin.name(obj)])
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	v := akswin.seq(object.get(spec, "volumes", []))[_]
	_ = akswin.o(v).nfs
	msg := sprintf("volume %v of the Windows pod %v/%v is NFS, which Windows nodes do not mount; use Azure Files over SMB or an Azure Disk", [object.get(akswin.o(v), "name", "?"), obj.kind, akswin.name(obj)])
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	v := akswin.seq(object.get(spec, "volumes", []))[_]
	akswin.o(akswin.o(v).emptyDir).medium == "Memory"
	msg := sprintf("volume %v of the Windows pod %v/%v is a memory-backed emptyDir, which Windows nodes do not support", [object.get(akswin.o(v), "name", "?"), obj.kind, akswin.name(obj)])
}
