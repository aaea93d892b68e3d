//! The deploy script and the deployment README: every step in order, including the ones ARM
//! cannot do.

use crate::arm::Arm;
use crate::names::Names;
use akswin_plan::NetworkPlan;
use akswin_spec::Spec;
use std::fmt::Write as _;

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `deploy.sh`: bootstrap, check the secrets, what-if, then create. Secrets are never read
/// by the script: it only checks that they exist.
pub fn deploy_sh(spec: &Spec, n: &Names) -> String {
    let plan = akswin_plan::plan(spec);
    let arm = Arm::new(spec, &plan, n, "");
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
            "\n  : \"${AKSWIN_APP_PROXY_HOST:?set AKSWIN_APP_PROXY_HOST to the external host name of the published application}\"\n  extra=(--parameters appProxyExternalHost=\"$AKSWIN_APP_PROXY_HOST\")"
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

echo "== 1/3 bootstrap (resource group and Key Vault)"
az group create --name {rg} --location "$location" --output none
az deployment group create --name "$deployment-bootstrap" --resource-group {rg} \
  --template-file arm/bootstrap.json --parameters operatorIpRange="$AKSWIN_OPERATOR_IP" --output none

echo "== 2/3 secrets in {kv}"
missing=0"#,
        rg = n.rg_shared,
        kv = n.key_vault,
        fd_stage = if fd { ", frontdoor" } else { "" },
    );
    for (secret, what) in &secrets {
        let _ = writeln!(
            s,
            r#"if ! az keyvault secret show --vault-name {kv} --name {secret} --query id --output none 2>/dev/null; then
  echo "missing secret {secret}: {what}"
  echo "  set it with: az keyvault secret set --vault-name {kv} --name {secret} --file <file-with-the-value>"
  missing=1
fi"#,
            kv = n.key_vault,
            secret = shell_quote(secret),
            what = what.replace('"', "'").replace('\\', "\\\\"),
        );
    }
    let _ = writeln!(
        s,
        r#"if [ "$missing" -ne 0 ]; then
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
  --template-file arm/main.json --parameters @arm/main.parameters.json --output none
echo "deployed; continue with the next steps in README.md""#
    );
    s
}

/// The deployment README: every step in order.
pub fn readme(spec: &Spec, plan: &NetworkPlan, n: &Names) -> String {
    let arm = Arm::new(spec, plan, n, "");
    let mut s = String::new();
    let _ = writeln!(s, "# Deploying {} with akswin\n", spec.name);
    let _ = writeln!(
        s,
        "Rendered by akswin from the spec. Re-render after every spec change; never edit these files by hand.\n"
    );
    let _ = writeln!(s, "## What is here\n");
    let _ = writeln!(s, "| file | what |\n|---|---|");
    let _ = writeln!(
        s,
        "| `arm/bootstrap.json` | subscription-scope template: resource group `{}` and Key Vault `{}` (reachable from your IP only) |",
        n.rg_shared, n.key_vault
    );
    let _ = writeln!(
        s,
        "| `arm/main.json` | subscription-scope template: resource groups `{}`, `{}`, `{}`; hub network, Azure Firewall and its policy, Bastion, domain controllers; spoke network, route table, NSGs, AKS, data collection rule, policy assignments; ACR, Key Vault, private endpoints, identities and role assignments; Front Door Premium with WAF |",
        n.rg_hub, n.rg_spoke, n.rg_shared
    );
    let _ = writeln!(s, "| `arm/main.parameters.json` | non-secret parameters |");
    let _ = writeln!(
        s,
        "| `deploy.sh` | steps 1-3 below; `deploy.sh frontdoor` for the Front Door step |\n"
    );
    let _ = writeln!(s, "## Steps\n");
    let _ = writeln!(
        s,
        "1. **Bootstrap the Key Vault.** `AKSWIN_OPERATOR_IP=<your IP>/32 ./deploy.sh` starts with `arm/bootstrap.json`."
    );
    let _ = writeln!(
        s,
        "2. **Store the secrets** the deployment reads (deploy.sh stops and lists the missing ones). Never put them in the spec or in these files:\n"
    );
    for (name, what) in arm.required_secrets() {
        let _ = writeln!(s, "   - `{name}`: {what}");
    }
    let _ = writeln!(
        s,
        "\n   `az keyvault secret set --vault-name {} --name <name> --file <file>` (a file, so the value stays out of shell history).",
        n.key_vault
    );
    let _ = writeln!(
        s,
        "3. **Deploy.** `deploy.sh` runs `az deployment sub what-if`, asks, then `az deployment sub create` with `arm/main.json`. This closes the Key Vault to public networks (nodes reach it through its private endpoint)."
    );
    let mut step = 4;
    if spec.ingress.front_door.is_some() && spec.ingress.app_proxy.enabled {
        let _ = writeln!(
            s,
            "{step}. **Publish the application in Microsoft Entra application proxy** (not ARM; needs directory permissions): install {} connectors in the `appProxyConnectors` subnet, publish the internal URL `https://{}` with pre-authentication and Kerberos constrained delegation to the gMSA's SPN, and a conditional access policy for the allowed IP ranges.",
            spec.ingress.app_proxy.connectors,
            plan.addresses
                .internal_load_balancer_ip
                .map(|i| i.to_string())
                .unwrap_or_else(|| "<internal load balancer IP>".into())
        );
        step += 1;
        if spec.ingress.app_proxy.external_host.is_none() {
            let _ = writeln!(
                s,
                "{step}. **Point Front Door at the application proxy.** Put the external host name Entra assigned (e.g. `app-contoso.msappproxy.net`) into `appProxyExternalHost` in `arm/main.parameters.json` (or `ingress.appProxy.externalHost` in the spec, then re-render) and run step 3 again."
            );
            step += 1;
        }
    }
    if spec.identity.gmsa.enabled {
        let _ = writeln!(
            s,
            "{step}. **Create the gMSA in Active Directory** and the standard domain user whose `DOMAIN\\user:password` goes into the Key Vault secret (PowerShell; rendered by a later akswin release), then apply the GMSACredentialSpec and its RBAC to the cluster."
        );
        step += 1;
    }
    let _ = writeln!(
        s,
        "{step}. **Front Door certificate access.** Grant Front Door read access to the certificate secrets in `{}` (Key Vault Secrets User for the Front Door identity) before the custom domain validates.",
        n.key_vault
    );
    step += 1;
    let _ = writeln!(
        s,
        "{step}. **Approve the private endpoint connection** on the Private Link Service `{}` in `{}` when Front Door reaches the internal load balancer through Private Link.",
        n.pls, n.rg_nodes
    );
    let _ = writeln!(s, "\n## What akswin does not render yet\n");
    let _ = writeln!(
        s,
        "- Kubernetes manifests (workloads, internal load balancer Services, gMSA credential specs, image pre-pull DaemonSets), GitHub Actions workflows, and the AD/gMSA/application proxy PowerShell: a later akswin release."
    );
    let _ = writeln!(
        s,
        "- The Windows data collection rule is associated with the cluster resource; associating it with the Windows node scale sets (created by AKS in `{}`) is not rendered.",
        n.rg_nodes
    );
    s
}
