//! An existing hub (`network.hub.existing`, issue 15): nothing of the hub in `main.json`, the
//! hub's side in `hub-side.json` for its platform team, and `deploy.sh` in two stages around it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;

const HUB_SUB: &str = "11111111-1111-1111-1111-111111111111";
const ZONES: &str =
    "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-private-dns";

/// Every resource of a template, nested deployments' included.
fn all_resources(t: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for r in t["resources"].as_array().into_iter().flatten() {
        out.push(r.clone());
        if r["type"] == "Microsoft.Resources/deployments" {
            out.extend(all_resources(&r["properties"]["template"]));
        }
    }
    out
}

fn render() -> (
    akswin_spec::Spec,
    akswin_plan::NetworkPlan,
    akswin_render::Tree,
) {
    let spec = common::scenario_spec("existing-hub");
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    (spec, plan, tree)
}

#[test]
fn main_json_deploys_nothing_of_the_hub_and_uses_the_landing_zones_dns() {
    let (spec, plan, tree) = render();
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    let rs = all_resources(&main);
    let h = spec.network.existing_hub().unwrap();
    for ty in [
        "Microsoft.Network/azureFirewalls",
        "Microsoft.Network/firewallPolicies",
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "Microsoft.Network/bastionHosts",
        "Microsoft.Network/virtualNetworkGateways",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    ] {
        assert!(
            !rs.iter().any(|r| r["type"] == ty),
            "main.json declares {ty}"
        );
    }
    let vnets: Vec<&str> = rs
        .iter()
        .filter(|r| r["type"] == "Microsoft.Network/virtualNetworks")
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(vnets, [plan.names.vnet_spoke.as_str()]);
    assert!(
        !rs.iter()
            .any(|r| r["type"] == "Microsoft.Resources/resourceGroups"
                && r["name"] == plan.names.rg_hub.as_str())
    );
    // The spoke's peering names the hub by its id and uses its gateway.
    let peering = rs
        .iter()
        .find(|r| r["type"] == "Microsoft.Network/virtualNetworks/virtualNetworkPeerings")
        .unwrap();
    assert_eq!(
        peering["properties"]["remoteVirtualNetwork"]["id"],
        h.vnet_id.as_str()
    );
    assert_eq!(peering["properties"]["useRemoteGateways"], true);
    // The peering and the cluster wait for the hub's side; the spoke network does not.
    let gated: Vec<&str> = main["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["condition"] == "[parameters('deployCluster')]")
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(
        gated,
        [
            "akswin-spoke-peering",
            "akswin-cluster",
            "akswin-workload-identity"
        ]
    );
    assert_eq!(main["parameters"]["deployCluster"]["defaultValue"], true);
    // The landing zone's zones: the API server's and the private endpoints' records.
    let aks = rs
        .iter()
        .find(|r| r["type"] == "Microsoft.ContainerService/managedClusters")
        .unwrap();
    assert_eq!(
        aks["properties"]["apiServerAccessProfile"]["privateDNSZone"],
        format!(
            "{ZONES}/providers/Microsoft.Network/privateDnsZones/privatelink.eastus2.azmk8s.io"
        )
    );
    let groups: Vec<&Value> = rs
        .iter()
        .filter(|r| r["type"] == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups")
        .collect();
    assert_eq!(groups.len(), 2);
    for g in groups {
        let id = g["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"]
            .as_str()
            .unwrap();
        assert!(id.starts_with(ZONES), "{id}");
    }
    // Egress to the hub's firewall, names from the landing zone's resolver.
    let rt = rs
        .iter()
        .find(|r| r["type"] == "Microsoft.Network/routeTables")
        .unwrap();
    assert_eq!(
        rt["properties"]["routes"][0]["properties"]["nextHopIpAddress"],
        "10.100.0.4"
    );
    let spoke = rs
        .iter()
        .find(|r| r["type"] == "Microsoft.Network/virtualNetworks")
        .unwrap();
    assert_eq!(
        spoke["properties"]["dhcpOptions"]["dnsServers"],
        serde_json::json!(["10.100.1.4"])
    );
    // The built-in baseline is untouched: no hub side, no gate.
    let base = akswin_render::render(
        &common::scenario_spec("baseline"),
        &akswin_plan::plan(&common::scenario_spec("baseline")),
        "test",
    );
    assert!(!base.files.contains_key("arm/hub-side.json"));
    assert!(!base.files["arm/main.json"].contains("deployCluster"));
}

#[test]
fn a_spoke_on_azure_dns_gets_the_registry_and_vault_zones_linked_but_never_the_api_servers() {
    let text = common::scenario_specs()
        .into_iter()
        .find(|(n, _)| n == "existing-hub")
        .unwrap()
        .1
        .replace(
            "      dnsServers: [10.100.1.4]      # the DNS private resolver's inbound endpoint\n",
            "",
        );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    assert!(plan.addresses.dns_servers.is_empty(), "Azure DNS");
    let tree = akswin_render::render(&spec, &plan, "test");
    let hs: Value = serde_json::from_str(&tree.files["arm/hub-side.json"]).unwrap();
    let links: Vec<String> = all_resources(&hs)
        .iter()
        .filter(|r| r["type"] == "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        links,
        [
            "privatelink.azurecr.io/link-vnet-contoso-legacy-spoke",
            "privatelink.vaultcore.azure.net/link-vnet-contoso-legacy-spoke"
        ]
    );
}

#[test]
fn hub_side_json_holds_the_peering_the_spokes_rules_and_the_zones_for_the_platform_team() {
    let (spec, plan, tree) = render();
    let hs: Value = serde_json::from_str(&tree.files["arm/hub-side.json"]).unwrap();
    let top = hs["resources"].as_array().unwrap();
    let peering = &top[0];
    assert_eq!(
        peering["name"],
        format!("vnet-hub-eastus2/peer-{}", plan.names.vnet_spoke)
    );
    assert_eq!(
        peering["properties"]["remoteVirtualNetwork"]["id"],
        "[parameters('spokeVnetId')]"
    );
    assert_eq!(peering["properties"]["allowGatewayTransit"], true);
    assert_eq!(peering["properties"]["allowForwardedTraffic"], true);
    // The rule collection group, in the policy's own group and subscription.
    let fw = top
        .iter()
        .find(|r| r["name"] == "akswin-contoso-legacy-firewall-rules")
        .unwrap();
    assert_eq!(fw["subscriptionId"], HUB_SUB);
    assert_eq!(fw["resourceGroup"], "rg-connectivity-eastus2");
    let rcg = &fw["properties"]["template"]["resources"][0];
    assert_eq!(rcg["name"], "afwp-hub-eastus2/rcg-contoso-legacy");
    assert_eq!(rcg["properties"]["priority"], 1200);
    let collections = rcg["properties"]["ruleCollections"].as_array().unwrap();
    let names: Vec<&str> = collections
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for want in [
        "aks-network",
        "aks-application",
        "windows-application",
        "activedirectory-network",
    ] {
        assert!(names.contains(&want), "{names:?}");
    }
    let mut priorities: Vec<u64> = collections
        .iter()
        .filter_map(|c| c["priority"].as_u64())
        .collect();
    let n = priorities.len();
    priorities.sort_unstable();
    priorities.dedup();
    assert_eq!(priorities.len(), n, "rule collection priorities are unique");
    // Every rule is this spoke's only: its sources are inside the spoke's ranges.
    let spoke = &spec.network.spoke.address_space;
    for c in collections {
        for r in c["rules"].as_array().unwrap() {
            for src in r["sourceAddresses"].as_array().unwrap() {
                let (first, _) = src.as_str().unwrap().split_once('/').unwrap();
                let first: std::net::Ipv4Addr = first.parse().unwrap();
                assert!(
                    spoke.iter().any(|s| s.net().contains(&first)),
                    "{src} in {}",
                    r["name"]
                );
            }
        }
    }
    // The zones: a link to the spoke each, and the cluster identity's role on the API
    // server's zone.
    let dns = top
        .iter()
        .find(|r| r["name"] == "akswin-contoso-legacy-private-dns")
        .unwrap();
    assert_eq!(
        dns["subscriptionId"],
        "22222222-2222-2222-2222-222222222222"
    );
    assert_eq!(dns["resourceGroup"], "rg-private-dns");
    let zr = dns["properties"]["template"]["resources"]
        .as_array()
        .unwrap();
    // The spoke asks the landing zone's resolver: no zone is linked to it (it would never
    // read one), and AKS links the API server's zone itself.
    assert!(
        !zr.iter()
            .any(|r| r["type"] == "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
    );
    let role = zr
        .iter()
        .find(|r| r["type"] == "Microsoft.Authorization/roleAssignments")
        .unwrap();
    assert!(
        role["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .contains(akswin_render::arm::ROLE_PRIVATE_DNS_ZONE_CONTRIBUTOR)
    );
    assert!(
        role["scope"]
            .as_str()
            .unwrap()
            .contains("privateDnsZones/privatelink.eastus2.azmk8s.io")
    );
    assert_eq!(
        dns["properties"]["parameters"]["clusterPrincipalId"]["value"],
        "[parameters('clusterPrincipalId')]"
    );
}

/// A stand-in `az` for the existing hub's stages; `hub` answers the reads of the hub's side.
fn az(hub: &str, proxy: &str) -> String {
    format!(
        r#"case "$*" in
  *'feature show'*) echo Registered ;;
  *'signed-in-user show'*) echo 0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b ;;
  *'secret list'*) echo 1 ;;
  *'certificate show'*) echo application/x-pkcs12 ;;
  *'vnet-gateway show'*) echo /subscriptions/{HUB_SUB}/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/virtualNetworks/vnet-hub-eastus2/subnets/GatewaySubnet ;;
  *'account show'*) echo 33333333-3333-3333-3333-333333333333 ;;
  *'identity show'*) echo 44444444-4444-4444-4444-444444444444 ;;
  *'resource show'*enableProxy*) {proxy} ;;
  *'resource show'*) {hub} ;;
  *'vnet peering show'*) echo Connected ;;
  *'provider show'*) echo Registered ;;
