package akswinwin009

import data.lib.akswin

system_accounts := {"nt authority\\system", "nt authority\\local service", "nt authority\\network service"}

host_process_pod(spec) {
	akswin.host_process(spec, akswin.containers(spec)[_]) == true
}

user_of(spec, c) = u {
	u := akswin.run_as_user_name(spec, c)
}

user_of(spec, c) = "" {
	not akswin.run_as_user_name(spec, c)
}

problems(spec) = ps {
	network := {"it runs without hostNetwork: true" | not spec.hostNetwork == true}
	mixed := {"it mixes HostProcess and non-HostProcess containers; make every container HostProcess, or none" | akswin.host_process(spec, akswin.containers(spec)[_]) == false}
	users := {sprintf("container %v runs as `%v`, not NT AUTHORITY\\SYSTEM, LOCAL SERVICE or NETWORK SERVICE", [object.get(c, "name", "?"), user]) |
		c := akswin.containers(spec)[_]
		user := user_of(spec, c)
		not system_accounts[lower(user)]
	}
	ps := (network | mixed) | users
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	host_process_pod(spec)
	p := problems(spec)[_]
	msg := sprintf("HostProcess pod %v/%v: %v", [obj.kind, akswin.name(obj), p])
}
