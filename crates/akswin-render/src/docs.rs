//! The deploy script and the deployment README: every step in order, including the ones ARM
//! cannot do.

use crate::arm::Arm;
use akswin_plan::NetworkPlan;
use akswin_plan::names::Names;
use akswin_spec::Spec;
use std::fmt::Write as _;

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `deploy.sh`: bootstrap, check the secrets, what-if, then create. Secrets are never read
/// by the script: it only checks that they exist.
pub fn deploy_sh(spec: &Spec, plan: &NetworkPlan, n: &Names) -> String {
    let arm = Arm::new(spec, plan, n, "");
    let secrets = arm.required_secrets();
    let fd = spec.ingress.front_door.is_some();
    let needs_host = arm.front_door_needs_host();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"#!/usr/bin/env bash
# Deploy the "{name}" landing zone rendered by akswin (see README.md for every step).
#   ./deploy.sh             1. bootstrap: resource group {rg_shared} and Key Vault {kv}
#                              (reachable from AKSWIN_OPERATOR_IP only)
#                           2. check that the secrets exist in the vault (never reads them)
#                           3. what-if of arm/main.json, then create it (closes the vault)
#   ./deploy.sh frontdoor   4. Front Door, once its origin exists (README.md)
# Needs: az, logged in to the target subscription.
set -euo pipefail
cd "$(dirname "$0")"

location={location}
deployment=akswin-{prefix}
stage="${{1:-main}}"
"#,
        name = spec.name,
        rg_shared = n.rg_shared,
        kv = n.key_vault,
        location = shell_quote(&spec.location),
        prefix = n.prefix,
    );
    if fd {
        let host_arg = if needs_host {
            r#"
  : "${AKSWIN_APP_PROXY_HOST:?set AKSWIN_APP_PROXY_HOST to the external host of the published application (scripts/Publish-AppProxy.ps1 prints it)}"
  # Front Door takes a bare host name: drop a scheme, a path and a trailing dot if pasted.
  origin_host="${AKSWIN_APP_PROXY_HOST#*://}"
  origin_host="${origin_host%%/*}"
  origin_host="${origin_host%.}"
  origin_host="$(printf '%s' "$origin_host" | tr '[:upper:]' '[:lower:]')"
  if ! printf '%s' "$origin_host" | grep -Eq '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'; then
    echo "AKSWIN_APP_PROXY_HOST='$AKSWIN_APP_PROXY_HOST' is not a host name (expected e.g. legacyweb-contoso.msappproxy.net)" >&2
    exit 2
  fi
  extra=(--parameters appProxyExternalHost="$origin_host")"#
        } else {
            "\n  extra=()"
        };
        let _ = writeln!(
            s,
            r#"if [ "$stage" = frontdoor ]; then{host_arg}
  az deployment group what-if --resource-group {rg} --template-file arm/frontdoor.json "${{extra[@]}}"
  az deployment group create --name "$deployment-frontdoor" --resource-group {rg} \
    --template-file arm/frontdoor.json "${{extra[@]}}" --output none
  echo "Front Door deployed"
  exit 0
fi
"#,
            rg = n.rg_shared,
        );
    }
    let _ = writeln!(
        s,
        r#"if [ "$stage" != main ]; then
  echo "unknown stage $stage (use: main{fd_stage})" >&2
  exit 2
fi
: "${{AKSWIN_OPERATOR_IP:?set AKSWIN_OPERATOR_IP to the CIDR you set Key Vault secrets from, e.g. 203.0.113.10/32}}"

{preflight}
echo "== 1/3 bootstrap (resource group and Key Vault)"
# The vault uses Azure RBAC: the signed-in user (or AKSWIN_OPERATOR_OBJECT_ID with
# AKSWIN_OPERATOR_PRINCIPAL_TYPE=ServicePrincipal) gets Key Vault Secrets Officer on it.
operator_id="${{AKSWIN_OPERATOR_OBJECT_ID:-$(az ad signed-in-user show --query id --output tsv 2>/dev/null || true)}}"
operator_type="${{AKSWIN_OPERATOR_PRINCIPAL_TYPE:-User}}"
if [ -z "$operator_id" ]; then
  echo "note: no operator object id (not signed in as a user, AKSWIN_OPERATOR_OBJECT_ID unset): grant yourself Key Vault Secrets Officer on {kv} before setting secrets"
fi
az group create --name {rg} --location "$location" --output none
az deployment group create --name "$deployment-bootstrap" --resource-group {rg} \
  --template-file arm/bootstrap.json --parameters operatorIpRange="$AKSWIN_OPERATOR_IP" \
  operatorObjectId="$operator_id" operatorPrincipalType="$operator_type" --output none

echo "== 2/3 secrets in {kv}"
missing=0
denied=0
# check_secret NAME WHAT: reads the secret's id only, never its value.
check_secret() {{
  local err
  if err=$(az keyvault secret show --vault-name {kv} --name "$1" --query id --output none 2>&1); then
    return 0
  fi
  case "$err" in
    *SecretNotFound*|*"was not found"*)
      echo "missing secret '$1': $2"
      echo "  set it with: az keyvault secret set --vault-name {kv} --name '$1' --file <file-with-the-value>"
      missing=1 ;;
    *Forbidden*|*AuthorizationFailed*|*"not authorized"*)
      echo "access denied reading '$1' in {kv}: you need Key Vault Secrets Officer on the vault (role assignments take a few minutes to apply)" >&2
      denied=1 ;;
    *)
      echo "could not check secret '$1' in {kv}:" >&2
      echo "$err" >&2
      denied=1 ;;
  esac
}}"#,
        rg = n.rg_shared,
        kv = n.key_vault,
        fd_stage = if fd { ", frontdoor" } else { "" },
        preflight = preflight(spec),
    );
    for (secret, what) in &secrets {
        let _ = writeln!(
            s,
            "check_secret {secret} {what}",
            secret = shell_quote(secret),
            what = shell_quote(what),
        );
    }
    let _ = writeln!(
        s,
        r#"if [ "$denied" -ne 0 ]; then
  echo "fix access to the vault, then run this script again" >&2
  exit 1
fi
if [ "$missing" -ne 0 ]; then
  echo "set the missing secrets, then run this script again" >&2
  exit 1
fi

echo "== 3/3 main deployment: what-if, then create"
az deployment sub what-if --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json
read -r -p "Deploy these changes? [y/N] " answer
case "$answer" in
  y|Y) ;;
  *) echo "stopped before deploying"; exit 1 ;;
