pub mod egr001_aks_required_egress_missing;
pub mod egr002_windows_update_blocked;
pub mod egr003_malformed_egress_rule;
pub mod egr004_active_directory_blocked;
pub mod egr005_add_on_egress_missing;

use akswin_plan::egress::{FirewallPlan, fqdn_covers};

/// Whether an application rule of the plan allows `host` on `protocol` `port` from `source`
/// (a subnet's prefix; None: any source). A rule for the connectors or the domain
/// controllers does not let the nodes through.
pub fn covered(
    fw: &FirewallPlan,
    source: Option<akswin_spec::types::Cidr>,
    host: &str,
    protocol: &str,
    port: &str,
) -> bool {
    let port: u16 = port.parse().unwrap_or(0);
    fw.application_rules.iter().any(|r| {
        let from = source.is_none_or(|src| {
            r.sources.iter().any(|s| {
                s == "*"
                    || s.parse::<akswin_spec::types::Cidr>()
                        .is_ok_and(|c| c.net().contains(&src.net()))
            })
        });
        from && r.fqdns.iter().any(|f| fqdn_covers(f, host))
            && r.protocols
                .iter()
                .any(|p| p.protocol.eq_ignore_ascii_case(protocol) && p.port == port)
    })
}
