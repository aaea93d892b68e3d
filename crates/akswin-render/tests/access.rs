//! A way in to the cluster (issue 14, first part): Azure RBAC for Kubernetes is on and local
//! accounts are off, so the rendered templates must grant someone the Kubernetes API: the
//! operator who runs deploy.sh and the spec's admin groups; and deploy.sh applies the
//! manifests through `az aks command invoke`, as a private cluster needs.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use serde_json::Value;
use std::process::Command;

const AKS_RBAC_CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";

fn role_assignments(v: &Value, out: &mut Vec<Value>) {
    for r in v["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Authorization/roleAssignments" {
            out.push(r.clone());
        }
        if r["type"] == "Microsoft.Resources/deployments" {
            role_assignments(&r["properties"]["template"], out);
        }
    }
}

#[test]
fn the_operator_and_the_admin_groups_administer_the_cluster() {
    let group = "6b1f3c2e-0d4a-4e8b-9c7d-2f5a1b3c4d5e";
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  privateCluster: true\n",
        &format!("  privateCluster: true\n  adminGroups: [{group}]\n"),
        1,
    );
    assert_ne!(
        text,
        akswin_spec::BASELINE_YAML,
        "the baseline has privateCluster"
    );
    let spec = common::load(&text);
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    let mut ras = Vec::new();
    role_assignments(&main, &mut ras);
    let admins: Vec<&Value> = ras
        .iter()
        .filter(|r| {
            r["properties"]["roleDefinitionId"]
                .to_string()
                .contains(AKS_RBAC_CLUSTER_ADMIN)
        })
        .collect();
    assert_eq!(admins.len(), 1, "{admins:#?}");
    let r = admins[0];
    assert!(
        r["scope"]
            .to_string()
            .contains("Microsoft.ContainerService/managedClusters")
    );
    assert_eq!(r["properties"]["principalId"], group);
    assert_eq!(r["properties"]["principalType"], "Group");
    // The operator gets the same role from deploy.sh, after the deployment, once.
    let deploy = &tree.files["deploy.sh"];
    let create = deploy
        .find("az deployment sub create")
        .expect("the main deployment");
    let grant = deploy
        .find("az role assignment create --assignee-object-id \"$operator_id\"")
        .expect("the operator's grant");
    assert!(create < grant);
    assert!(deploy[grant..].contains(
        "--role \"Azure Kubernetes Service RBAC Cluster Admin\" --scope \"$cluster_id\""
    ));
    assert!(
        deploy.contains(
            "az role assignment list --assignee \"$operator_id\" --scope \"$cluster_id\""
        )
    );
}

#[test]
fn an_admin_group_must_be_an_object_id() {
    let text = akswin_spec::BASELINE_YAML.replacen(
        "  privateCluster: true\n",
        "  privateCluster: true\n  adminGroups: [aks-admins]\n",
        1,
    );
    let err = akswin_spec::load("s.yaml", text.as_bytes()).expect_err("refused");
    assert!(
        err.findings
            .iter()
            .any(|f| f.message.contains("is not an object id")),
        "{:?}",
        err.findings
    );
}

/// `deploy.sh k8s` applies the manifests through `az aks command invoke` from the k8s folder,
/// the system objects first.
#[test]
#[cfg(unix)]
fn deploy_sh_k8s_applies_the_manifests_through_command_invoke() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh k8s (no bash)");
        return;
    }
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    let rendered = akswin_render::render(&spec, &plan, "test");
    let tree = common::after_active_directory(&rendered, &spec);
    // The stand-in also records the folder it runs in (what --file . uploads).
    let az = "case \"$*\" in\n  \"account show\"*) echo f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9 ;;\n  \"identity show\"*) echo 0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b ;;\n  *) ls >> \"$log\"; echo \"command started at t0, finished at t1, with exitcode=${AZ_EXIT:-0}\" ;;\nesac\n";
    let (code, calls, out) = common::run_deploy_sh(&tree, "k8s", az, &[]);
    assert_eq!(code, 0, "{out}");
    let first = calls
        .lines()
        .find(|l| l.starts_with("aks "))
        .unwrap_or_default();
    assert!(
        first.starts_with("aks command invoke --resource-group rg-contoso-legacy-spoke --name aks-contoso-legacy --file . --command set -e; kubectl apply -f 00-akswin-system.yaml; "),
        "{calls}"
    );
    assert!(
        calls.contains("legacyweb.yaml"),
        "run from the k8s folder: {calls}"
    );
    // The certificate's SecretProviderClass is there before kubectl runs.
    assert!(calls.contains("tls-legacyweb.yaml"), "{calls}");
    // kubectl failing in the cluster fails the stage (az itself exits 0 either way).
    let (code, _, out) = common::run_deploy_sh(&tree, "k8s", az, &[("AZ_EXIT", "1")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("applying the manifests failed"), "{out}");
}