esac
"#
    )
}

#[test]
fn deploy_sh_main_stops_after_the_spoke_and_prints_what_the_platform_team_deploys() {
    let (_, _, tree) = render();
    let (code, calls, out) = common::run_deploy_sh_answering(
        &tree,
        "main",
        &az("echo id", "echo true"),
        &[("AKSWIN_OPERATOR_IP", "203.0.113.10/32")],
        Some("y\n"),
    );
    assert_eq!(code, 0, "{out}");
    let create = calls
        .lines()
        .find(|l| l.starts_with("deployment sub create"))
        .unwrap_or_else(|| panic!("{calls}"));
    assert!(create.contains("deployCluster=false"), "{create}");
    // Nothing of the hub is read or changed by `main`, and the cluster is not touched.
    assert!(!calls.contains("resource show"), "{calls}");
    assert!(!calls.contains("aks show"), "{calls}");
    assert!(out.contains(&format!(
        "az deployment group create --subscription {HUB_SUB} --resource-group rg-connectivity-eastus2"
    )), "{out}");
    assert!(out.contains("spokeVnetId=/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-contoso-legacy-spoke/providers/Microsoft.Network/virtualNetworks/vnet-contoso-legacy-spoke"), "{out}");
    assert!(
        out.contains("clusterPrincipalId=44444444-4444-4444-4444-444444444444"),
        "{out}"
    );
    assert!(out.contains("then run: ./deploy.sh cluster"), "{out}");
}

