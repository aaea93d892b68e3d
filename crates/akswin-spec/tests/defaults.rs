//! Spec defaults come from one source: a section written in part keeps every other default.
//! For each section with a `Default`, `{}` must deserialise to exactly `Default::default()`
//! (compared through JSON, the spec's serialised form).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use akswin_spec::spec::*;

macro_rules! same_defaults {
    ($($t:ty),* $(,)?) => {{
        let mut bad = Vec::new();
        $(
            let parsed: $t = serde_saphyr::from_str("{}").expect(stringify!($t));
            let a = serde_json::to_value(&parsed).expect("json");
            let b = serde_json::to_value(<$t>::default()).expect("json");
            if a != b {
                bad.push(format!("{}:\n  {{}}      -> {a}\n  default -> {b}", stringify!($t)));
            }
        )*
        bad
    }};
}

#[test]
fn an_empty_section_deserialises_to_its_default() {
    let bad = same_defaults!(
        Egress,
        Firewall,
        OsDisk,
        Ingress,
        FrontDoor,
        Waf,
        AppProxy,
        Registry,
        KeyVault,
        Monitoring,
        WindowsMonitoring,
        Policy,
        Upgrades,
        MaintenanceWindow,
        Cost,
        HubSubnets,
        SpokeSubnets,
        Identity,
        Gmsa,
        InternalLoadBalancer,
        Scaling,
        Prepull,
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn partial_sections_keep_the_other_defaults() {
    // The cases: a partial `upgrades:` kept no maintenance window, a partial
    // `ingress:` or `frontDoor:` dropped Front Door or its WAF.
    let u: Upgrades = serde_saphyr::from_str("{ nodeOsChannel: NodeImage }").expect("upgrades");
    assert!(u.windows_node_image.is_some());
    let i: Ingress =
        serde_saphyr::from_str("{ inClusterIngressController: none }").expect("ingress");
    let fd = i.front_door.expect("Front Door kept");
    assert!(fd.waf.is_some_and(|w| !w.managed_rule_sets.is_empty()));
    let w: MaintenanceWindow = serde_saphyr::from_str("{ startTime: \"03:00\" }").expect("window");
    assert_eq!(
        w.duration_hours,
        MaintenanceWindow::default().duration_hours
    );
    // Written as null, an optional section is off.
    let i: Ingress = serde_saphyr::from_str("{ frontDoor: null }").expect("ingress");
    assert!(i.front_door.is_none());
}
