pub mod ing001_private_link_needs_premium;
pub mod ing002_waf_missing;
pub mod ing003_weak_tls;
pub mod ing004_in_cluster_ingress_controller;
pub mod ing005_kerberos_not_via_app_proxy;
pub mod ing006_client_ip_not_preserved;
pub mod ing007_invalid_load_balancer_ip;
pub mod ing008_certificate_not_from_key_vault;
pub mod ing009_app_proxy_not_resilient;
pub mod ing010_managed_rules_need_premium;
pub mod ing011_front_door_route;

