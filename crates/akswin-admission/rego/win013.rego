package akswinwin013

import data.lib.akswin

label := `[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?`

component := `[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?`

# The distribution reference grammar, as the kubelet applies it (see ImageReference::parse in
# crates/akswin-spec/src/types.rs): an unusable reference is K8S002's, not this rule's.
reference := concat("", [
	"^(?:(?:localhost(?::[0-9]+)?|", label, "(?:\\.", label, ")+(?::[0-9]+)?|", label, ":[0-9]+)/)?",
	component, "(?:/", component, ")*",
	"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?",
	"(?:@[A-Za-z][A-Za-z0-9_+.-]*:[0-9a-fA-F]{32,})?$",
])

valid_reference(img) {
	regex.match(reference, img)
	not contains(img, "..")
	not contains(img, "___")
	not bad_sha256(img)
	count(split(img, "@")[0]) - tag_length(img) <= 255
}

bad_sha256(img) {
	parts := split(img, "@sha256:")
	count(parts) == 2
	count(parts[1]) != 64
}

# The length of the tag with its colon (0 without a tag).
tag_length(img) = n {
	t := akswin.image_tag(img)
	t != ""
	n := count(t) + 1
}

tag_length(img) = 0 {
	akswin.image_tag(img) == ""
}

candidate(spec, img) {
	akswin.is_windows(spec)
}

candidate(spec, img) {
	akswin.is_windows_image(img)
}

candidate(spec, img) {
	contains(img, "windows")
}

untagged_or_latest(img) {
	akswin.image_tag(img) == ""
	not contains(img, "@")
}

untagged_or_latest(img) {
	akswin.image_tag(img) == "latest"
	not contains(img, "@")
}

problem(c, img) = "pulls its Windows image on every start; use imagePullPolicy: IfNotPresent" {
	c.imagePullPolicy == "Always"
}

problem(c, img) = sprintf("uses %v: `latest` is pulled on every start and hides the Windows version; pin a versioned tag with the ltsc version", [img]) {
	not c.imagePullPolicy == "Always"
	untagged_or_latest(img)
}

violation[{"msg": msg}] {
	obj := input.review.object
	spec := akswin.pod_spec(obj)
	c := akswin.containers(spec)[_]
	img := c.image
	is_string(img)
	candidate(spec, img)
	valid_reference(img)
	p := problem(c, img)
	msg := sprintf("container %v %v", [object.get(c, "name", "?"), p])
}
