//! The rules, one per file under `<area>/<code>_<name>.rs`, and helpers they share.
//! Registering a rule is one line in [`ALL`].

pub mod cost;
pub mod egr;
pub mod id;
pub mod ing;
pub mod mon;
pub mod nam;
pub mod net;
pub mod pol;
pub mod pool;
pub mod scl;
pub mod sec;
pub mod upg;
pub mod wrk;

use crate::Rule;
use akswin_spec::Spec;
use akswin_spec::spec::{Cni, NodePool, SpokeSubnet, Workload};
use akswin_spec::types::{Auto, Cidr};

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &cost::cost001_hybrid_benefit_off::Cost001,
    &cost::cost002_acr_storage_exceeds_included::Cost002,
    &egr::egr001_aks_required_egress_missing::Egr001,
    &egr::egr002_windows_update_blocked::Egr002,
    &egr::egr003_malformed_egress_rule::Egr003,
    &egr::egr004_active_directory_blocked::Egr004,
    &egr::egr005_add_on_egress_missing::Egr005,
    &id::id001_gmsa_prerequisites_missing::Id001,
    &id::id002_kerberos_without_gmsa_account::Id002,
    &id::id003_domain_joined_container::Id003,
    &id::id004_literal_secret::Id004,
    &id::id005_new_forest_has_no_users::Id005,
    &id::id006_ad_mode_inconsistent::Id006,
    &ing::ing001_private_link_needs_premium::Ing001,
    &ing::ing002_waf_missing::Ing002,
    &ing::ing003_weak_tls::Ing003,
    &ing::ing004_in_cluster_ingress_controller::Ing004,
    &ing::ing005_kerberos_not_via_app_proxy::Ing005,
    &ing::ing006_client_ip_not_preserved::Ing006,
    &ing::ing007_invalid_load_balancer_ip::Ing007,
    &ing::ing008_certificate_not_from_key_vault::Ing008,
    &ing::ing009_app_proxy_not_resilient::Ing009,
    &ing::ing010_managed_rules_need_premium::Ing010,
    &ing::ing011_front_door_route::Ing011,
    &ing::ing012_backend_certificate_name::Ing012,
    &ing::ing013_internal_host_is_public::Ing013,
    &ing::ing014_workload_certificate::Ing014,
    &mon::mon001_container_insights_off::Mon001,
    &mon::mon002_no_windows_data_collection::Mon002,
    &mon::mon003_memory_rss_on_windows::Mon003,
    &mon::mon004_action_group_id::Mon004,
    &mon::mon005_windows_metrics_off::Mon005,
    &nam::nam001_global_name_shortened::Nam001,
    &nam::nam002_name_suffix::Nam002,
    &nam::nam003_existing_resource_names::Nam003,
    &nam::nam004_unknown_region::Nam004,
    &net::net001_windows_without_azure_cni::Net001,
    &net::net002_address_ranges_overlap::Net002,
    &net::net003_subnet_outside_vnet::Net003,
    &net::net004_node_subnet_too_small::Net004,
    &net::net005_pod_range_too_small::Net005,
    &net::net006_windows_shares_linux_subnet::Net006,
    &net::net007_no_domain_controller_subnet::Net007,
    &net::net008_invalid_service_cidr::Net008,
    &net::net009_special_subnet_too_small::Net009,
    &net::net010_max_pods_out_of_range::Net010,
    &net::net011_gmsa_dns_not_domain_controllers::Net011,
    &net::net012_egress_bypasses_firewall::Net012,
    &net::net013_private_link_subnet_misconfigured::Net013,
    &net::net014_on_premises_unreachable::Net014,
    &net::net015_hybrid_gateway_misconfigured::Net015,
    &net::net016_jump_box_misconfigured::Net016,
    &net::net017_existing_hub_misconfigured::Net017,
    &net::net018_network_policy_engine_windows::Net018,
    &pol::pol001_windows_policies_not_assigned::Pol001,
    &pol::pol002_ingress_or_registry_policy_missing::Pol002,
    &pol::pol003_unknown_policy_definition::Pol003,
    &pol::pol004_image_import_source::Pol004,
    &pol::pol005_admission_rule_unknown::Pol005,
    &pool::pool001_no_linux_system_pool::Pool001,
    &pool::pool002_invalid_pool_name::Pool002,
    &pool::pool003_incomplete_pool_topology::Pool003,
    &pool::pool004_unsupported_windows_os_sku::Pool004,
    &pool::pool005_os_disk_does_not_fit::Pool005,
    &pool::pool006_vm_size_below_floor::Pool006,
    &pool::pool007_invalid_autoscaler_bounds::Pool007,
    &pool::pool008_implicit_max_surge::Pool008,
    &pool::pool009_invalid_windows_profile::Pool009,
    &pool::pool010_single_zone_pool::Pool010,
    &pool::pool011_windows_pool_scales_from_zero::Pool011,
    &scl::scl001_large_image_without_prepull::Scl001,
    &scl::scl002_scale_out_target_missed::Scl002,
    &scl::scl003_hot_spare_outside_pool_bounds::Scl003,
    &scl::scl004_hot_spare_placeholders_incomplete::Scl004,
    &sec::sec001_public_api_server::Sec001,
    &sec::sec002_public_registry_or_vault::Sec002,
    &upg::upg001_windows_images_not_upgraded::Upg001,
    &upg::upg002_upgrade_window_before_patch_tuesday::Upg002,
    &upg::upg003_node_pool_version_skew::Upg003,
    &upg::upg004_kubernetes_version_unsupported::Upg004,
    &upg::upg005_upgrade_windows_overlap::Upg005,
    &upg::upg006_windows_pool_upgrade_settings::Upg006,
    &upg::upg007_windows_pool_upgrade_exceeds_window::Upg007,
    &upg::upg008_canary_pool::Upg008,
    &wrk::wrk001_workload_placement::Wrk001,
    &wrk::wrk002_invalid_workload_value::Wrk002,
    &wrk::wrk003_run_as_identity::Wrk003,
    &wrk::wrk004_windows_workload_logs::Wrk004,
];

