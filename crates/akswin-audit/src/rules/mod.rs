//! The manifest rules, one per file under `<area>/<code>_<name>.rs`; one line each in [`ALL`].

pub mod k8s;
pub mod win;

use crate::ManifestRule;

pub static ALL: &[&dyn ManifestRule] = &[
    &k8s::k8s000_unparsable_document::K8s000,
    &k8s::k8s001_removed_api_version::K8s001,
    &k8s::k8s002_rejected_value::K8s002,
    &win::win001_windows_pod_without_os_selector::Win001,
    &win::win002_linux_pod_without_os_selector::Win002,
    &win::win003_deprecated_os_label::Win003,
    &win::win004_image_os_version_mismatch::Win004,
    &win::win005_linux_only_fields_on_windows::Win005,
    &win::win006_gmsa_spec_not_granted::Win006,
    &win::win007_windows_resources_overcommit::Win007,
    &win::win008_runs_as_container_administrator::Win008,
    &win::win009_invalid_hostprocess_pod::Win009,
    &win::win010_public_load_balancer::Win010,
    &win::win011_ingress_controller::Win011,
    &win::win012_image_from_unapproved_registry::Win012,
    &win::win013_windows_image_always_pulled::Win013,
    &win::win014_windows_pod_without_os_field::Win014,
    &win::win015_image_not_prepulled::Win015,
    &win::win016_private_link_service_misconfigured::Win016,
    &win::win017_windows_workload_without_pdb::Win017,
    &win::win018_unsatisfiable_node_selector::Win018,
    &win::win019_unsupported_volume_on_windows::Win019,
    &win::win020_linux_only_identity_on_windows::Win020,
    &win::win021_hyperv_isolation_on_aks::Win021,
    &win::win022_liveness_without_startup_probe::Win022,
    &win::win023_gmsa_credential_spec_contents::Win023,
    &win::win024_timezone_env_on_windows::Win024,
    &win::win025_container_user_writable_volume_root::Win025,
];