#[test]
fn deploy_sh_cluster_waits_for_the_hub_side_and_its_dns_proxy() {
    let (_, _, tree) = render();
    let env = [("AKSWIN_OPERATOR_IP", "203.0.113.10/32")];
    // The hub's side is missing (or unreadable): stop before the what-if.
    let missing = az(
        "echo '(ResourceNotFound) not found' >&2; exit 3",
        "echo true",
    );
    let (code, calls, out) =
        common::run_deploy_sh_answering(&tree, "cluster", &missing, &env, Some("y\n"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("the platform team deploys arm/hub-side.json first"),
        "{out}"
    );
    assert!(!calls.contains("what-if"), "{calls}");
    // The platform team confirmed it and the hub cannot be read: go on.
    let (code, calls, out) = common::run_deploy_sh_answering(
        &tree,
        "cluster",
        &missing,
        &[env[0], ("AKSWIN_HUB_SIDE_DEPLOYED", "1")],
        Some("y\n"),
    );
    assert_eq!(code, 0, "{out}");
    assert!(calls.contains("deployCluster=true"), "{calls}");
    // The policy's DNS proxy is off: the FQDN network rules would never match.
    let (code, calls, out) = common::run_deploy_sh_answering(
        &tree,
        "cluster",
        &az("echo id", "echo False"),
        &env,
        Some("y\n"),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DNS proxy off"), "{out}");
    assert!(!calls.contains("what-if"), "{calls}");
    // The zones' subscription lacks AKS's resource provider: AKS could not write its record.
    let unregistered = az("echo id", "echo True").replace(
        "*'provider show'*) echo Registered",
        "*'provider show'*) echo NotRegistered",
    );
    let (code, calls, out) =
        common::run_deploy_sh_answering(&tree, "cluster", &unregistered, &env, Some("y\n"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("az provider register --subscription 22222222-2222-2222-2222-222222222222"),
        "{out}"
    );
    assert!(!calls.contains("what-if"), "{calls}");
    // All there: the peering and the cluster, then the check that the peering connected.
    let (code, calls, out) = common::run_deploy_sh_answering(
        &tree,
        "cluster",
        &az("echo id", "echo True"),
        &env,
        Some("y\n"),
    );
    assert_eq!(code, 0, "{out}");
    let create = calls
        .lines()
        .find(|l| l.starts_with("deployment sub create"))
        .unwrap_or_else(|| panic!("{calls}"));
    assert!(create.contains("deployCluster=true"), "{create}");
    assert!(calls.contains("network vnet peering show"), "{calls}");
    // `cluster` is a stage only with an existing hub.
    let base = akswin_render::render(
        &common::scenario_spec("baseline"),
        &akswin_plan::plan(&common::scenario_spec("baseline")),
        "test",
    );
    let (code, _, out) = common::run_deploy_sh(&base, "cluster", "", &env);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unknown stage cluster"), "{out}");
}