pub use akswin_plan::FORBIDDEN_RANGES;

/// The explicit prefix of a spoke subnet (None when absent or `auto`).
pub fn spoke_cidr(spec: &Spec, key: SpokeSubnet) -> Option<Cidr> {
    spec.network
        .spoke
        .subnets
        .get(key)
        .and_then(|a| a.value().copied())
}

/// Explicit hub subnets as (pointer, key, prefix).
pub fn hub_subnet_entries(spec: &Spec) -> impl Iterator<Item = (String, &'static str, Cidr)> + '_ {
    let s = &spec.network.hub.subnets;
    [
        ("firewall", &s.firewall),
        ("bastion", &s.bastion),
        ("gateway", &s.gateway),
        ("domainControllers", &s.domain_controllers),
        ("jumpBox", &s.jump_box),
    ]
    .into_iter()
    .filter_map(|(k, v)| match v {
        Some(Auto::Value(c)) => Some((format!("/network/hub/subnets/{k}"), k, *c)),
        _ => None,
    })
}

/// Explicit spoke subnets as (pointer, key, prefix).
pub fn spoke_subnet_entries(
    spec: &Spec,
) -> impl Iterator<Item = (String, &'static str, Cidr)> + '_ {
    SpokeSubnet::ALL.into_iter().filter_map(|k| {
        spoke_cidr(spec, k).map(|c| (format!("/network/spoke/subnets/{}", k.key()), k.key(), c))
    })
}

/// maxPods of a pool as deployed (`akswin_plan::resolve::max_pods`).
pub fn max_pods(spec: &Spec, pool: &NodePool) -> u32 {
    akswin_plan::max_pods(spec.network.cni, pool)
}

/// The subnet a workload's pods take their IPs from (None under overlay: pods use podCidr).
pub fn pod_subnet_of(spec: &Spec, w: &Workload) -> Option<SpokeSubnet> {
    match spec.network.cni {
        Cni::AzureCniPodSubnet => Some(SpokeSubnet::Pods),
        Cni::AzureCniNodeSubnet => {
            let pool = spec
                .cluster
                .node_pools
                .iter()
                .find(|p| Some(&p.name) == w.pool.as_ref())?;
            Some(pool.subnet_key())
        }
        _ => None,
    }
}