/// Every resource of a rendered template, nested deployments included.
fn all_resources(v: &Value, out: &mut Vec<Value>) {
    if let Some(rs) = v["resources"].as_array() {
        for r in rs {
            out.push(r.clone());
            all_resources(&r["properties"]["template"], out);
        }
    }
}

/// The jump box (new-forest-lab: `cluster.access.path: jumpBox`) is reached only through
/// Bastion with Microsoft Entra ID: no public address, no password, a key nobody holds, SSH
/// admitted from the Bastion subnet alone, Bastion's native client on, the admin groups with
/// the login and Reader roles Bastion needs; its first boot is `scripts/jumpbox-init.sh`; the
/// firewall's jumpbox rules come from its subnet alone. The baseline has none of it.
#[test]
fn the_jump_box_is_reached_only_through_bastion_with_entra_id() {
    use base64::Engine as _;
    let spec = common::scenario_spec("new-forest-lab");
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let n = akswin_plan::names::Names::new(&spec);
    let main: Value = serde_json::from_str(&tree.files["arm/main.json"]).unwrap();
    let mut rs = Vec::new();
    all_resources(&main, &mut rs);
    let find = |ty: &str, name: &str| {
        rs.iter()
            .find(|r| r["type"] == ty && r["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no {ty} {name}"))
            .clone()
    };
    let vm = find("Microsoft.Compute/virtualMachines", &n.jump_box);
    let nic = find(
        "Microsoft.Network/networkInterfaces",
        &format!("nic-{}", n.jump_box),
    );
    assert!(!nic.to_string().contains("publicIPAddress"), "{nic}");
    let ip = plan.addresses.jump_box_ip.unwrap().to_string();
    assert_eq!(
        nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
        ip.as_str()
    );
    let os = &vm["properties"]["osProfile"];
    assert_eq!(
        os["linuxConfiguration"]["disablePasswordAuthentication"],
        true
    );
    assert!(os.get("adminPassword").is_none());
    assert_eq!(
        os["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"],
        "[parameters('jumpBoxSshPublicKey')]"
    );
    // The tools: the CustomScript extension runs scripts/jumpbox-init.sh (no custom data,
    // which could never change on a later deployment), after the sign-in extension, and the
    // VM comes after the firewall both download through.
    assert!(os.get("customData").is_none());
    assert!(
        vm["dependsOn"]
            .to_string()
            .contains("Microsoft.Network/azureFirewalls"),
        "{}",
        vm["dependsOn"]
    );
    let tools = find(
        "Microsoft.Compute/virtualMachines/extensions",
        &format!("{}/install-tools", n.jump_box),
    );
    assert!(
        tools["dependsOn"]
            .to_string()
            .contains("AADSSHLoginForLinux")
    );
    let init = base64::engine::general_purpose::STANDARD
        .decode(tools["properties"]["settings"]["script"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(init).unwrap(),
        tree.files["scripts/jumpbox-init.sh"]
    );
    assert_eq!(vm["identity"]["type"], "SystemAssigned");
    let ext = find(
        "Microsoft.Compute/virtualMachines/extensions",
        &format!("{}/AADSSHLoginForLinux", n.jump_box),
    );
    assert_eq!(
        ext["properties"]["publisher"],
        "Microsoft.Azure.ActiveDirectory"
    );
    let bastion = find("Microsoft.Network/bastionHosts", &n.bastion);
    assert_eq!(bastion["properties"]["enableTunneling"], true);
    // Its NSG: SSH from the Bastion subnet, every other address of the networks refused.
    let nsg = &plan
        .netsec
        .nsgs
        .iter()
        .find(|g| g.name == n.nsg_jump_box)
        .unwrap()
        .rules;
    let bastion_prefix = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == "bastion")
        .and_then(|s| s.prefix)
        .unwrap()
        .to_string();
    let allows: Vec<_> = nsg
        .iter()
        .filter(|r| r.access == akswin_plan::netsec::Access::Allow)
        .collect();
    assert_eq!(allows.len(), 1);
    assert_eq!(allows[0].sources, [bastion_prefix]);
    assert_eq!(allows[0].ports, ["22"]);
    assert!(nsg.iter().any(|r| r.name == "deny-vnet-inbound"));
    // The admin groups: the login role and Reader on the VM, its NIC and Bastion.
    let group = spec.cluster.admin_groups[0].as_str();
    let grants: Vec<String> = rs
        .iter()
        .filter(|r| {
            r["type"] == "Microsoft.Authorization/roleAssignments"
                && r["properties"]["principalId"] == group
        })
        .map(|r| format!("{} {}", r["properties"]["roleDefinitionId"], r["scope"]))
        .collect();
    for (role, what) in [
        (akswin_render::arm::ROLE_VM_ADMIN_LOGIN, "virtualMachines"),
        (akswin_render::arm::ROLE_READER, "virtualMachines"),
        (akswin_render::arm::ROLE_READER, "networkInterfaces"),
        (akswin_render::arm::ROLE_READER, "bastionHosts"),
    ] {
        assert!(
            grants.iter().any(|g| g.contains(role) && g.contains(what)),
            "{role} on {what}: {grants:?}"
        );
    }
    // The firewall: the jump box's rules come from its subnet and from nowhere else.
    let jump_prefix = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.key == "jumpBox")
        .and_then(|s| s.prefix)
        .unwrap()
        .to_string();
    let rules: Vec<_> = plan
        .firewall
        .application_rules
        .iter()
        .filter(|r| r.group == "jumpbox")
        .collect();
    assert!(rules.iter().any(|r| r.fqdns == ["packages.microsoft.com"]));
    assert!(rules.iter().all(|r| r.sources == [jump_prefix.clone()]));
    // Its names resolve: the API server's and the vault's private zones are linked to the
    // hub's VNet, where the jump box asks Azure DNS (the flows above prove the packets, these
    // links the names).
    for zone in [
        format!("privatelink.{}.azmk8s.io", spec.location.as_str()),
        "privatelink.vaultcore.azure.net".to_string(),
    ] {
        let link = format!("{zone}/link-{}", n.vnet_hub);
        assert!(
            rs.iter().any(|r| {
                r["type"] == "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
                    && r["name"] == link.as_str()
            }),
            "no {link}"
        );
    }
    // The baseline: command invoke only.
    let base = akswin_render::render(
        &common::scenario_spec("baseline"),
        &akswin_plan::plan(&common::scenario_spec("baseline")),
        "test",
    );
    // (the firewall's `jumpbox` rule collection group is there, empty: see firewall.rs)
    assert!(!base.files["arm/main.json"].contains(&n.jump_box));
    assert!(!base.files["arm/main.json"].contains("jumpBoxSshPublicKey"));
    assert!(!base.files["arm/main.json"].contains("enableTunneling"));
    assert!(!base.files.contains_key("scripts/jumpbox-init.sh"));
}