esac
az deployment sub create --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json --output none"#
    );
    if let Some(ip) = plan.addresses.firewall_private_ip {
        // The route tables name the firewall's address as akswin planned it (.4 of its
        // subnet); Azure assigns it, so the script checks it got that one.
        let _ = writeln!(
            s,
            r#"fw_ip=$(az resource show --resource-group {rg} --name {fw} --resource-type Microsoft.Network/azureFirewalls \
  --query 'properties.ipConfigurations[0].properties.privateIPAddress' --output tsv)
if [ "$fw_ip" != {ip} ]; then
  echo "the firewall's private address is '$fw_ip', but the route tables send traffic to {ip}:" >&2
  echo "  set the routes' next hop to '$fw_ip' (or report this to akswin with the spec)" >&2
  exit 1
fi"#,
            rg = shell_quote(&n.rg_hub),
            fw = shell_quote(&n.firewall),
            ip = shell_quote(&ip.to_string()),
        );
    }
    let _ = writeln!(
        s,
        r#"echo "deployed; continue with the next steps in README.md""#
    );
    s
}

/// How names resolve: the VNets' DNS servers, the private DNS zones, the firewall's DNS proxy,
/// and the conditional forwarders on-premises DNS needs.
fn dns_section(spec: &Spec, plan: &NetworkPlan, line: &mut dyn FnMut(String)) {
    let region = spec.location.as_str();
    // (private zone, the public zone on-premises DNS forwards)
    let mut zones = vec![
        // The registry's regional data endpoints are names in the same zone.
        (
            "privatelink.azurecr.io".to_string(),
            "azurecr.io".to_string(),
        ),
        (
            "privatelink.vaultcore.azure.net".to_string(),
            "vault.azure.net, vaultcore.azure.net".to_string(),
        ),
    ];
    if spec.cluster.private_cluster {
        zones.push((
            format!("privatelink.{region}.azmk8s.io"),
            format!("{region}.azmk8s.io"),
        ));
    }
    line("\n## DNS\n".into());
    let servers: Vec<String> = plan
        .addresses
        .dns_servers
        .iter()
        .map(|i| i.to_string())
        .collect();
    let new_dcs = !plan.addresses.domain_controller_ips.is_empty();
    if servers.is_empty() {
        line("- The VNets use Azure DNS (168.63.129.16), which answers the private DNS zones linked to them.".into());
    } else if new_dcs {
        line(format!(
            "- The hub and spoke VNets use the domain controllers ({}) as DNS servers; the domain controllers forward what they are not authoritative for to Azure DNS (168.63.129.16), which answers the private DNS zones linked to the hub and spoke VNets.",
            servers.join(", ")
        ));
    } else {
        line(format!(
            "- The spoke uses {} as DNS servers. **They must resolve the private DNS zones below**: forward the public zones to a resolver inside Azure (an Azure DNS Private Resolver inbound endpoint, or a DNS server in the hub) that can reach Azure DNS; akswin renders neither yet. Without it, nodes cannot resolve the private API server, the registry or the vault, and the cluster does not start.",
            servers.join(", ")
        ));
    }
    line(format!(
        "- Private DNS zones (linked to the hub and spoke VNets): {}.",
        zones
            .iter()
            .map(|(z, _)| format!("`{z}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line("- The firewall's DNS proxy is on because its network rules name hosts (`ntp.ubuntu.com`); the nodes do not use the firewall as their resolver, and the rules that matter for Windows (KMS) use addresses.".into());
    if !spec.network.on_premises.is_empty() {
        line(format!(
            "- On premises ({}): clients that use these services through the private endpoints need conditional forwarders for {} to a DNS server in Azure that resolves the private zones (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration).",
            spec.network
                .on_premises
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            zones
                .iter()
                .map(|(_, p)| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

/// Hybrid connectivity: the gateway, what the on-premises side must do, and how traffic to and
/// from on-premises is routed through the firewall.
fn hybrid_section(spec: &Spec, plan: &NetworkPlan, n: &Names, line: &mut dyn FnMut(String)) {
    use akswin_spec::spec::GatewayKind;
    let (Some(h), Some(hp)) = (&spec.network.hybrid, &plan.hybrid) else {
        return;
    };
    let ranges = hp
        .on_premises
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let gw_subnet = hp
        .gateway_subnet
        .map_or_else(|| "-".to_string(), |c| c.to_string());
    line("\n## Hybrid connectivity\n".into());
    match h.gateway {
        GatewayKind::Vpn => {
            let key = match h.vpn.as_ref().map(|v| &v.shared_key) {
                Some(akswin_spec::types::SecretRef::KeyVault(k)) => format!("`{k}`"),
                _ => "the vault".into(),
            };
            line(format!(
                "- A zone-redundant VPN gateway `{}` ({}, route-based, active-active) in `{}` ({gw_subnet}), with two public IPs `pip-{}-01` and `pip-{}-02`. Creating it takes 30 to 45 minutes of the deployment.",
                hp.gateway,
                hp.sku.as_deref().unwrap_or("-"),
                akswin_facts::GATEWAY_SUBNET.azure_name,
                hp.gateway,
                hp.gateway,
            ));
            line(format!(
                "- The connection `{}` (IKEv2, pre-shared key from the secret {key}) goes to the local network gateway `{}`: the on-premises device at {} with the ranges {ranges}.",
                n.connection,
                n.local_gateway,
                h.vpn
                    .as_ref()
                    .map_or_else(|| "-".to_string(), |v| v.peer_ip.to_string()),
            ));
            line(format!(
                "- **On premises**: configure the VPN device with two tunnels, one to each public IP of the gateway (`az network public-ip show -g {} -n pip-{}-01 --query ipAddress -o tsv`, and `-02`), the same pre-shared key, and routes to the hub and spoke ranges (https://learn.microsoft.com/azure/vpn-gateway/active-active-portal, https://learn.microsoft.com/azure/vpn-gateway/tutorial-site-to-site-portal).",
                n.rg_hub, hp.gateway
            ));
        }
        GatewayKind::ExpressRoute => {
            line(format!(
                "- A zone-redundant ExpressRoute gateway `{}` ({}) in `{}` ({gw_subnet}). Creating it takes 30 to 45 minutes of the deployment.",
                hp.gateway,
                hp.sku.as_deref().unwrap_or("-"),
                akswin_facts::GATEWAY_SUBNET.azure_name,
            ));
            let auth = if h
                .express_route
                .as_ref()
                .is_some_and(|e| e.authorization_key.is_some())
            {
                " with the authorization key from the vault (the circuit's owner creates it)"
            } else {
                ""
            };
            line(format!(
                "- The connection `{}` links it to the circuit `{}`{auth}. The circuit's private peering must be provisioned first, and on premises must advertise {ranges} over BGP (https://learn.microsoft.com/azure/expressroute/expressroute-howto-linkvnet-arm).",
                n.connection,
                h.express_route
                    .as_ref()
                    .map_or("-", |e| e.circuit_id.as_str()),
            ));
        }
        GatewayKind::Existing => {
            line(format!(
                "- The existing gateway `{}` in the hub's `{}` ({gw_subnet}) carries the traffic to on-premises ({ranges}). akswin creates no gateway: it declares the GatewaySubnet with this prefix (a subnet missing from the VNet's template would be deleted, and a gateway's subnet cannot change) and gives it the route table below.",
                hp.gateway_id.as_deref().unwrap_or(&hp.gateway),
                akswin_facts::GATEWAY_SUBNET.azure_name,
            ));
        }
    }
    line("- The hub peering allows gateway transit and the spoke peering uses the hub's gateway (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity). The spoke's subnets do not take the routes the gateway learns (`disableBgpRoutePropagation`): their 0.0.0.0/0 route sends on-premises traffic to the firewall too.".into());
    line(format!(
        "- Both directions go through the firewall, so it sees both halves of every flow: the route table `{}` on the GatewaySubnet sends the spoke's ranges{} to the firewall (BGP propagation stays on there, as the gateway needs). The firewall lets through Active Directory and DNS to the domain controllers{} and nothing else; `akswin plan` lists every flow with its hops.",
        n.route_table_gateway,
        if plan.addresses.domain_controller_ips.is_empty() {
            ""
        } else {
            " and the domain controllers' subnet"
        },
        if plan.addresses.domain_controller_ips.is_empty() {
            ""
        } else {
            " (and from on-premises to the domain controllers in the hub)"
        },
    ));
}

/// Subscription prerequisites the templates rely on, checked before anything is created.
fn preflight(spec: &Spec) -> String {
    if !spec.cluster.encryption_at_host {
        return String::new();
    }
    r#"echo "== 0/3 preflight (subscription features)"
state=$(az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state --output tsv 2>/dev/null || true)
if [ "$state" != Registered ]; then
  echo "cluster.encryptionAtHost is on but the subscription feature Microsoft.Compute/EncryptionAtHost is '${state:-unknown}'." >&2
  echo "  register it (once per subscription, takes minutes), then run this script again:" >&2
  echo "    az feature register --namespace Microsoft.Compute --name EncryptionAtHost" >&2
  echo "    az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state" >&2
  echo "    az provider register --namespace Microsoft.Compute" >&2
  exit 1
fi
"#
    .to_string()
}

/// The deployment README: every step in order.
pub fn readme(spec: &Spec, plan: &NetworkPlan, n: &Names) -> String {
    let arm = Arm::new(spec, plan, n, "");
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(format!("# Deploying {} with akswin\n", spec.name));
    line("Rendered by akswin from the spec. Re-render after every spec change; never edit these files by hand.\n".into());
    line("## What is here\n".into());
    line("| file | what |\n|---|---|".into());
    line(format!(
        "| `arm/bootstrap.json` | resource-group template for `{}`: the Key Vault `{}` (reachable from your IP only) |",
        n.rg_shared, n.key_vault
    ));
    line(format!(
        "| `arm/main.json` | subscription-scope template: resource groups `{}`, `{}`, `{}`; hub network, Azure Firewall and its policy, Bastion, domain controllers{}; spoke network, route table, NSGs, AKS, data collection rule, policy assignments; ACR, Key Vault, private endpoints, identities and role assignments |",
        n.rg_hub,
        n.rg_spoke,
        n.rg_shared,
        if arm.creates_gateway() {
            ", the virtual network gateway and its connection to on-premises"
        } else {
            ""
        }
    ));
    line("| `arm/main.parameters.json` | non-secret parameters |".into());
    if spec.ingress.front_door.is_some() {
        line(format!(
            "| `arm/frontdoor.json` | resource-group template for `{}`: Front Door Premium (profile, endpoint, origin group and origin, route, custom domains with Key Vault certificates, WAF policy, security policy); a later step, its origin must exist first |",
            n.rg_shared
        ));
    }
    line("| `deploy.sh` | steps 1-3 below; `deploy.sh frontdoor` for the Front Door step |".into());
    line("| `k8s/` | Kubernetes manifests: workloads, internal load balancer Services, gMSA RBAC, image pre-pull DaemonSets |".into());
    line("| `.github/workflows/` | monthly node image upgrade and hot-spare scaling (when the spec asks for them) |".into());
    line(
        "| `scripts/` | PowerShell for Active Directory, gMSA, application proxy and DNS |\n"
            .into(),
    );
    line("## Steps\n".into());
    let mut step = 1;
    let mut next = |t: String| {
        let out = format!("{step}. {t}");
        step += 1;
        out
    };
    line(next("**Bootstrap the Key Vault.** `AKSWIN_OPERATOR_IP=<your IP>/32 ./deploy.sh` starts with `arm/bootstrap.json`, which opens the vault to that IP and gives you (the signed-in user, or `AKSWIN_OPERATOR_OBJECT_ID` with `AKSWIN_OPERATOR_PRINCIPAL_TYPE=ServicePrincipal` in a pipeline) Key Vault Secrets Officer on it. If `cluster.encryptionAtHost` is on, it first checks that the subscription feature `Microsoft.Compute/EncryptionAtHost` is registered and tells you how to register it.".into()));
    line(next("**Store the secrets** the deployment reads (deploy.sh stops and lists the missing ones). Never put them in the spec or in these files:\n".into()));
    for (name, what) in arm.required_secrets() {
        line(format!("   - `{name}`: {what}"));
    }
    line(format!(
        "\n   `az keyvault secret set --vault-name {} --name <name> --file <file>` (a file, so the value stays out of shell history).",
        n.key_vault
    ));
    line(next("**Deploy.** `deploy.sh` runs `az deployment sub what-if`, asks, then `az deployment sub create` with `arm/main.json`. This closes the Key Vault to public networks (nodes reach it through its private endpoint).".into()));
    if spec.identity.gmsa.enabled {
        line(next("**gMSA in Active Directory**: `scripts/Set-Gmsa.ps1` on a domain-joined machine inside the network (the vault is reachable only through its private endpoint now) creates the host group, the gMSA accounts and the standard domain user (its `DOMAIN\\user:password` goes to Key Vault before Active Directory changes, replacing the placeholder from step 2; `-ResetStandardUserPassword` rotates it), and writes `k8s/gmsa-credspec-*.yaml` with the values only AD and the deployed cluster know (domain GUID and SID, the kubelet identity's object id).".into()));
    }
    line(next("**Kubernetes**: `kubectl apply -f k8s/` (`00-akswin-system.yaml` and the credential specs first). Workloads run as `ContainerUser`, pinned to their pool by OS, OS SKU and pool labels, behind internal load balancer Services with the planned static IPs.".into()));
    if spec.ingress.app_proxy.enabled {
        let kerberos_gmsa = spec.identity.gmsa.enabled
            && spec.workloads.iter().any(|w| {
                w.auth == akswin_spec::spec::AuthMode::Kerberos && w.gmsa_account.is_some()
            });
        let rbcd = if kerberos_gmsa {
            " and run `scripts/Set-Gmsa.ps1 -ConnectorComputers <server>,<server>` again with their computer names (it registers the internal URL's `HTTP/` SPN on the gMSA and lets the connectors delegate to it: Kerberos single sign-on fails without both)"
        } else {
            ""
        };
        line(next(format!(
            "**Publish the application in Microsoft Entra application proxy** (needs directory permissions): install {} connectors in the `appProxyConnectors` subnet{rbcd}, then run `scripts/Set-InternalDnsRecord.ps1` (the internal URL resolves to the internal load balancer {}) and `scripts/Publish-AppProxy.ps1` (pre-authentication, Kerberos constrained delegation, connector group, conditional access). It prints the external URL Front Door needs.",
            spec.ingress.app_proxy.connectors,
            plan.addresses
                .internal_load_balancer_ip
                .map(|i| i.to_string())
                .unwrap_or_else(|| "-".into()),
            rbcd = rbcd,
        )));
    }
    if spec.ingress.front_door.is_some() {
        let host = if arm.front_door_needs_host() {
            " with `AKSWIN_APP_PROXY_HOST=<the host the previous step printed>` (a host name such as `legacyweb-contoso.msappproxy.net`; deploy.sh drops a pasted `https://` and path), or set `ingress.appProxy.externalHost` in the spec and re-render"
        } else {
            ""
        };
        let kv_note = if spec.ingress.front_door.as_ref().is_some_and(|f| {
            f.custom_domains.iter().any(|d| {
                d.certificate.source == akswin_spec::spec::CertificateSource::KeyVault
                    && d.certificate.key_vault_secret.is_some()
            })
        }) {
            format!(
                " The profile gets a system-assigned managed identity with Key Vault Secrets User on each certificate's secret in `{}`, and on nothing else in the vault (the recommended method; the shared Front Door application registration is being retired) and reads the custom domains' certificates with it.",
                n.key_vault
            )
        } else {
            String::new()
        };
        line(next(format!(
            "**Deploy Front Door**: `./deploy.sh frontdoor`{host}.{kv_note}"
        )));
        if !spec.ingress.app_proxy.enabled {
            line(next(format!(
                "**Approve the private endpoint connection** that Front Door requests on the Private Link Service `{}` (created in `{}` by the internal Service).",
                n.pls, n.rg_nodes
            )));
        }
    }
    if spec.upgrades.workflow == akswin_spec::spec::UpgradeWorkflow::GithubActions
        || spec.scaling.hot_spare.is_some()
    {
        line(next("**GitHub Actions**: copy `.github/workflows/` into the repository, create a federated credential for it on an identity with rights on the cluster, and set the repository variables `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID` (OIDC: no stored secrets). The node image workflow runs in the maintenance window after Patch Tuesday (control plane first, then the pools, Linux before Windows); the hot-spare workflow scales the Windows pool for the peaks. The runner's OS does not choose the node image (AKS does), so both run on ubuntu-latest.".into()));
    }
    hybrid_section(spec, plan, n, &mut line);
    dns_section(spec, plan, &mut line);
    line("\n## Known limits\n".into());
    line("- The PowerShell scripts cannot be run where akswin is built and tested (no PowerShell there); review them and run them with `-WhatIf` first.".into());
    line(format!(
        "- The Windows data collection rule is associated with the cluster resource; associating it with the Windows node scale sets (created by AKS in `{}`) is not rendered.",
        n.rg_nodes
    ));
    line("- Domain controller passwords must not contain a double quote: the AD DS promotion command line quotes them.".into());
    s
}
