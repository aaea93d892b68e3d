package akswinwin025

import data.lib.akswin

writable_kinds := ["emptyDir", "persistentVolumeClaim", "ephemeral", "azureDisk", "azureFile", "csi"]

# The writable kinds of the pod's volume `name` (a CSI volume marked readOnly is not one).
writable(spec, name) = kinds {
	kinds := [k |
		v := akswin.seq(object.get(spec, "volumes", []))[_]
		object.get(akswin.o(v), "name", null) == name
		k := writable_kinds[_]
		object.get(akswin.o(v), k, null) != null
		not read_only_csi(akswin.o(v), k)
	]
}

read_only_csi(v, "csi") {
	akswin.o(v.csi).readOnly == true
}

sub_path(m) {
	key := ["subPath", "subPathExpr"][_]
	s := m[key]
	is_string(s)
	s != ""
}

# A container of a Windows pod that runs as ContainerUser and mounts a writable volume writable.
violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	akswin.is_windows(spec)
	c := akswin.containers(spec)[_]
	lower(akswin.run_as_user_name(spec, akswin.o(c))) == "containeruser"
	m := akswin.o(akswin.seq(object.get(akswin.o(c), "volumeMounts", []))[_])
	not m.readOnly == true
	not sub_path(m)
	is_string(m.name)
	kinds := writable(spec, m.name)
	count(kinds) > 0
	msg := sprintf("container %v of the Windows pod %v/%v runs as ContainerUser and mounts the %v volume %v writable at %v: ContainerUser can create directories at its root but no files; write into a directory below the mount point", [object.get(akswin.o(c), "name", "?"), obj.kind, akswin.name(obj), kinds[0], m.name, object.get(m, "mountPath", "?")])
}
