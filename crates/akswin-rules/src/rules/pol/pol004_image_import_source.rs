use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Each `registry.images[].source` is a fully qualified image reference
    /// (`registry.example/path/name:tag` or `...@sha256:<digest>`), and its image's `ref` is in
    /// the registry akswin deploys, where `deploy.sh images` imports it.
    ///
    /// ## Why it matters
    /// `az acr import` takes the source as a registry host and a repository; a bare name
    /// (`legacyweb:4.8`) or a typo fails the import after the whole platform is deployed, and
    /// the pods then sit in ImagePullBackOff. An import into another registry than the one the
    /// kubelet may pull from (AcrPull on the deployed registry only) brings nothing the
    /// cluster can use.
    ///
    /// ## How to fix
    /// Write the source with its registry (`docker.io/library/...` for Docker Hub,
    /// `<name>.azurecr.io/...` for a build registry) and a tag or digest; let `ref` name the
    /// deployed registry.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/container-registry/container-registry-import-images
    /// - https://github.com/distribution/reference (the reference grammar)
    pub struct Pol004 {
        code: "POL004",
        name: "image-import-source",
        severity: Error,
        summary: "An image import source that is not a fully qualified reference, or an import into another registry",
    }
}

/// Whether `r` is a fully qualified image reference: a registry host (with a dot, a port or
/// `localhost`), a repository path, and a tag or a sha256 digest.
pub fn is_qualified_reference(r: &str) -> bool {
    akswin_spec::types::ImageReference::parse(r).is_ok_and(|i| {
        i.host.is_some() && (i.tag.is_some() || i.digest.is_some_and(|d| d.starts_with("sha256:")))
    })
}

impl Rule for Pol004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        let server = format!("{}.azurecr.io/", cx.spec.acr_name());
        for (i, img) in cx.spec.registry.images.iter().enumerate() {
            let Some(src) = &img.source else {
                continue;
            };
            if !is_qualified_reference(src) {
                out.error(
                    &format!("/registry/images/{i}/source"),
                    format!("`{src}` is not a fully qualified image reference (registry host, repository, and a tag or digest)"),
                    "write it as <registry>/<repository>:<tag>, e.g. docker.io/library/nginx:1.27 or buildacr.azurecr.io/legacy/web:4.8-ltsc2022",
                );
            }
            if !img.r#ref.starts_with(&server) {
                out.error(
                    &format!("/registry/images/{i}/ref"),
                    format!(
                        "`{}` is imported from `{src}` but is not in the deployed registry {}",
                        img.r#ref,
                        server.trim_end_matches('/')
                    ),
                    "name the image in the deployed registry: the kubelet may pull from it only",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_qualified_reference as q;

    #[test]
    fn references() {
        for ok in [
            "docker.io/library/nginx:1.27",
            "buildacr.azurecr.io/legacy/web:4.8-ltsc2022",
            "ghcr.io/contoso/legacy-web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "localhost:5000/a/b:c",
        ] {
            assert!(q(ok), "{ok}");
        }
        for bad in [
            "legacyweb:4.8",
            "buildacr.azurecr.io/legacy/web",
            "buildacr.azurecr.io/Legacy/web:1",
            "buildacr.azurecr.io/legacy//web:1",
            "<Your Image Name>",
            "ghcr.io/contoso/web@sha256:abc",
            "ghcr.io/contoso/web:-bad",
        ] {
            assert!(!q(bad), "{bad}");
        }
    }
}