/// `deploy.sh` gives a new jump box a key whose private half it throws away, and an existing
/// one its own key (a VM's SSH keys cannot change), the same to what-if and create; the
/// operator gets the jump box's login and Reader roles.
#[test]
#[cfg(unix)]
fn deploy_sh_gives_the_jump_box_a_key_nobody_holds() {
    if Command::new("bash").arg("--version").output().is_err()
        || Command::new("ssh-keygen").arg("-?").output().is_err()
    {
        eprintln!("skipped: deploy.sh jump box key (no bash or no ssh-keygen)");
        return;
    }
    let spec = common::scenario_spec("new-forest-lab");
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    let az = |vm_key: &str| {
        format!(
            "case \"$*\" in\n  *'feature show'*) echo Registered ;;\n  *'signed-in-user show'*) echo 0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b ;;\n  *'secret list'*) echo 1 ;;\n  *'certificate show'*) echo application/x-pkcs12 ;;\n  *'vm show'*) {vm_key} ;;\n  *'deployment sub create'*) ls -a \"$(dirname \"$log\")\" >> \"$log\" ;;\nesac\n"
        )
    };
    for (existing, missing) in [
        (None, "ResourceNotFound"),
        (None, "ResourceGroupNotFound"),
        (Some("ssh-rsa AAAAB3NzaExisting akswin"), ""),
    ] {
        let body = match existing {
            Some(k) => az(&format!("echo '{k}'")),
            // The first deployment: the hub's resource group does not exist yet either.
            None => az(&format!("echo '({missing}) not found.' >&2; exit 3")),
        };
        let (code, calls, out) = common::run_deploy_sh(
            &tree,
            "main",
            &body,
            &[("AKSWIN_OPERATOR_IP", "203.0.113.10/32")],
        );
        // No answer on stdin: what-if runs, create does not.
        assert_eq!(code, 1, "{out}");
        assert!(!calls.contains("deployment sub create"), "{calls}");
        let what_if = calls
            .lines()
            .find(|l| l.starts_with("deployment sub what-if"))
            .unwrap_or_else(|| panic!("{calls}"));
        let key = what_if
            .split("jumpBoxSshPublicKey=")
            .nth(1)
            .unwrap_or_else(|| panic!("{what_if}"));
        match existing {
            Some(k) => assert_eq!(key, k),
            None => {
                assert!(key.starts_with("ssh-rsa "), "{key}");
                assert!(key.ends_with("akswin: private key discarded"), "{key}");
            }
        }
        // Nothing of the key pair is left in the tree.
        assert!(!calls.contains("BEGIN OPENSSH PRIVATE KEY"));
    }
    // Any other failure to read the VM stops before what-if: a new key for an existing VM
    // would fail the deployment.
    let (code, calls, out) = common::run_deploy_sh(
        &tree,
        "main",
        &az("echo 'AuthorizationFailed' >&2; exit 3"),
        &[("AKSWIN_OPERATOR_IP", "203.0.113.10/32")],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cannot tell whether the jump box"), "{out}");
    assert!(!calls.contains("deployment sub what-if"), "{calls}");
}

/// An operator's kubectl and the nodes need the API server's name: its private zone is linked
/// to the hub by `main.json` (the jump box, Bastion) and to the spoke by AKS itself when it
/// creates the cluster. A zone takes one link per VNet, so `main.json` must not pre-create
/// the spoke's; AKS can create it because the cluster identity has Private DNS Zone
/// Contributor on the zone and Network Contributor on the spoke VNet. The other zones are
/// linked to both VNets, once each.
#[test]
fn the_api_server_zone_is_linked_to_the_spoke_by_aks_alone() {
    for scenario in ["baseline", "new-forest-lab", "overlay-existing-dcs"] {
        let spec = common::scenario_spec(scenario);
        let plan = akswin_plan::plan(&spec);
        let out = akswin_render::render(&spec, &plan, "test");
        let n = akswin_plan::names::Names::new(&spec);
        let main: Value = serde_json::from_str(&out.files["arm/main.json"]).unwrap();
        let mut rs = Vec::new();
        all_resources(&main, &mut rs);
        let links: Vec<(String, String)> = rs
            .iter()
            .filter(|r| r["type"] == "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
            .map(|r| {
                let name = r["name"].as_str().unwrap();
                let (zone, _) = name.split_once('/').unwrap();
                let vnet = r["properties"]["virtualNetwork"]["id"].as_str().unwrap();
                (zone.to_string(), vnet.to_string())
            })
            .collect();
        let mut seen = links.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen.len(),
            links.len(),
            "{scenario}: a zone linked twice to one VNet"
        );
        let aks_zone = format!("privatelink.{}.azmk8s.io", spec.location.as_str());
        let to = |zone: &str, vnet: &str| {
            links
                .iter()
                .filter(|(z, v)| z == zone && v.contains(&format!("'{vnet}')")))
                .count()
        };
        assert!(spec.cluster.private_cluster, "{scenario}");
        assert_eq!(
            to(&aks_zone, &n.vnet_spoke),
            0,
            "{scenario}: AKS links the spoke"
        );
        assert_eq!(to(&aks_zone, &n.vnet_hub), 1, "{scenario}");
        for zone in ["privatelink.azurecr.io", "privatelink.vaultcore.azure.net"] {
            assert_eq!(to(zone, &n.vnet_spoke), 1, "{scenario}: {zone}");
            assert_eq!(to(zone, &n.vnet_hub), 1, "{scenario}: {zone}");
        }
        // The rights AKS links with.
        let mut roles = Vec::new();
        role_assignments(&main, &mut roles);
        let granted = |scope: &str, role: &str| {
            roles.iter().any(|r| {
                r["scope"].as_str().unwrap_or_default().contains(scope)
                    && r["properties"]["roleDefinitionId"]
                        .as_str()
                        .unwrap_or_default()
                        .contains(role)
                    && r["properties"]["principalId"]
                        .as_str()
                        .unwrap_or_default()
                        .contains(&n.id_cluster)
            })
        };
        assert!(
            granted(&aks_zone, "b12aa53e-6015-4669-85d0-8515ebb3ae7f"),
            "{scenario}: Private DNS Zone Contributor on {aks_zone}"
        );
        assert!(
            granted(
                &format!("virtualNetworks', '{}'", n.vnet_spoke),
                "4d97b98b-1d4f-4787-a291-c67834d212e7"
            ),
            "{scenario}: Network Contributor on the spoke"
        );
    }
}
