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
    let jump = arm.has_jump_box();
    let secrets = arm.required_secrets();
    let fd = spec.ingress.front_door.is_some();
    let host_params = arm.front_door_host_parameters();
    let pls_routes: Vec<&akswin_plan::ingress::IngressRoute> = plan
        .ingress
        .iter()
        .filter(|r| r.private_link_service.is_some())
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"#!/usr/bin/env bash
# Deploy the "{name}" landing zone rendered by akswin (see README.md for every step).
#   ./deploy.sh             1. bootstrap: resource group {rg_shared} and Key Vault {kv}
#                              (reachable from AKSWIN_OPERATOR_IP only)
#                           2. check that the secrets exist in the vault (never reads them)
#                           3. what-if of arm/main.json, then create it (closes the vault)
{hub_lines}{dc_lines}{images_line}#   ./deploy.sh k8s         apply k8s/ through az aks command invoke (private cluster)
#   ./deploy.sh frontdoor   4. Front Door, once its origin exists (README.md)
# Needs: az, logged in to the target subscription.
set -euo pipefail
cd "$(dirname "$0")"

location={location}
deployment=akswin-{prefix}
stage="${{1:-main}}"
"#,
        hub_lines = if spec.network.existing_hub().is_some() {
            "#                              (the shared services and the spoke network only: the existing\n#                              hub's side, arm/hub-side.json, is the platform team's, in between)\n#   ./deploy.sh cluster     3b. once hub-side.json is deployed: the spoke's peering and the cluster\n"
        } else {
            ""
        },
        dc_lines = if plan.addresses.domain_controller_ips.is_empty() {
            ""
        } else if has_active_directory_stage(spec, plan) {
            "#   ./deploy.sh domain-controllers   promote the new domain controllers (README.md)\n#   ./deploy.sh active-directory     gMSA and the internal DNS records, on the first new DC\n"
        } else {
            "#   ./deploy.sh domain-controllers   promote the new domain controllers (README.md)\n"
        },
        images_line = if spec.registry.images.iter().any(|i| i.source.is_some()) {
            "#   ./deploy.sh images      import the images from where they are built (registry.images[].source)\n"
        } else {
            ""
        },
        name = spec.name,
        rg_shared = n.rg_shared,
        kv = n.key_vault,
        location = shell_quote(&spec.location),
        prefix = n.prefix,
    );
    if fd {
        // Front Door's certificates must be in its vault before the profile reads them.
        let mut cert_check = String::new();
        for (_, c) in spec.ingress.key_vault_certificates() {
            let _ = write!(
                cert_check,
                r#"
  if ! az keyvault certificate show --vault-name {kv} --name {cq} --query id --output none; then
    echo "the certificate {c} is not in {kv} (or you cannot read it): import it (README step 2), then run this again" >&2
    exit 1
  fi"#,
                kv = n.key_vault_front_door,
                cq = shell_quote(c),
                // A Key Vault secret name (letters, digits, dashes: SPEC005), safe unquoted.
                c = c,
            );
        }
        let mut host_arg = String::from("\n  extra=()");
        if !host_params.is_empty() {
            host_arg.push_str(
                r#"
  # host_param PARAMETER VARIABLE: the application proxy's external host of one workload.
  # Front Door takes a bare host name: a scheme, a path and a trailing dot are dropped if pasted.
  host_param() {
    local raw="${!2:-}" h
    if [ -z "$raw" ]; then
      echo "set $2 to the external host of the published application (scripts/Publish-AppProxy.ps1 prints it)" >&2
      exit 2
    fi
    h="${raw#*://}"
    h="${h%%/*}"
    h="${h%.}"
    h="$(printf '%s' "$h" | tr '[:upper:]' '[:lower:]')"
    if ! printf '%s' "$h" | grep -Eq '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'; then
      echo "$2='$raw' is not a host name (expected e.g. legacyweb-contoso.msappproxy.net)" >&2
      exit 2
    fi
    extra+=(--parameters "$1=$h")
  }"#,
            );
            for r in &host_params {
                if let Some(p) = &r.external_host_parameter {
                    let _ = write!(
                        host_arg,
                        "\n  host_param {p} {}",
                        r.external_host_variable()
                    );
                }
            }
        }
        // Front Door's Private Link origins need the Private Link Services the workloads'
        // Services create: they must exist first, and Front Door's connection requests to them
        // are approved here (only those carrying this deployment's request message).
        let mut pls_check = String::new();
        let mut pls_approve = String::new();
        if !pls_routes.is_empty() {
            pls_approve.push_str(&format!(
                r#"
  # approve_pls NAME MESSAGE: approve Front Door's pending connection on the Private Link Service
  # (it appears a little after the deployment; only a request with this message is approved).
  approve_pls() {{
    local names="" approved
    # Front Door's request carries its message (with the profile's name) as the description;
    # approving keeps it there, so the connection is recognised when this runs again.
    for _ in $(seq 1 90); do
      names=$(az network private-link-service show --resource-group {rg} --name "$1" \
        --query "privateEndpointConnections[?privateLinkServiceConnectionState.status=='Pending' && contains(privateLinkServiceConnectionState.description || '', '{fd}')].name" --output tsv)
      [ -n "$names" ] && break
      approved=$(az network private-link-service show --resource-group {rg} --name "$1" \
        --query "length(privateEndpointConnections[?privateLinkServiceConnectionState.status=='Approved' && contains(privateLinkServiceConnectionState.description || '', '{fd}')])" --output tsv)
      if [ "${{approved:-0}}" != 0 ]; then
        echo "$1: Front Door's connection is approved"
        return 0
      fi
      sleep "${{AKSWIN_POLL_SECONDS:-10}}"
    done
    if [ -z "$names" ]; then
      echo "no connection request from Front Door on $1 after 15 minutes (Front Door sends nothing to this origin until one is approved); the connections there:" >&2
      az network private-link-service show --resource-group {rg} --name "$1" \
        --query "privateEndpointConnections[].[name, privateLinkServiceConnectionState.status, privateLinkServiceConnectionState.description]" --output tsv >&2
      exit 1
    fi
    for c in $names; do
      az network private-link-service connection update --resource-group {rg} --service-name "$1" \
        --name "$c" --connection-status Approved --description "$2" --output none
      echo "approved $c on $1"
    done
  }}"#,
                rg = n.rg_nodes,
                fd = n.front_door
            ));
            for r in &pls_routes {
                let Some(pls) = &r.private_link_service else {
                    continue;
                };
                let _ = write!(
                    pls_check,
                    r#"
  if ! az network private-link-service show --resource-group {rg} --name {pls} --query id --output none; then
    echo "the Private Link Service {pls} does not exist yet: kubectl apply -f k8s/ creates it with the Service of {w}" >&2
    exit 1
  fi"#,
                    rg = n.rg_nodes,
                    w = r.workload,
                );
                let _ = write!(
                    pls_approve,
                    "\n  approve_pls {pls} {}",
                    shell_quote(&format!(
                        "Front Door {} to {} ({})",
                        n.front_door, n.cluster, r.workload
                    ))
                );
            }
        }
        let _ = writeln!(
            s,
            r#"if [ "$stage" = frontdoor ]; then{host_arg}{cert_check}{pls_check}
  az deployment group what-if --resource-group {rg} --template-file arm/frontdoor.json "${{extra[@]}}"
  # Front Door reads the certificates with its identity, whose role on them this deployment
  # grants: Azure RBAC can take minutes to apply, so a failed attempt is tried again, every
  # minute for up to ten (the last error stays on screen).
  attempt=1
  until az deployment group create --name "$deployment-frontdoor" --resource-group {rg} \
    --template-file arm/frontdoor.json "${{extra[@]}}" --output none; do
    if [ "$attempt" -ge 10 ]; then
      echo "Front Door did not deploy after $attempt attempts: see the error above" >&2
      exit 1
    fi
    attempt=$((attempt + 1))
    echo "retrying in ${{AKSWIN_RETRY_SECONDS:-60}} s (attempt $attempt of 10): Front Door's new role on its certificates may not have applied yet" >&2
    sleep "${{AKSWIN_RETRY_SECONDS:-60}}"
  done{pls_approve}
  echo "Front Door deployed"{dns_records}
  exit 0
fi
"#,
            rg = n.rg_shared,
            cert_check = cert_check,
            pls_check = pls_check,
            pls_approve = pls_approve,
            dns_records = front_door_dns_records(spec, n),
        );
    }
    let dcs: Vec<String> = (0..plan.addresses.domain_controller_ips.len() as u32)
        .map(|i| n.dc_vm(i))
        .collect();
    let ad_mode = spec.identity.active_directory.as_ref().map(|a| a.mode());
    if !dcs.is_empty() {
        let replica = ad_mode == Some(akswin_spec::spec::AdMode::Replica);
        let link = if replica
            && arm.creates_gateway()
            && spec
                .network
                .hybrid
                .as_ref()
                .is_some_and(|h| h.gateway == akswin_spec::spec::GatewayKind::Vpn)
        {
            format!(
                r#"
  status=$(az network vpn-connection show --resource-group {rg} --name {conn} --query connectionStatus --output tsv)
  if [ "$status" != Connected ]; then
    echo "the VPN connection {conn} is '$status', not Connected: the replicas reach the existing domain over it (README: Connect on-premises)" >&2
    exit 1
  fi"#,
                rg = n.rg_hub,
                conn = n.connection
            )
        } else {
            String::new()
        };
        let calls = dcs
            .iter()
            .enumerate()
            .map(|(i, vm)| {
                let role = match (replica, i) {
                    (true, _) => "Replica",
                    (false, 0) => "Forest",
                    (false, _) => "Additional",
                };
                format!("  promote {vm} {role}")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let _ = writeln!(
            s,
            r#"# Run Command returns each script's results over 443 to Azure's public addresses: the firewall
# lets the domain controllers out there only while a stage that runs scripts on them runs
# (arm/promotion-egress.json), and the rule is removed when the stage ends, however it ends.
open_promotion_egress() {{
  local subscription
  subscription=$(az account show --query id --output tsv)
  promotion_rules="/subscriptions/$subscription/resourceGroups/{rg_hub}/providers/Microsoft.Network/firewallPolicies/{policy}/ruleCollectionGroups/promotion"
  trap close_promotion_egress EXIT
  az deployment group create --name "$deployment-promotion-egress" --resource-group {rg_hub} \
    --template-file arm/promotion-egress.json --output none
}}
# shellcheck disable=SC2317 # called by the EXIT trap
close_promotion_egress() {{
  if ! az resource delete --ids "$promotion_rules" --output none; then
    echo "could not remove the promotion's firewall rules: az resource delete --ids $promotion_rules" >&2
  fi
}}

if [ "$stage" = domain-controllers ]; then
  # Promote each new domain controller in turn (scripts/Install-DomainController.ps1 through Run
  # Command). The script reads the passwords from Key Vault with the DCs' own identity: none
  # passes through this machine.{link}
  client_id=$(az identity show --resource-group {rg_shared} --name {id_dc} --query clientId --output tsv)
  open_promotion_egress
  run_script() {{
    az vm run-command invoke --resource-group {rg_hub} --name "$1" --command-id RunPowerShellScript \
      --scripts @scripts/Install-DomainController.ps1 --parameters "Role=$2" "IdentityClientId=$client_id" "Mode=$3" ${{AKSWIN_AD_SITE_LINK:+"SiteLink=$AKSWIN_AD_SITE_LINK"}} \
      --query "value[].message" --output tsv
  }}
  # promote VM ROLE: promote, restart the VM from here (a restart inside Run Command would
  # leave the command hanging), wait for its agent, then verify the domain controller (AD
  # services up, its SRV record answered) before the next DC may use it.
  promote() {{
    local out status
    echo "== $1 ($2)"
    out=$(run_script "$1" "$2" Promote)
    printf '%s\n' "$out"
    case "$out" in
      *"akswin: already a domain controller"*) return 0 ;;
      *"akswin: promoted"*) ;;
      *) echo "the promotion of $1 did not finish: see its output above" >&2; exit 1 ;;
    esac
    az vm restart --resource-group {rg_hub} --name "$1" --output none
    for _ in $(seq 1 40); do
      status=$(az vm get-instance-view --resource-group {rg_hub} --name "$1" \
        --query "instanceView.vmAgent.statuses[0].displayStatus" --output tsv 2>/dev/null || true)
      if [ "$status" = Ready ]; then
        out=$(run_script "$1" "$2" Verify 2>&1 || true)
        case "$out" in
          *"akswin: already a domain controller"*) echo "$1 is a domain controller"; return 0 ;;
        esac
      fi
      sleep "${{AKSWIN_POLL_SECONDS:-15}}"
    done
    printf '%s\n' "$out" >&2
    echo "$1 did not come back as a working domain controller after its restart: check it over Bastion" >&2
    exit 1
  }}
{calls}
  echo "domain controllers promoted (each restarts to finish; the next waits for the domain)"
  exit 0
fi
"#,
            rg_shared = n.rg_shared,
            id_dc = n.id_dc,
            policy = n.firewall_policy,
            rg_hub = n.rg_hub,
        );
        active_directory_stage(spec, plan, n, &mut s);
    }
    // The Kubernetes manifests, through the cluster's API: a private cluster's API server is
    // reachable only inside the network, so through `az aks command invoke` (which runs kubectl
    // in the cluster, as the caller: the operator and the admin groups have AKS RBAC Cluster
    // Admin on it).
    images_stage(spec, n, &mut s);
    let _ = writeln!(
        s,
        r#"if [ "$stage" = k8s ]; then
  # The system objects (namespaces, gMSA RBAC) first, then the gMSA credential specs and the
  # certificates' SecretProviderClasses, then the workloads.
  cd k8s"#
    );
    if let (true, Some(ad), false) = (
        crate::scripts::has_gmsa(spec),
        spec.identity.active_directory.as_ref(),
        spec.identity.gmsa.accounts.is_empty(),
    ) {
        let writer = if has_active_directory_stage(spec, plan) {
            "./deploy.sh active-directory (or scripts/Set-Gmsa.ps1 by hand) writes it"
        } else {
            "scripts/Set-Gmsa.ps1 writes it"
        };
        let files: Vec<String> = spec
            .identity
            .gmsa
            .accounts
            .iter()
            .map(|a| crate::k8s::gmsa_credential_spec_file(&a.name))
            .collect();
        let _ = writeln!(
            s,
            "  # The gMSA credential specs carry what only {} and the cluster know: without them\n  # the pods that use a gMSA would never start.",
            ad.domain
        );
        for f in files {
            let _ = writeln!(
                s,
                "  if [ ! -e {f} ]; then\n    echo \"k8s/{f} is missing: {writer} (README: gMSA in Active Directory)\" >&2\n    exit 1\n  fi"
            );
        }
    }
    let tls = arm.certificate_workloads();
    if !tls.is_empty() {
        let _ = writeln!(
            s,
            r#"  # Each certificate is mounted with its workload's own identity (workload identity): its
  # client id and the tenant exist only now, so the SecretProviderClasses are written here.
  tenant_id=$(az account show --query tenantId --output tsv)
  guid='^[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}$'
  if ! printf '%s' "$tenant_id" | grep -Eq "$guid"; then
    echo "could not read the tenant id (az account show): '$tenant_id'" >&2
    exit 1
  fi
  # identity_client_id IDENTITY: the client id of a workload's identity (main.json creates it).
  identity_client_id() {{
    local id
    id=$(az identity show --resource-group {rg} --name "$1" --query clientId --output tsv)
    if ! printf '%s' "$id" | grep -Eq "$guid"; then
      echo "the identity $1 has no client id ('$id'): deploy arm/main.json first" >&2
      exit 1
    fi
    printf '%s' "$id"
  }}"#,
            rg = n.rg_shared,
        );
        for (w, _) in &tls {
            let docs =
                crate::k8s::tls_provider_class(w, &n.key_vault, "${client_id}", "${tenant_id}")
                    .unwrap_or_default();
            let _ = writeln!(
                s,
                "  client_id=$(identity_client_id {id})\n  cat > {file} <<EOF\n# written by deploy.sh k8s: the certificate of {w} ({secret} in {kv}), mounted with {id}\n{yaml}EOF",
                id = n.workload_identity(&w.name),
                file = crate::k8s::tls_file_name(&w.name),
                w = w.name,
                secret = w
                    .certificate
                    .as_ref()
                    .map(|c| c.key_vault_secret.as_str())
                    .unwrap_or_default(),
                kv = n.key_vault,
                yaml = crate::k8s::yaml(&docs),
            );
        }
    }
    let _ = writeln!(
        s,
        r#"  # az aks command invoke exits 0 whatever kubectl did: the remote exit code is in its output.
  # shellcheck disable=SC2016 # expanded by the shell in the cluster, not here
  out=$(az aks command invoke --resource-group {rg} --name {cluster} --file . --command \
    'set -e; kubectl apply -f 00-akswin-system.yaml; for f in gmsa-credspec-*.yaml tls-*.yaml; do if [ -e "$f" ]; then kubectl apply -f "$f"; fi; done; kubectl apply -f .' 2>&1) || true
  printf '%s\n' "$out"
  case "$out" in
    *"exitcode=0"*) echo "manifests applied" ;;
    *) echo "applying the manifests failed (kubectl's output is above)" >&2; exit 1 ;;
  esac
  exit 0
fi
"#,
        rg = n.rg_spoke,
        cluster = n.cluster,
    );
    let imports = spec.registry.images.iter().any(|i| i.source.is_some());
    let stages = format!(
        "{}{}{}, k8s{}",
        if spec.network.existing_hub().is_some() {
            ", cluster"
        } else {
            ""
        },
        match (dcs.is_empty(), has_active_directory_stage(spec, plan)) {
            (true, _) => "",
            (false, false) => ", domain-controllers",
            (false, true) => ", domain-controllers, active-directory",
        },
        if imports { ", images" } else { "" },
        if fd { ", frontdoor" } else { "" }
    );
    let _ = writeln!(
        s,
        r#"if [ "$stage" != main ]{cluster_stage}; then
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
# check_secret NAME WHAT [certificate|pfx]: reads metadata only (the secret's name in the
# vault's list, a certificate's content type), never a value.
errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
check_secret() {{
  local err found
  if [ -n "${{3:-}}" ]; then
    if found=$(az keyvault certificate show --vault-name {kv} --name "$1" --query policy.secretProperties.contentType --output tsv --only-show-errors 2>"$errfile"); then
      if [ "$3" = pfx ] && [ "$found" != application/x-pkcs12 ]; then
        echo "certificate '$1' is stored as '$found', but the pods mount it as a PFX: import the PFX file"
        echo "  az keyvault certificate import --vault-name {kv} --name '$1' --file <certificate.pfx>"
        missing=1
      fi
      return 0
    fi
    err=$(cat "$errfile")
  elif found=$(az keyvault secret list --vault-name {kv} --query "[?name=='$1'] | length(@)" --output tsv --only-show-errors 2>"$errfile"); then
    [ "$found" = 1 ] && return 0
    err=SecretNotFound
  else
    err=$(cat "$errfile")
  fi
  case "$err" in
    *ForbiddenByFirewall*|*"Client address is not authorized"*)
      echo "{kv} refuses this machine's address: AKSWIN_OPERATOR_IP must be the address you connect from (run ./deploy.sh again with it)" >&2
      denied=1 ;;
    *SecretNotFound*|*CertificateNotFound*|*"was not found"*)
      echo "missing secret '$1': $2"
      if [ -n "${{3:-}}" ]; then
        echo "  import it with: az keyvault certificate import --vault-name {kv} --name '$1' --file <certificate.pfx>"
      else
        echo "  set it with: az keyvault secret set --vault-name {kv} --name '$1' --file <file-with-the-value>"
        echo "  (a file with no trailing newline: an editor's or echo's newline becomes part of the password)"
      fi
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
        fd_stage = stages,
        cluster_stage = if spec.network.existing_hub().is_some() {
            r#" && [ "$stage" != cluster ]"#
        } else {
            ""
        },
        preflight = preflight(spec, n),
    );
    for (secret, what) in &secrets {
        let _ = writeln!(
            s,
            "check_secret {secret} {what}",
            secret = shell_quote(secret),
            what = shell_quote(what),
        );
    }
    for (w, secret) in arm.certificate_workloads() {
        let _ = writeln!(
            s,
            "check_secret {secret} {what} {kind}",
            kind = if w.os == akswin_spec::spec::Os::Windows {
                "pfx"
            } else {
                "certificate"
            },
            secret = shell_quote(secret),
            what = shell_quote(&format!(
                "TLS certificate {} serves (a Key Vault certificate: PFX with its private key and chain)",
                w.name
            )),
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
{placeholder}{hub_gate}
echo "== 3/3 main deployment: what-if, then create"
{jump_key}az deployment sub what-if --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json{jump_param}{cluster_param}
read -r -p "Deploy these changes? [y/N] " answer
case "$answer" in
  y|Y) ;;
  *) echo "stopped before deploying"; exit 1 ;;
esac
az deployment sub create --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json{jump_param}{cluster_param} --output none
{hub_handover}# A way in: Azure RBAC for Kubernetes is on and local accounts are off; the operator gets
# Azure Kubernetes Service RBAC Cluster Admin on the cluster (cluster.adminGroups have it from
# the template), so that ./deploy.sh k8s can apply the manifests.
if [ -n "$operator_id" ]; then
  cluster_id=$(az aks show --resource-group {rg_spoke} --name {cluster} --query id --output tsv)
  if [ "$(az role assignment list --assignee "$operator_id" --scope "$cluster_id" --role "Azure Kubernetes Service RBAC Cluster Admin" --query 'length(@)' --output tsv)" = 0 ]; then
    az role assignment create --assignee-object-id "$operator_id" --assignee-principal-type "$operator_type" \
      --role "Azure Kubernetes Service RBAC Cluster Admin" --scope "$cluster_id" --output none
  fi
fi{jump_roles}"#,
        jump_key = if jump { format!(
            r#"# The jump box signs users in with Microsoft Entra ID only. Azure wants an SSH key for a Linux
# VM without a password, so a new one gets a key whose private half is thrown away at once; an
# existing jump box keeps its own (a VM's SSH keys cannot change), so only "not found" means new.
if jump_box_key=$(az vm show --resource-group {rg_hub} --name {vm} --query "osProfile.linuxConfiguration.ssh.publicKeys[0].keyData" --output tsv 2>"$errfile"); then
  if [ -z "$jump_box_key" ]; then
    echo "the jump box {vm} exists but shows no SSH key: it cannot be redeployed with another one" >&2
    exit 1
  fi
elif grep -Eq 'ResourceNotFound|ResourceGroupNotFound' "$errfile"; then
  key_dir=$(mktemp -d)
  ssh-keygen -q -t rsa -b 4096 -N '' -C 'akswin: private key discarded' -f "$key_dir/key"
  jump_box_key=$(cat "$key_dir/key.pub")
  rm -rf "$key_dir"
else
  cat "$errfile" >&2
  echo "cannot tell whether the jump box {vm} exists (az vm show failed above): a new key for an existing VM would fail the deployment" >&2
  exit 1
fi
"#,
            rg_hub = n.rg_hub,
            vm = n.jump_box,
        ) } else { String::new() },
        jump_param = if jump { " \\\n  jumpBoxSshPublicKey=\"$jump_box_key\"" } else { "" },
        cluster_param = if spec.network.existing_hub().is_some() { " \\\n  deployCluster=\"$deploy_cluster\"" } else { "" },
        hub_gate = hub_gate(spec, plan, n),
        hub_handover = hub_handover(spec, n),
        jump_roles = if jump { format!(
            r#"
# The jump box: the operator signs in with Microsoft Entra ID (Virtual Machine Administrator
# Login) through Bastion's native client, which needs Reader on the VM, its NIC and Bastion
# (cluster.adminGroups have these from the template).
if [ -n "$operator_id" ]; then
  subscription=$(az account show --query id --output tsv)
  hub="/subscriptions/$subscription/resourceGroups/{rg_hub}/providers"
  for grant in "Virtual Machine Administrator Login|$hub/Microsoft.Compute/virtualMachines/{vm}" \
    "Reader|$hub/Microsoft.Compute/virtualMachines/{vm}" \
    "Reader|$hub/Microsoft.Network/networkInterfaces/nic-{vm}" \
    "Reader|$hub/Microsoft.Network/bastionHosts/{bastion}"; do
    role="${{grant%%|*}}"
    scope="${{grant#*|}}"
    if [ "$(az role assignment list --assignee "$operator_id" --scope "$scope" --role "$role" --query 'length(@)' --output tsv)" = 0 ]; then
      az role assignment create --assignee-object-id "$operator_id" --assignee-principal-type "$operator_type" \
        --role "$role" --scope "$scope" --output none
    fi
  done
fi"#,
            rg_hub = n.rg_hub,
            vm = n.jump_box,
            bastion = n.bastion,
        ) } else { String::new() },
        placeholder = arm.placeholder_secret().map(|p| format!(
            "# The gMSA credential exists only once Active Directory does (scripts/Set-Gmsa.ps1 writes it),\n# but the kubelet identity's read access is granted on the secret, which must exist first:\n# a placeholder with nothing secret in it.\nif [ \"$(az keyvault secret list --vault-name {kv} --query \"[?name=='{p}'] | length(@)\" --output tsv)\" != 1 ]; then\n  az keyvault secret set --vault-name {kv} --name '{p}' --value 'placeholder: scripts/Set-Gmsa.ps1 replaces it' --tags akswin=placeholder --output none\n  echo \"created the placeholder secret '{p}' (scripts/Set-Gmsa.ps1 replaces it)\"\nfi\n",
            kv = n.key_vault,
        )).unwrap_or_default(),
        rg_spoke = n.rg_spoke,
        cluster = n.cluster,
    );
    if let (Some(ip), None) = (
        plan.addresses.firewall_private_ip,
        spec.network.existing_hub(),
    ) {
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
    let existing_hub = spec.network.existing_hub();
    if let (Some(h), false) = (existing_hub, servers.is_empty()) {
        line(format!(
            "- The spoke uses {} as DNS servers{}. **Before `./deploy.sh cluster`, they must resolve the landing zone's private DNS zones below** (linked to the hub: an Azure DNS Private Resolver's inbound endpoint or DNS servers in the hub do) {}; without that, nodes cannot resolve the private API server, the registry or the vault, and the cluster does not start (https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration).",
            servers.join(", "),
            if h.dns_servers.is_empty() || spec.network.dns_servers.is_some() {
                ""
            } else {
                " (the landing zone's, `network.hub.existing.dnsServers`)"
            },
            match &spec.identity.active_directory {
                Some(ad) => format!(
                    "and forward `{}` to its domain controllers (a conditional forwarder, or a DNS forwarding ruleset rule)",
                    ad.domain
                ),
                None => String::new(),
            }
        ));
    } else if servers.is_empty() {
        line("- The VNets use Azure DNS (168.63.129.16), which answers the private DNS zones linked to them.".into());
        if let (Some(dc), Some(ad)) = (
            plan.addresses.gmsa_dns_server,
            &spec.identity.active_directory,
        ) {
            line(format!(
                "- gMSA: the cluster's `gmsaProfile` names the domain controller {dc} for `{}`, and CoreDNS forwards the domain to it (https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts). The VNets keep Azure DNS so that the cluster is created without depending on the link to on-premises. It takes one address: if that domain controller is down, gMSA pods cannot find the domain; set `identity.gmsa.dnsServer` to pick another. Domain-joined servers in the spoke (the application proxy connectors) need the domain controllers as their DNS servers on their network interfaces. Microsoft's Windows container gMSA troubleshooting also asks that the container host resolve the domain (https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/gmsa-troubleshooting), which the AKS page does not: if gMSA pods fail to find a domain controller, set `network.dnsServers` to the domain controllers once on-premises is connected and forwards the private zones to the firewall's DNS proxy, and re-render.",
                ad.domain
            ));
        }
    } else if new_dcs {
        line(format!(
            "- The hub and spoke VNets use the domain controllers ({}) as DNS servers; the domain controllers forward what they are not authoritative for to Azure DNS (168.63.129.16), which answers the private DNS zones linked to the hub and spoke VNets.",
            servers.join(", ")
        ));
    } else if let (Some(_), Some(fw)) = (&spec.network.hybrid, plan.addresses.firewall_private_ip) {
        line(format!(
            "- The spoke uses {} as DNS servers. **Before step 3, they must resolve the private DNS zones below**: on each of them, add conditional forwarders for {} to the hub firewall's DNS proxy, {fw}, which resolves them with Azure DNS in the hub VNet (the zones are linked to it). Windows DNS: `Add-DnsServerConditionalForwarderZone -Name <zone> -MasterServers {fw} -ReplicationScope Forest`. Without them, nodes cannot resolve the private API server, the registry or the vault, and the cluster does not start (https://learn.microsoft.com/azure/firewall/dns-settings, https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration).",
            servers.join(", "),
            zones
                .iter()
                .map(|(_, p)| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else {
        line(format!(
            "- The spoke uses {} as DNS servers. **They must resolve the private DNS zones below**: forward the public zones to a resolver inside Azure (an Azure DNS Private Resolver inbound endpoint, or a DNS server in the hub) that can reach Azure DNS; akswin renders neither yet. Without it, nodes cannot resolve the private API server, the registry or the vault, and the cluster does not start.",
            servers.join(", ")
        ));
    }
    let listed = zones
        .iter()
        .map(|(z, _)| format!("`{z}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(h) = existing_hub {
        line(format!(
            "- Private DNS zones: the landing zone's, in `{}` ({listed}), linked to the hub by the platform team{}; akswin creates none. The private endpoints register their records there, so whoever runs `deploy.sh` needs `Microsoft.Network/privateDnsZones/join/action` on those zones (Private DNS Zone Contributor does), unless the landing zone's policy creates the records (Azure landing zones' DeployIfNotExists policies for private endpoint DNS).",
            h.private_dns_zones,
            if servers.is_empty() {
                " and to the spoke by `arm/hub-side.json` (the API server's by AKS)"
            } else {
                ""
            }
        ));
        line("- The hub's firewall policy must have its DNS proxy on: this spoke's network rules name hosts (`ntp.ubuntu.com`), which only a DNS proxy lets the firewall match; `./deploy.sh cluster` checks it when it can read the policy.".into());
        return;
    }
    line(format!(
        "- Private DNS zones: {listed}. `main.json` links each to the hub and spoke VNets{}",
        if spec.cluster.private_cluster {
            ", except the API server's, which it links to the hub only: AKS links that zone to the spoke itself when it creates the cluster (https://learn.microsoft.com/azure/aks/private-clusters), with the cluster identity's Private DNS Zone Contributor on the zone and Network Contributor on the spoke VNet, and a zone takes only one link per VNet (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links). That link belongs to AKS: deleting it stops the nodes resolving the API server. The API server has no public FQDN (`enablePrivateClusterPublicFQDN: false`): `az aks command invoke` and the hub's clients resolve it through the zone."
        } else {
            "."
        }
    ));
    let on_prem_dns = akswin_plan::dns_on_premises(spec, plan);
    line(format!(
        "- The firewall's DNS proxy is on because its network rules name hosts (`ntp.ubuntu.com`){}; the nodes do not use the firewall as their resolver, and the rules that matter for Windows (KMS) use addresses.",
        if on_prem_dns {
            ", and because the on-premises DNS servers forward the private zones to it"
        } else {
            ""
        }
    ));
    if spec.network.hybrid.is_some() {
        line("- On premises: the private endpoints are not reachable from on-premises (the firewall refuses what starts there), so on-premises DNS needs no forwarders for these zones for akswin's sake. If you open that path, forward them to the firewall's DNS proxy and route the private endpoints' replies through the firewall too.".into());
    } else if !spec.network.on_premises.is_empty() {
        line(format!(
            "- On premises ({}) is not connected (no `network.hybrid`): akswin only keeps these ranges free of overlaps.",
            spec.network
                .on_premises
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
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
                "- **On premises**: configure the VPN device (route-based, IKEv2) with two tunnels, one to each public IP of the gateway (`az network public-ip show -g {} -n pip-{}-01 --query ipAddress -o tsv`, and `-02`), the same pre-shared key, and static routes for the Azure ranges {azure} (the connection is route-based, with any-to-any traffic selectors; a policy-based device fails phase 2); let UDP 500, UDP 4500 and ESP from both addresses through its own firewall (https://learn.microsoft.com/azure/vpn-gateway/active-active-portal, https://learn.microsoft.com/azure/vpn-gateway/tutorial-site-to-site-portal). The connection is up when `az network vpn-connection show -g {} -n {} --query connectionStatus -o tsv` says `Connected`.",
                n.rg_hub,
                hp.gateway,
                n.rg_hub,
                n.connection,
                azure = azure_ranges(plan),
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
                "- The connection `{}` links it to the circuit `{}`{auth}. The circuit's private peering must be provisioned first, and on premises must advertise {ranges} over BGP; the gateway advertises the Azure ranges {} (https://learn.microsoft.com/azure/expressroute/expressroute-howto-linkvnet-arm).",
                n.connection,
                h.express_route
                    .as_ref()
                    .map_or("-", |e| e.circuit_id.as_str()),
                azure_ranges(plan),
            ));
        }
        GatewayKind::Existing if spec.network.existing_hub().is_some() => {
            line(format!(
                "- The existing hub's gateway `{}` carries the traffic to on-premises ({ranges}); it and its GatewaySubnet are the platform team's. `deploy.sh` first checks that the gateway is in the hub VNet `{}`.",
                hp.gateway_id.as_deref().unwrap_or(&hp.gateway),
                n.vnet_hub,
            ));
            line(format!(
                "- On premises must route the Azure ranges {} to the gateway (ExpressRoute learns them over BGP; a static VPN needs them configured).",
                azure_ranges(plan)
            ));
        }
        GatewayKind::Existing => {
            line(format!(
                "- The existing gateway `{}` in the hub's `{}` ({gw_subnet}) carries the traffic to on-premises ({ranges}). akswin creates no gateway: it declares the GatewaySubnet with this prefix (a subnet missing from the VNet's template would be deleted, and a gateway's subnet cannot change) and gives it the route table below. `deploy.sh` first checks that the gateway is in this GatewaySubnet and that the subnet's prefix is this one. For a hub akswin created, the order is: deploy without `network.hybrid`, add the gateway, then declare it here as `existing`. The hub VNet is deployed with exactly the subnets akswin plans: a subnet added to it outside akswin (Azure Route Server, a DNS resolver, a jump host) makes the deployment fail or is deleted, and a route table already on the GatewaySubnet is replaced (routes it held for other spokes are lost). Read `az deployment sub what-if` before you confirm; for a hub akswin does not own, use `network.hub.existing` (akswin then changes nothing in the hub).",
                hp.gateway_id.as_deref().unwrap_or(&hp.gateway),
                akswin_facts::GATEWAY_SUBNET.azure_name,
            ));
            line(format!(
                "- On premises must route the Azure ranges {} to the gateway (ExpressRoute learns them over BGP; a static VPN needs them configured).",
                azure_ranges(plan)
            ));
        }
    }
    line("- The hub peering allows gateway transit and the spoke peering uses the hub's gateway (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity). The spoke's subnets do not take the routes the gateway learns (`disableBgpRoutePropagation`): their 0.0.0.0/0 route sends on-premises traffic to the firewall too.".into());
    if spec.network.existing_hub().is_some() {
        line("- Both directions must go through the hub's firewall, so it sees both halves of every flow: the platform team's route table on the GatewaySubnet must send the spoke's ranges to the firewall (The platform team's part). This spoke's firewall rules let through Active Directory and DNS to the domain controllers and nothing else from the spoke to on-premises; `akswin plan` lists every flow with its hops.".into());
    } else {
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
                if spec
                    .identity
                    .active_directory
                    .as_ref()
                    .is_some_and(|a| a.mode() == akswin_spec::spec::AdMode::Replica)
                {
                    " (from on-premises to the domain controllers in the hub, and from the replicas to every on-premises range, on the AD ports, W32Time and ICMP: AD picks their replication partners)"
                } else {
                    " (and from on-premises to the domain controllers in the hub, W32Time and ICMP included)"
                }
            },
        ));
    }
    let existing_dcs = spec
        .identity
        .active_directory
        .as_ref()
        .is_some_and(|a| a.domain_controllers.existing.is_some());
    if existing_dcs {
        let sources_of = |collection: &str| -> String {
            plan.firewall
                .network_rules
                .iter()
                .filter(|r| r.group == "activedirectory" && r.collection == collection)
                .flat_map(|r| r.sources.iter().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ad = sources_of("ad");
        let dns = sources_of("dns");
        if !ad.is_empty() || !dns.is_empty() {
            let mut parts = Vec::new();
            if !ad.is_empty() {
                parts.push(format!("from {ad} (the Windows nodes and the connectors) DNS, Kerberos, LDAP, RPC, SMB and AD web services (TCP/UDP 53, 88, 389, 464; TCP 135, 445, 636, 3268-3269, 9389, 49152-65535)"));
            }
            if !dns.is_empty() {
                parts.push(format!(
                    "from {dns} (every node: CoreDNS forwards the domain) DNS (TCP/UDP 53)"
                ));
            }
            line(format!(
                "- **On premises**, firewalls in front of the domain controllers must let through {} (with Azure CNI Overlay, pods leave with their node's address). The firewall in the hub opens only the domain controllers listed in the spec: put the Azure ranges in an Active Directory site those domain controllers serve, or the DC locator may pick one the firewall refuses.",
                parts.join("; and ")
            ));
        }
    }
    if spec.network.existing_hub().is_some() {
        line("- Nothing that starts on premises should reach the spoke: this spoke's rules allow none of it, and the hub's other rule collection groups (the platform team's) must not either (the private endpoints and the internal load balancer serve the spoke; users come in through Front Door and the application proxy).".into());
    } else {
        line("- Nothing that starts on premises reaches the spoke: the firewall refuses it (the private endpoints and the internal load balancer are not reachable from on-premises; users come in through Front Door and the application proxy).".into());
    }
}

/// The address spaces of the VNets akswin deploys (what on-premises must route to Azure).
fn azure_ranges(plan: &NetworkPlan) -> String {
    plan.vnets
        .iter()
        .filter(|v| !v.existing)
        .flat_map(|v| v.address_space.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prerequisites the templates rely on, checked before anything is created: subscription
/// features, and an existing gateway's place in the hub.
fn preflight(spec: &Spec, n: &Names) -> String {
    let mut out = String::new();
    // Names unique across Azure: a deleted vault keeps its name for 90 days (purge protection),
    // and another tenant's registry may hold the registry's; both fail the deployment late.
    let mut vaults = vec![n.key_vault.clone()];
    if !spec.ingress.key_vault_certificates().is_empty() {
        vaults.push(n.key_vault_front_door.clone());
    }
    let _ = write!(
        out,
        r#"echo "== 0/3 preflight (names unique across Azure)"
subscription=$(az account show --query id --output tsv)
for vault in {vaults}; do
  if [ -n "$(az keyvault list-deleted --resource-type vault --query "[?name=='$vault'].name" --output tsv)" ]; then
    echo "the Key Vault name $vault is held by a deleted vault of this subscription (purge protection keeps it for 90 days): recover it (az keyvault recover --name $vault) or change nameSuffix in the spec and render again" >&2
    exit 2
  fi
  available=$(az rest --method post --url "https://management.azure.com/subscriptions/$subscription/providers/Microsoft.KeyVault/checkNameAvailability?api-version={api_kv}" \
    --body "{{\"name\": \"$vault\", \"type\": \"Microsoft.KeyVault/vaults\"}}" --query nameAvailable --output tsv)
  # Taken, and not by this deployment's own group: another vault (of this subscription too,
  # another environment's, say) holds the name, and the deployment would fail.
  if [ "$available" = false ] && ! az keyvault show --name "$vault" --resource-group {rg} --output none 2>/dev/null; then
    echo "the Key Vault name $vault belongs to a vault outside {rg} (another subscription's, another group's, or one deleted): change nameSuffix in the spec and render again" >&2
    exit 2
  fi
done
if [ "$(az acr check-name --name {acr} --query nameAvailable --output tsv)" = false ] && ! az acr show --name {acr} --resource-group {rg} --output none 2>/dev/null; then
  echo "the registry name {acr} belongs to a registry outside {rg} (another subscription's or another group's): change nameSuffix (or registry.name) in the spec and render again" >&2
  exit 2
fi
"#,
        vaults = vaults.join(" "),
        acr = n.acr,
        rg = n.rg_shared,
        api_kv = crate::arm::API_KEYVAULT,
    );
    // The Azure Policy add-on (always on) reports through Microsoft.PolicyInsights, a documented
    // prerequisite (https://learn.microsoft.com/azure/aks/use-azure-policy).
    out.push_str(
        r#"echo "== 0/3 preflight (resource providers)"
if [ "$(az provider show --namespace Microsoft.PolicyInsights --query registrationState --output tsv 2>/dev/null)" != Registered ]; then
  az provider register --namespace Microsoft.PolicyInsights --wait --output none
fi
"#,
    );
    if spec.cluster.encryption_at_host {
        out.push_str(
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
"#,
        );
    }
    if let Some(h) = &spec.network.hybrid
        && h.gateway == akswin_spec::spec::GatewayKind::Existing
        && let Some(id) = &h.gateway_id
    {
        // The spoke peering uses the hub's gateway: it must be in the hub's GatewaySubnet, whose
        // prefix the hub template declares.
        let gw_prefix = spec
            .network
            .hub
            .subnets
            .gateway
            .as_ref()
            .and_then(|g| g.value().map(|c| c.to_string()))
            .unwrap_or_default();
        let want = format!(
            "*/resourcegroups/{}/providers/microsoft.network/virtualnetworks/{}/subnets/gatewaysubnet",
            n.rg_hub.to_ascii_lowercase(),
            n.vnet_hub.to_ascii_lowercase()
        );
        let _ = write!(
            out,
            r#"echo "== 0/3 preflight (the existing gateway)"
gw_subnet=$(az network vnet-gateway show --ids {id} --query 'ipConfigurations[0].subnet.id' --output tsv 2>/dev/null || true)
case "$(printf '%s' "$gw_subnet" | tr '[:upper:]' '[:lower:]')" in
  {want}) ;;{unreadable}
  *)
    echo "network.hybrid.gatewayId: the gateway is not in the GatewaySubnet of {vnet} in {rg} (its subnet: ${{gw_subnet:-not found}}); the spoke peering could not use it" >&2
    exit 2 ;;
esac
{prefix_check}"#,
            id = shell_quote(id),
            vnet = n.vnet_hub,
            rg = n.rg_hub,
            // Whoever deploys a spoke into an existing hub may hold only `peer/action` there,
            // which reads nothing: an unreadable gateway is not checked, a wrong one stops.
            unreadable = if spec.network.existing_hub().is_some() {
                "\n  '') echo \"note: cannot read the hub's gateway (no read access to the hub?): not checked\" ;;"
            } else {
                ""
            },
            // An existing hub's GatewaySubnet is the platform team's: akswin declares none.
            prefix_check = if spec.network.existing_hub().is_some() {
                String::new()
            } else {
                format!(
                    r#"gw_prefix=$(az network vnet subnet show --ids "$gw_subnet" --query addressPrefix --output tsv 2>/dev/null || true)
if [ "$gw_prefix" != {prefix} ]; then
  echo "network.hub.subnets.gateway is {prefix}, but the existing GatewaySubnet is ${{gw_prefix:-unknown}}: a subnet in use cannot change, so the deployment would fail" >&2
  exit 2
fi
"#,
                    prefix = shell_quote(&gw_prefix)
                )
            },
        );
    }
    out
}

/// The deployment README: every step in order.
pub fn readme(spec: &Spec, plan: &NetworkPlan, n: &Names) -> String {
    let arm = Arm::new(spec, plan, n, "");
    let admission_note = if arm.admission_enforced() {
        " (built-ins, and akswin's Windows rules at admission: one custom definition per rule and the initiative `akswin-windows-admission` at subscription scope, assigned to the cluster with the effects of `policy.admission`; `akswin policy list` says which rules; whoever deploys needs `Microsoft.Authorization/policyDefinitions/write` and `policySetDefinitions/write` on the subscription and `policyAssignments/write` on the cluster, which Resource Policy Contributor and Owner have and Contributor has not; the add-on needs the `Microsoft.PolicyInsights` resource provider, which `deploy.sh` registers; WIN004 and WIN018 carry the spec's node pools as the `pools` parameter, updated by each deployment, and the add-on picks a change up within about 15 minutes: a pod for a pool added in the same deployment may be judged against the old pools until then, so pin Windows workloads to their `kubernetes.azure.com/os-sku` before adding a Windows pool of another version)"
    } else {
        ""
    };
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
        "| `arm/bootstrap.json` | resource-group template for `{}`: the Key Vault `{}` (reachable from your IP only){} |",
        n.rg_shared,
        n.key_vault,
        if arm.imports_certificates() {
            format!(
                ", and `{}`, Front Door's certificates apart from the platform secrets (your IP and trusted Azure services)",
                n.key_vault_front_door
            )
        } else {
            String::new()
        }
    ));
    if let Some(h) = spec.network.existing_hub() {
        line(format!(
            "| `arm/main.json` | subscription-scope template: resource groups `{}`, `{}`; spoke network, route table to the hub's firewall, NSGs, the spoke's peering to the existing hub `{}`, AKS, Container insights' data collection rule, managed Prometheus (Azure Monitor workspace, data collection endpoint and rule, Windows rule groups), alerts, policy assignments{admission}; ACR, Key Vault, private endpoints (in the landing zone's private DNS zones), identities, role assignments and diagnostic settings. No hub resource: the hub is the platform team's |",
            n.rg_spoke,
            n.rg_shared,
            n.vnet_hub,
            admission = admission_note,
        ));
        line(format!(
            "| `arm/hub-side.json` | resource-group template for the platform team, deployed into `{}`: the hub's peering to the spoke{}, the private DNS zones' links to the spoke and the cluster identity's role on the API server's zone (in `{}`) |",
            n.rg_hub,
            if h.firewall_policy().is_some() {
                ", this spoke's rule collection group in the hub's firewall policy"
            } else {
                ""
            },
            h.private_dns_zones
        ));
    } else {
        line(format!(
            "| `arm/main.json` | subscription-scope template: resource groups `{}`, `{}`, `{}`; hub network, Azure Firewall and its policy, Bastion{}{}; spoke network, route table, NSGs, AKS, Container insights' data collection rule, managed Prometheus (Azure Monitor workspace, data collection endpoint and rule, Windows rule groups), alerts, policy assignments{admission}; ACR, Key Vault, private endpoints, identities, role assignments, the Windows servers' data collection rule and diagnostic settings |",
            n.rg_hub,
            n.rg_spoke,
            n.rg_shared,
            if plan.addresses.domain_controller_ips.is_empty() {
                ""
            } else {
                ", domain controllers"
            },
            if arm.creates_gateway() {
                ", the virtual network gateway and its connection to on-premises"
            } else {
                ""
            },
            admission = admission_note
        ));
    }
    line("| `arm/main.parameters.json` | non-secret parameters |".into());
    if arm.promotion_egress().is_some() {
        line(format!(
            "| `arm/promotion-egress.json` | resource-group template for `{}`: the firewall rules that let the new domain controllers return Run Command's results; `deploy.sh domain-controllers` deploys it first and deletes it when it ends |",
            n.rg_hub
        ));
    }
    if spec.ingress.front_door.is_some() {
        line(format!(
            "| `arm/frontdoor.json` | resource-group template for `{}`: Front Door Premium (profile, endpoint, an origin group, origin and route per published workload, custom domains with Key Vault certificates, WAF policy, security policy); a later step, its origins must exist first |",
            n.rg_shared
        ));
    }
    line(format!(
        "| `deploy.sh` | steps 1-3 below; {}`deploy.sh frontdoor` for the Front Door step |",
        if plan.addresses.domain_controller_ips.is_empty() {
            ""
        } else {
            "`deploy.sh domain-controllers` to promote the domain controllers; "
        }
    ));
    line("| `k8s/` | Kubernetes manifests: workloads, internal load balancer Services, gMSA RBAC, image pre-pull DaemonSets |".into());
    line("| `.github/workflows/` | monthly node image upgrade and hot-spare scaling (when the spec asks for them) |".into());
    line(format!(
        "| `scripts/` | PowerShell for Active Directory, gMSA, application proxy and DNS{} |\n",
        if arm.has_jump_box() {
            "; `jumpbox-init.sh`, run on the jump box by its CustomScript extension in `arm/main.json` (the Azure CLI, kubectl, kubelogin)"
        } else {
            ""
        }
    ));
    line("## Steps\n".into());
    let mut step = 1;
    let mut next = |t: String| {
        let out = format!("{step}. {t}");
        step += 1;
        out
    };
    line(next(format!(
        "**Bootstrap the Key Vault.** `AKSWIN_OPERATOR_IP=<your IP>/32 ./deploy.sh` starts with `arm/bootstrap.json`, which opens the vault to that IP and gives you (the signed-in user, or `AKSWIN_OPERATOR_OBJECT_ID` with `AKSWIN_OPERATOR_PRINCIPAL_TYPE=ServicePrincipal` in a pipeline) Key Vault Secrets Officer on it. It first checks that the names that must be unique across Azure are free (a deleted vault of the subscription keeps its name for 90 days under purge protection: recover it; a registry name held elsewhere: change `nameSuffix`). If `cluster.encryptionAtHost` is on, it also checks that the subscription feature `Microsoft.Compute/EncryptionAtHost` is registered and tells you how to register it. Verify: `az role assignment list --assignee <your object id> --scope $(az keyvault show --name {kv} --query id --output tsv) --query \"[].roleDefinitionName\" --output tsv` lists Key Vault Secrets Officer (role assignments take a few minutes to apply).",
        kv = n.key_vault
    )));
    line(next("**Store the secrets** the deployment reads (deploy.sh stops and lists the missing ones). Never put them in the spec or in these files:\n".into()));
    for (name, what) in arm.required_secrets() {
        line(format!("   - `{name}`: {what}"));
    }
    line(format!(
        "\n   `az keyvault secret set --vault-name {} --name <name> --file <file>` (a file, so the value stays out of shell history). The file must not end in a newline, or it becomes part of the secret: write it with `printf '%s'` from a password manager's clipboard (for example `printf '%s' \"$(pbpaste)\" > file` or `Get-Clipboard | Set-Content -NoNewline file`), not with an editor or `echo`, and delete it afterwards.",
        n.key_vault
    ));
    let workload_certs = arm.certificate_workloads();
    if !workload_certs.is_empty() {
        line(format!(
            "\n   The workloads' own certificates are Key Vault certificates in `{kv}` (PFX with the private key and the chain, for the name each workload serves; you get Key Vault Certificates Officer there for it): {}. Each is mounted into its pods by the Key Vault CSI driver (the Kubernetes step below). Renewing one later means importing from inside the network: this vault closes to public networks in the next step.",
            workload_certs
                .iter()
                .map(|(w, c)| format!(
                    "`az keyvault certificate import --vault-name {} --name {c} --file <{}.pfx>`",
                    n.key_vault, w.name
                ))
                .collect::<Vec<_>>()
                .join(", "),
            kv = n.key_vault,
        ));
        let origins: Vec<String> = workload_certs
            .iter()
            .filter(|(w, _)| {
                plan.ingress.iter().any(|r| {
                    r.workload == w.name && r.path == akswin_spec::spec::IngressPath::PrivateLink
                })
            })
            .map(|(w, c)| format!("`{c}` ({})", w.name))
            .collect();
        if !origins.is_empty() {
            line(format!(
                "\n   Front Door checks a Private Link origin's certificate: {} must carry the workload's public host and chain to a certificate authority Front Door trusts (a public one: not your internal CA, not self-signed; https://learn.microsoft.com/azure/frontdoor/end-to-end-tls). The certificate of its custom domain does: import the same PFX into both vaults, and renew both together.",
                origins.join(", ")
            ));
        }
    }
    let certs = spec.ingress.key_vault_certificates();
    if !certs.is_empty() {
        line(format!(
            "\n   Front Door's certificates go into `{}` (PFX with its chain): {}.",
            n.key_vault_front_door,
            certs
                .iter()
                .map(|(h, c)| format!(
                    "`az keyvault certificate import --vault-name {} --name {c} --file <{h}.pfx>`",
                    n.key_vault_front_door
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(h) = spec.network.existing_hub() {
        line(next(format!(
            "**Deploy the spoke.** `deploy.sh` runs `az deployment sub what-if`, asks, then `az deployment sub create` with `arm/main.json` and `deployCluster=false`: the shared services, the spoke network and the private endpoints, not the peering or the cluster. This closes the Key Vault to public networks. It ends by printing the command for the next step with its two values (the spoke VNet's id and the cluster identity's principal id). Verify: `az deployment sub show --name akswin-{} --query properties.provisioningState --output tsv` says `Succeeded`.",
            n.prefix
        )));
        line(next(format!(
            "**The platform team deploys the hub's side**: `arm/hub-side.json` into `{}` (subscription `{}`), with the command step 3 printed (see The platform team's part below). Verify: `az network vnet peering show --ids {}/virtualNetworkPeerings/{} --query peeringState --output tsv` says `Initiated` (it becomes `Connected` in the next step).",
            n.rg_hub,
            h.vnet().map(|r| r.subscription).unwrap_or_default(),
            h.vnet_id,
            arm.hub_side_peering(),
        )));
        line(next(format!(
            "**Deploy the cluster.** `./deploy.sh cluster` checks that the hub's side is there (the hub's peering{}; when you may not read the hub, `AKSWIN_HUB_SIDE_DEPLOYED=1` says the platform team confirmed it), then deploys `arm/main.json` again with `deployCluster=true`: the spoke's peering to the hub and the cluster, whose nodes go out through the hub's firewall from their first boot. It stops if the peering is not `Connected`. Verify: `az aks show --resource-group {} --name {} --query powerState.code --output tsv` says `Running`.",
            if h.firewall_policy().is_some() {
                ", this spoke's rule collection group, and that the policy's DNS proxy is on"
            } else {
                ""
            },
            n.rg_spoke,
            n.cluster
        )));
    } else {
        line(next(format!(
            "**Deploy.** `deploy.sh` runs `az deployment sub what-if`, asks, then `az deployment sub create` with `arm/main.json`. This closes the Key Vault to public networks (nodes reach it through its private endpoint). Verify: `az deployment sub show --name akswin-{} --query properties.provisioningState --output tsv` says `Succeeded`, and `az aks show --resource-group {} --name {} --query powerState.code --output tsv` says `Running`.",
            n.prefix, n.rg_spoke, n.cluster
        )));
    }
    if arm.creates_gateway() {
        line(next(format!(
            "**Connect on-premises** (see Hybrid connectivity below): configure the on-premises side and wait until `az network vpn-connection show -g {} -n {} --query connectionStatus -o tsv` says `Connected`. {}",
            n.rg_hub,
            n.connection,
            if akswin_plan::dns_on_premises(spec, plan) {
                "The VNets resolve through DNS servers on premises, so the cluster's nodes resolve nothing until the link is up: NET014 warns about this."
            } else {
                "The cluster does not need the link to start; gMSA, the connectors' Kerberos and the application need the domain controllers behind it."
            }
        )));
    }
    if let Some(ad) = spec
        .identity
        .active_directory
        .as_ref()
        .filter(|_| !plan.addresses.domain_controller_ips.is_empty())
    {
        let replica = ad.mode() == akswin_spec::spec::AdMode::Replica;
        line(next(format!(
            "**Promote the domain controllers**: `./deploy.sh domain-controllers` runs `scripts/Install-DomainController.ps1` on each new domain controller in turn through Run Command. {} The script reads the DSRM password{} from `{}` with the domain controllers' own managed identity `{}` (Key Vault Secrets User on exactly those secrets), so no password is in a template, an extension's settings or a command line; it points each DC's DNS forwarder at Azure DNS (168.63.129.16: the private DNS zones), waits for the domain (its SRV record and AD Web Services on 9389) before a DC joins, and restarts the DC. Until then the VNets use Azure DNS; gMSA reaches the domain through the cluster's gmsaProfile (the first new DC), so the cluster never waits for AD.",
            if replica {
                format!(
                    "They join the existing domain `{}` as replicas (the on-premises link must be up: the step above), in the AD site `{}`, with the Azure ranges as its subnets, in the site link `DEFAULTIPSITELINK` unless `AKSWIN_AD_SITE_LINK` names another (an Enterprise Admin creates what the join account may not; the script stops before promotion rather than leave a DC in an unlinked site). AD chooses the on-premises replication partners itself, so the firewall lets the replicas reach every `network.onPremises` range on the AD ports, W32Time and ICMP.",
                    ad.domain,
                    ad.domain_controllers
                        .site
                        .clone()
                        .unwrap_or_else(|| format!("Azure-{}", spec.location))
                )
            } else {
                format!(
                    "The first creates the new forest `{}`, the others join it. A new forest has no users: Kerberos single sign-on works for nobody until users exist there (ID005); use it for labs and tests.",
                    ad.domain
                )
            },
            if replica {
                " and the join credential"
            } else {
                " and the forest administrator's password"
            },
            n.key_vault,
            n.id_dc
        )));
        if replica {
            line("   Remove or rotate the join credential's secret once every replica is promoted: it is a Domain Admins credential.".into());
        }
    }
    if spec.identity.gmsa.enabled {
        let verify = format!(
            "Verify: `Get-ADServiceAccount -Identity <account> -Properties PrincipalsAllowedToRetrieveManagedPassword` lists the host group, `az keyvault secret list --vault-name {kv} --query \"[?name=='<secret>'].tags.akswin\" --output tsv` says `gmsa-standard-user`, and `k8s/gmsa-credspec-*.yaml` exist (`deploy.sh k8s` refuses to start without them).",
            kv = n.key_vault
        );
        let what = "creates the KDS root key if the domain has none (then stops: domain controllers can use a new key only after up to 10 hours, so run it again then), the host group, the gMSA accounts and the standard domain user (its `DOMAIN\\user:password` goes to Key Vault before Active Directory changes, replacing the placeholder `deploy.sh` created)";
        if has_active_directory_stage(spec, plan) {
            line(next(format!(
                "**gMSA in Active Directory**: `./deploy.sh active-directory` runs `scripts/Set-Gmsa.ps1` on `{dc}`, the first new domain controller, through Run Command, as SYSTEM (which may change Active Directory on a domain controller; Azure's addresses are open to the domain controllers for Run Command's results only while it runs, as for the promotion). It {what}: the credential reaches Key Vault with the domain controllers' identity `{id_dc}` (Key Vault Secrets Officer on that one secret), never through your machine. The script prints the domain's forest, GUID and SID, and `deploy.sh` writes `k8s/gmsa-credspec-*.yaml` from them and the kubelet identity's object id.{dns} `AKSWIN_LAB_KDS_ROOT_KEY=1` backdates a new KDS root key (test forests only); `AKSWIN_RESET_GMSA_PASSWORD=1` rotates the standard user's password.{child} {verify}",
                child = if spec.identity.active_directory.as_ref().map(|a| a.mode())
                    == Some(akswin_spec::spec::AdMode::Replica)
                {
                    " The KDS root key belongs to the forest root domain: if the domain controllers join a child domain and the forest has none, an administrator of the forest root creates it."
                } else {
                    ""
                },
                dc = n.dc_vm(0),
                id_dc = n.id_dc,
                dns = if crate::scripts::has_dns_record(spec, plan) {
                    " It then runs `scripts/Set-InternalDnsRecord.ps1` there: the internal URLs' A records in AD DNS (see the application proxy step)."
                } else {
                    ""
                },
            )));
        } else {
            line(next(format!(
                "**gMSA in Active Directory**: `scripts/Set-Gmsa.ps1` on a domain-joined machine (on premises will do: it needs the domain, not the vault's network), with the ActiveDirectory module and the Azure CLI signed in as someone who may create groups, users and gMSAs and has `Microsoft.KeyVault/vaults/secrets/write` on the vault (Key Vault Contributor or Contributor: the script stores the credential through Azure Resource Manager, whose management plane needs no network path to the vault, closed to public networks now), {what}, and writes `k8s/gmsa-credspec-*.yaml` with the values only AD and the deployed cluster know (domain GUID and SID, the kubelet identity's object id). `-KdsRootKey Lab` backdates a new key (test forests only); `-StandardUserPassword Reset` rotates the standard user's password. {verify}"
            )));
        }
    }
    {
        let server = format!("{}.azurecr.io/", n.acr);
        let (with, without): (Vec<_>, Vec<_>) = spec
            .registry
            .images
            .iter()
            .filter(|i| i.r#ref.starts_with(&server))
            .partition(|i| i.source.is_some());
        if !with.is_empty() || !without.is_empty() {
            let mut t = String::from(
                "**Images**: the registry is closed to public networks, and ACR Tasks' agent pools, its builders inside a network, run Linux only (https://learn.microsoft.com/azure/container-registry/tasks-agent-pools): Windows images are built elsewhere (a `windows-2022` CI runner, a build registry) and copied in.",
            );
            if !with.is_empty() {
                let _ = write!(
                    t,
                    " `./deploy.sh images` imports {} with `az acr import`, a copy Azure makes between registries, so it works while `{}` is private (https://learn.microsoft.com/azure/container-registry/container-registry-import-images; from a public registry each layer may be at most 2 GiB). It needs `Microsoft.ContainerRegistry/registries/importImage/action` on the registry (Contributor has it) and Reader on an Azure source registry; a source registry closed to public networks is named by its resource id instead (`az acr import --registry <id> --source <repository>:<tag>`). Run it again for each new tag. Check with `az acr repository show-tags --name {} --repository <repository>` from inside the network.",
                    with.iter()
                        .map(|i| format!(
                            "`{}` from `{}`",
                            i.r#ref,
                            i.source.as_deref().unwrap_or_default()
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    n.acr,
                    n.acr
                );
            }
            if !without.is_empty() {
                let _ = write!(
                    t,
                    " For {}: give each a `source` in the spec (`registry.images[].source`, where it is built, for example a build registry) and re-render: `deploy.sh` then has an `images` stage that copies it with `az acr import`, which works from anywhere while `{}` is private (https://learn.microsoft.com/azure/container-registry/container-registry-import-images). Pushing yourself needs a Windows machine with Docker that reaches the registry's private endpoint (`az acr login --name {}`, then `docker push`): akswin renders none{}.",
                    without
                        .iter()
                        .map(|i| format!("`{}`", i.r#ref))
                        .collect::<Vec<_>>()
                        .join(", "),
                    n.acr,
                    n.acr,
                    if crate::arm::Arm::new(spec, plan, n, "").has_jump_box() {
                        " (the jump box is Linux: it can neither build nor pull Windows images)"
                    } else {
                        ""
                    }
                );
            }
            t.push_str(" Pods whose image is missing stay in `ImagePullBackOff`.");
            line(next(t));
        }
    }
    let mut kube = format!(
        "**Kubernetes**: `./deploy.sh k8s` applies `k8s/` (`00-akswin-system.yaml` and the credential specs first) through `az aks command invoke`, since a private cluster's API server answers only inside the network (https://learn.microsoft.com/azure/aks/access-private-cluster). It runs as you: the operator who ran `deploy.sh` and the groups in `cluster.adminGroups` have Azure Kubernetes Service RBAC Cluster Admin on the cluster (Azure RBAC for Kubernetes is on, local accounts are off); `az aks command invoke` itself also needs the management action `Microsoft.ContainerService/managedClusters/runcommand/action` on the cluster (Contributor has it; the operator who deployed does). It stops with kubectl's output when an apply fails (`az aks command invoke` itself exits 0 either way). Verify: `az aks command invoke --resource-group {} --name {} --command 'kubectl get pods -A -o wide'` shows every workload's pods `Running` on their pools. From a machine inside the network, `kubectl apply -f k8s/` does the same once the generated files are there (the credential specs; the SecretProviderClasses `deploy.sh k8s` writes). Workloads run as the Windows user `workloads[].runAs` names (`ContainerUser` by default; an IIS image with a gMSA as `ContainerAdministrator`, with the reason on the pod and its image excluded from the no-ContainerAdministrator and approved-users policies), pinned to their pool by OS, OS SKU and pool labels, behind internal load balancer Services with the planned static IPs.",
        n.rg_spoke, n.cluster
    );
    if !workload_certs.is_empty() {
        let names: Vec<String> = workload_certs
            .iter()
            .map(|(w, _)| format!("`{}`", w.name))
            .collect();
        let _ = write!(
            kube,
            " Certificates ({}): first `deploy.sh k8s` writes `k8s/tls-<workload>.yaml`, each workload's SecretProviderClass, with the client id of the workload's own identity (`id-{}-<workload>`: a federated credential for the workload's service account, Key Vault Secrets User on that certificate alone) and the tenant, which exist only once deployed. The Key Vault CSI driver mounts the certificate with that identity (workload identity) at `C:\\akswin\\tls\\tls.pfx` on Windows (a PFX without a password) or `/akswin/tls/tls.pem` on Linux (the private key and the chain), and `{}` holds the path (https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access). The image imports and binds it when it starts: for IIS, `Import-PfxCertificate -FilePath $env:{} -CertStoreLocation Cert:\\LocalMachine\\My` and an `https` binding on the workload's port with that certificate, before `ServiceMonitor.exe`; ASP.NET Core reads the file itself (`Kestrel__Certificates__Default__Path`). A pod whose certificate is missing from the vault stays in `ContainerCreating` (`kubectl describe pod` shows `FailedMount`). After a renewal the driver refreshes the file (rotation is on, https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options), but IIS keeps the certificate it bound: restart the workload (`kubectl rollout restart deployment/<workload> -n <workload>`).",
            names.join(", "),
            n.prefix,
            crate::k8s::TLS_ENV,
            crate::k8s::TLS_ENV,
        );
    }
    line(next(kube));
    if spec.ingress.app_proxy.enabled {
        let kerberos_gmsa = spec.identity.gmsa.enabled
            && spec.workloads.iter().any(|w| {
                w.auth == akswin_spec::spec::AuthMode::Kerberos && w.gmsa_account.is_some()
            });
        let ad_stage = has_active_directory_stage(spec, plan);
        let rbcd = match (kerberos_gmsa, ad_stage) {
            (false, _) => "",
            (true, true) => {
                " and run `AKSWIN_CONNECTOR_COMPUTERS=<server>,<server> ./deploy.sh active-directory` again with their computer names (`scripts/Set-Gmsa.ps1` registers the internal URL's `HTTP/` SPN on the gMSA and lets the connectors delegate to it: Kerberos single sign-on fails without both)"
            }
            (true, false) => {
                " and run `scripts/Set-Gmsa.ps1 -ConnectorComputers <server>,<server>` again with their computer names (it registers the internal URL's `HTTP/` SPN on the gMSA and lets the connectors delegate to it: Kerberos single sign-on fails without both)"
            }
        };
        let dns_how = if ad_stage {
            "`deploy.sh active-directory` has run `scripts/Set-InternalDnsRecord.ps1`"
        } else {
            "run `scripts/Set-InternalDnsRecord.ps1` on a domain controller"
        };
        // One host name end to end when Front Door has a custom domain in front of the proxy.
        let proxied: Vec<&akswin_plan::ingress::IngressRoute> = plan
            .ingress
            .iter()
            .filter(|r| r.path == akswin_spec::spec::IngressPath::AppProxy)
            .collect();
        let custom: Vec<&str> = proxied
            .iter()
            .filter(|r| r.custom_domain && r.certificate_secret.is_some())
            .map(|r| r.host.as_str())
            .collect();
        let published = if custom.is_empty() {
            " It prints each application's external URL; Front Door's origin is its host."
                .to_string()
        } else {
            let list = custom
                .iter()
                .map(|h| format!("`https://{h}/`"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                " It publishes {list} as the external URLs too (application proxy custom domains, served with the same certificates, read from Front Door's vault: run it from the address that vault admits; the parent domain must be a verified domain of the tenant), so sign-in redirects and cookies stay on the name users browse to, behind Front Door's WAF (https://learn.microsoft.com/entra/identity/app-proxy/how-to-configure-custom-domain). Note the msappproxy.net name Microsoft Entra shows for each: it is Front Door's origin. Public DNS for these names points at Front Door (the endpoint's host name, and the TXT record Front Door asks for to validate the domain), never at msappproxy.net. **Run it again whenever a certificate is renewed in Key Vault**: Front Door follows new versions, the application proxy keeps the copy it was given (the script compares thumbprints and uploads only a new one); akswin does not schedule this yet. Verify: the connector group lists its connectors as Active in the Microsoft Entra admin center (Application proxy), and a test user who browses to the public URL signs in once with Microsoft Entra ID and reaches the application without a second prompt (Kerberos single sign-on through the gMSA)."
            )
        };
        let apps = proxied
            .iter()
            .map(|r| {
                format!(
                    "`{}` for `{}` (`https://{}/`, internal URL `https://{}/` -> {})",
                    r.app_proxy_app.as_deref().unwrap_or_default(),
                    r.workload,
                    r.host,
                    r.internal_host,
                    r.ip.map(|i| i.to_string()).unwrap_or_else(|| "-".into())
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        line(next(format!(
            "**Publish the applications in Microsoft Entra application proxy** (needs directory permissions): install {} connectors in the `appProxyConnectors` subnet{rbcd}; {dns_how} (each internal URL's host, a name in the AD domain apart from the public one, resolves to its workload's internal load balancer address: users who resolve the public name through AD DNS still reach Front Door; the certificate a workload serves must carry its internal host and chain to a root the connector servers trust, because the proxy validates backend certificates); then run `scripts/Publish-AppProxy.ps1 -ConnectorMachineNames <server>,<server>`: one application per workload behind the proxy ({apps}), with pre-authentication, Kerberos constrained delegation, the connector group with those servers' connectors in it, and conditional access.{published}",
            spec.ingress.app_proxy.connectors,
            rbcd = rbcd,
        )));
    }
    if spec.ingress.front_door.is_some() {
        let host_params = arm.front_door_host_parameters();
        let host = if host_params.is_empty() {
            String::new()
        } else {
            format!(
                " with {} set to the msappproxy.net host the previous step printed for each application (a host name such as `legacyweb-contoso.msappproxy.net`; deploy.sh drops a pasted `https://` and path), or set `workloads[].appProxyExternalHost` in the spec and re-render",
                host_params
                    .iter()
                    .map(|r| format!("`{}` ({})", r.external_host_variable(), r.workload))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let routes = plan
            .ingress
            .iter()
            .filter(|r| r.front_door_route.is_some())
            .map(|r| {
                let via = match r.path {
                    akswin_spec::spec::IngressPath::AppProxy => "the application proxy".to_string(),
                    _ => format!(
                        "Private Link to `{}` on {}",
                        r.private_link_service.as_deref().unwrap_or_default(),
                        r.ip.map(|i| i.to_string()).unwrap_or_else(|| "-".into())
                    ),
                };
                let name = if r.custom_domain {
                    format!("`{}`", r.host)
                } else {
                    "the endpoint's azurefd.net name".into()
                };
                format!("{name} to `{}` through {via}", r.workload)
            })
            .collect::<Vec<_>>()
            .join("; ");
        let kv_note = if arm.imports_certificates() {
            format!(
                " The profile gets a system-assigned managed identity with Key Vault Secrets User on each certificate's secret in `{}`, Front Door's own vault (Microsoft's advice: Front Door's certificates apart from other secrets), and on nothing else (the recommended method; the shared Front Door application registration is being retired) and reads the custom domains' certificates with it. `deploy.sh frontdoor` first checks that every certificate is there.",
                n.key_vault_front_door
            )
        } else {
            String::new()
        };
        let approve = if plan
            .ingress
            .iter()
            .any(|r| r.private_link_service.is_some())
        {
            format!(
                " Private Link origins: the Services' Private Link Services (in `{}`) must exist first (`kubectl apply`); deploy.sh checks them, and after the deployment approves Front Door's pending connection on each (only a request carrying this deployment's message; Front Door sends no traffic until it is approved). Deleting or recreating such a Service deletes its Private Link Service and the approved connection with it, and Front Door does not ask again for a resource it already knows (https://learn.microsoft.com/azure/frontdoor/private-link): remove the origin's private link and add it again (or delete the origin and run `./deploy.sh frontdoor`), then approve.",
                n.rg_nodes
            )
        } else {
            String::new()
        };
        line(next(format!(
            "**Deploy Front Door**: `./deploy.sh frontdoor`{host}. Routes: {routes}. Each origin is asked for the name users browse to (origin host header) and has no health probe (one origin per route: Front Door's advice, and pre-authentication would answer a probe with a redirect).{approve}{kv_note} It tries again every minute for up to ten when an attempt fails (Front Door's new role on the certificates can take minutes to apply), and ends by printing the public DNS records to create at your DNS provider for each custom domain: `_dnsauth.<host>` TXT with the domain's validation token, and `<host>` CNAME to the endpoint's host name (an apex domain needs an alias record instead: https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-add-custom-domain). Verify: once the custom domains' DNS points at Front Door, `curl -sI https://<host>/` answers with Front Door's `x-azure-ref` header (a workload behind the application proxy answers with the sign-in redirect), and `az afd custom-domain list --profile-name {} --resource-group {} --query \"[].{{host:hostName, state:domainValidationState}}\" --output table` shows each domain `Approved`.",
            n.front_door, n.rg_shared
        )));
    }
    let node_wf = spec.upgrades.workflow == akswin_spec::spec::UpgradeWorkflow::GithubActions
        && crate::workflows::node_image_upgrade(spec, n).is_some();
    let hot_wf = crate::workflows::hot_spare(spec, n).is_some();
    if node_wf || hot_wf {
        let mut what = Vec::new();
        if node_wf {
            what.push("`node-image-upgrade.yml` upgrades the node images in the maintenance window after Patch Tuesday (control plane first, then the pools, Linux before Windows; it starts each pool's upgrade without waiting and polls it, signing in again with a fresh GitHub OIDC token on every poll, since a federated sign-in cannot be refreshed and a Windows pool's upgrade outlasts one; a pool already on the newest image is left alone); its identity needs Azure Kubernetes Service Contributor Role on the cluster".to_string());
            if let Some(c) = &spec.upgrades.canary_pool {
                what.push(format!("staged: it upgrades the Windows pool `{}` first, waits {} minutes, and upgrades the other Windows pools only when that pool's nodes are Ready, every pod on them runs Ready, every DaemonSet has a Ready pod on each node it wants (a pod the scheduler could not place shows only there) and the Deployments of the workloads pinned to that pool are whole (kubectl through `az aks command invoke`); for that check its identity also needs `runcommand/action` (in the role above) and, with Azure RBAC for Kubernetes, a role with the data actions `Microsoft.ContainerService/managedClusters/nodes/read`, `Microsoft.ContainerService/managedClusters/pods/read`, `Microsoft.ContainerService/managedClusters/apps/daemonsets/read` and `Microsoft.ContainerService/managedClusters/apps/deployments/read` at the cluster (a custom role); when the check fails, the other Windows pools keep their image until the next run", c.pool, c.soak_minutes));
            }
        }
        if hot_wf {
            what.push(String::from("`hot-spare.yml` raises the Windows pool's autoscaler minimum before the peaks, waits until that many Windows nodes are Ready (kubectl through `az aks command invoke`), and lowers it after them. Its identity needs Azure Kubernetes Service Contributor Role on the cluster (node pools, and `runcommand/action` for the wait) and, since Azure RBAC for Kubernetes is on, a role with the data action `Microsoft.ContainerService/managedClusters/nodes/read` at the cluster (a custom role: the built-in RBAC Reader covers namespaced objects, not nodes; https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers); without it the wait stops at once and says so"));
        }
        line(next(format!(
            "**GitHub Actions**: copy `.github/workflows/` into the repository, create a federated credential for it on an identity with rights on the cluster, and set the repository variables `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID` (OIDC: no stored secrets). {}. Both run on ubuntu-latest: the runner's OS does not choose the node image (AKS does). Verify: start each once by hand (`gh workflow run <file>`, the hot spare with `-f action=up`, then `-f action=down`) and read its log: the sign-in, the guard's verdict and, for the hot spare, the Ready count.",
            what.join("; ")
        )));
    }
    if let (Some(hs), Some(docs)) = (
        spec.scaling.hot_spare.as_ref(),
        crate::k8s::hot_spare_placeholders(spec),
    ) {
        let crons = docs.iter().filter(|d| d["kind"] == "CronJob").count();
        line(next(format!(
            "**Hot spare in the cluster** (`k8s/hot-spare.yaml`, applied with the other manifests): the Deployment `{dep}` in `akswin-system` holds pause pods of the negative PriorityClass `akswin-hot-spare` on pool `{pool}`, one per node, each requesting most of a node, so the cluster autoscaler adds a node for each and any real pod preempts them at once. {crons} CronJobs, in each peak's own time zone (`timeZone`; daylight saving is the tz database's), scale it to {spare} replicas `{lead}` minutes before each peak and to 0 when it ends, with the ServiceAccount `akswin-hot-spare`, whose Role may read and scale that Deployment and nothing else; no cloud credential is involved. The CronJobs run `kubectl` from `{img}` (import it with `./deploy.sh images`). Verify: `kubectl create job --from=cronjob/akswin-hot-spare-up-1 hot-spare-test -n akswin-system`, then `kubectl get pods -n akswin-system -o wide` shows {spare} placeholders on separate `{pool}` nodes (Pending until the autoscaler's nodes are Ready), and `kubectl create job --from=cronjob/akswin-hot-spare-down-1 hot-spare-test-down -n akswin-system` removes them. Placeholders that stay Pending with the event `NotTriggerScaleUp` are larger than a new node's free allocatable (AKS's Windows DaemonSets take more than akswin counts): compare with `kubectl describe node` on a `{pool}` node. Mind: `./deploy.sh k8s` (any `kubectl apply` of `k8s/`) during a peak sets the placeholders back to 0 until the next peak; run the up job by hand after it. A run the cluster missed still starts up to 50 minutes late. When real pods preempt placeholders, the placeholders go Pending again and the autoscaler adds nodes for them, up to the pool's `max`: the spare is headroom above the load, so at peak the pool can hold more than `peakNodes`.",
            dep = crate::k8s::hot_spare_deployment(&hs.pool),
            pool = hs.pool,
            spare = hs.peak_nodes.saturating_sub(hs.off_peak_nodes),
            lead = hs.lead_minutes,
            img = hs
                .kubectl_image
                .as_deref()
                .map(|i| crate::k8s::image_ref(spec, i))
                .unwrap_or_default(),
        )));
    }
    {
        let mut vaults = vec![format!("`{}`", n.key_vault)];
        if arm.imports_certificates() {
            vaults.push(format!("`{}`", n.key_vault_front_door));
        }
        line(next(format!(
            "**Close your own access** when the steps above are done: `arm/bootstrap.json` gave you Key Vault Secrets Officer (and Certificates Officer where certificates are imported) on {}, which reads every password and private key there, and nothing takes it away. For each vault and role: `az role assignment delete --assignee <your object id> --role \"Key Vault Secrets Officer\" --scope $(az keyvault show --name <vault> --query id --output tsv)`. Grant it again (`az role assignment create` with the same arguments), or through Privileged Identity Management, for the next rotation or renewal (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).",
            vaults.join(" and ")
        )));
    }
    platform_section(spec, plan, n, &mut line);
    hybrid_section(spec, plan, n, &mut line);
    dns_section(spec, plan, &mut line);
    access_section(spec, plan, n, &mut line);
    monitoring_section(spec, plan, n, &mut line);
    upgrades_section(spec, n, &mut line);
    line("\n## Known limits\n".into());
    line("- The PowerShell scripts cannot be run where akswin is built and tested (no PowerShell there); review them and run them with `-WhatIf` first.".into());
    if spec.identity.gmsa.enabled {
        line("- Any pod can reach the instance metadata service (169.254.169.254) and get tokens for the kubelet identity, which reads the gMSA standard user's secret: that is how gMSA on AKS works (https://learn.microsoft.com/azure/aks/use-group-managed-service-accounts), and AKS's IMDS restriction does not support Windows pools (https://learn.microsoft.com/azure/aks/imds-restriction). A network policy that keeps workload pods away from that address is not rendered yet; keep untrusted workloads off this cluster.".into());
    }
    line(format!(
        "- `{}` allows template deployments, because `arm/main.parameters.json` reads the passwords through Key Vault references: whoever may run `Microsoft.KeyVault/vaults/deploy/action` on it (Owner, Contributor on the vault, its resource group or the subscription) can read any of its secrets through a template of their own (https://learn.microsoft.com/azure/azure-resource-manager/templates/key-vault-parameter). Keep those roles as narrow as the vault's own.",
        n.key_vault
    ));
    if plan
        .ingress
        .iter()
        .any(|r| r.path == akswin_spec::spec::IngressPath::AppProxy)
    {
        line("- The application proxy sends the internal host as the Host header (`isTranslateHostHeaderEnabled`) and translates response headers, not page content: an IIS binding to the public name, or absolute URLs the application builds from the Host header or in JavaScript, break behind it. Bind the site to any host (or the internal one) and use relative links, or set `workloads[].translateHostHeader: false` (https://learn.microsoft.com/entra/identity/app-proxy/application-proxy-configure-hard-coded-link-translation).".into());
    }
    if !plan.addresses.domain_controller_ips.is_empty() {
        line(
            "- While `./deploy.sh domain-controllers` runs, the domain controllers' subnet may reach `AzureCloud` (every Azure public address) on 443, for Run Command's results (the tag Microsoft names: https://learn.microsoft.com/azure/virtual-machines/windows/run-command): the stage deploys that rule (`arm/promotion-egress.json`) first and deletes it when it ends, however it ends. If the machine running it dies mid-stage, delete the rule collection group `promotion` of the firewall policy yourself.".into(),
        );
    }
    let plain: Vec<&str> = plan
        .ingress
        .iter()
        .filter(|r| {
            r.path == akswin_spec::spec::IngressPath::PrivateLink
                && !akswin_spec::spec::port_serves_tls(r.port)
        })
        .map(|r| r.workload.as_str())
        .collect();
    if !plain.is_empty() {
        line(format!(
            "- Front Door reaches {} over plain HTTP through Private Link (the port is not 443 or 8443): the traffic stays on Microsoft's network, but the application sees `http://`. One that signs users in itself (Microsoft Entra ID) must build its redirect URIs with `https://` (pin them, or honour the `X-Forwarded-Proto` header Front Door sends: https://learn.microsoft.com/azure/frontdoor/front-door-http-headers-protocol), or Entra ID refuses the sign-in (https://learn.microsoft.com/entra/identity-platform/reply-url). Serving TLS on 443 in the pod makes the origin HTTPS.",
            plain
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let internal: Vec<String> = plan
        .ingress
        .iter()
        .filter(|r| r.path == akswin_spec::spec::IngressPath::Internal)
        .map(|r| {
            format!(
                "`{}` ({}:{})",
                r.workload,
                r.ip.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                r.port
            )
        })
        .collect();
    if !internal.is_empty() {
        line(format!(
            "- Not published: {}. They are reached from inside the network only (the other workloads, through the internal load balancer address or the Service's cluster DNS name). Nothing on premises reaches the spoke (the firewall refuses it); give a workload a `host` to publish it through Front Door.",
            internal.join(", ")
        ));
    }
    let own: Vec<String> = spec
        .workloads
        .iter()
        .filter(|w| w.serves_tls() && w.certificate.is_none())
        .map(|w| format!("`{}`", w.name))
        .collect();
    if !own.is_empty() {
        line(format!(
            "- {} serve HTTPS with no `certificate` in the spec: the image brings its certificate (ING014). Give each a `certificate` in Key Vault to have it mounted by the Key Vault CSI driver instead.",
            own.join(", ")
        ));
    }
    s
}

/// What reaches the workspace, from where, and the alerts.
fn monitoring_section(spec: &Spec, plan: &NetworkPlan, n: &Names, line: &mut impl FnMut(String)) {
    let arm = Arm::new(spec, plan, n, "");
    line("\n## Monitoring\n".into());
    line(format!(
        "Everything goes to the Log Analytics workspace `{}` ({} days).\n",
        n.law, spec.monitoring.retention_days
    ));
    if spec.monitoring.container_insights {
        line(format!(
            "- **Container insights** (managed identity): the rule `MSCI-{}-{}` with its association on the cluster, as Microsoft's ARM onboarding creates them (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm). Inventory, performance and Kubernetes events from Linux and Windows nodes, and the containers' stdout and stderr in `ContainerLogV2`. IIS and .NET Framework applications write to files and the event log, not stdout: without Microsoft's LogMonitor in the image their logs do not reach it.",
            spec.location, n.cluster
        ));
        let with_logs: Vec<&str> = spec
            .workloads
            .iter()
            .filter(|w| w.os == akswin_spec::spec::Os::Windows && w.logs.is_some())
            .map(|w| w.name.as_str())
            .collect();
        if !with_logs.is_empty() {
            line(format!(
                "- **LogMonitor** (https://learn.microsoft.com/virtualization/windowscontainers/troubleshooting#log-monitor) is the entry point of {}: it starts the image's own command and forwards the event log channels, log files and ETW providers of the workload's `logs` to stdout. Its configuration is the ConfigMap `<workload>-logmonitor`, mounted read-only at `{}`; a change rolls the pods (the template carries its SHA-256). The image must carry `LogMonitor.exe` where `logs.logMonitorPath` says (default `{}`): without it the container cannot start. The workload's `runAs` user must be able to read the sources (ETW sessions need an administrator or Network Service, WRK004; `ContainerAdministrator` is what IIS images need anyway).",
                with_logs
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::k8s::LOG_MONITOR_CONFIG_DIR,
                crate::k8s::LOG_MONITOR_DEFAULT_PATH,
            ));
        }
        if akswin_plan::alerts::canary_enabled(spec) {
            line(format!(
                "- **Windows node canary** (`k8s/windows-canary.yaml`, `monitoring.windows.canary`): a DaemonSet per Windows version in `akswin-system`, a Server Core pod on every Windows node that resolves {} through the cluster DNS every minute and writes one JSON line per name to stdout. Two alerts below read those lines: repeated failures on one node (the Windows DNS known issues), and a Ready Windows node without a canary line (a node that stopped creating or starting pods). Its pod is Ready only while every name resolves (a readiness check each minute, three misses){}. The canary runs as ContainerUser, needs no token and no network but DNS; it takes a quarter core and 512 MiB per Windows node, at the PriorityClass `akswin-canary` (above the workloads', so a full node preempts a pod for it rather than leaving a node unwatched). The silent-node alert stays quiet until the canary has logged somewhere in the last hour (before `deploy.sh k8s` applies it, every node would page). Its DNS path is the cluster's: CoreDNS forwards the AD domain to the DNS server of `gmsaProfile` (one address), so a restart of that domain controller shows here too.",
                akswin_plan::alerts::canary_names(spec)
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if spec.upgrades.canary_pool.is_some() {
                    ", so the staged node image rollout's check (`upgrades.canaryPool`) stops on a node whose DNS fails; a resolver outage on premises (the AD domain's name) stops it too, on purpose"
                } else {
                    ""
                },
            ));
        }
    } else {
        line("- Container insights is off (`monitoring.containerInsights: false`): no inventory, container logs or alerts from the cluster.".into());
    }
    line(format!(
        "- **Diagnostic settings** to the workspace: the cluster's control plane (`{}`, in the resource-specific `AKS*` tables), {}both Key Vaults (audit), the registry, {}the network security groups{} (all logs). Front Door's access and WAF logs are the bulk of it at scale: measure the workspace's `Usage` table and set `cost.logAnalyticsGiBPerDay`.",
        crate::arm::AKS_LOG_CATEGORIES.join("`, `"),
        if spec.network.existing_hub().is_some() {
            // The hub's firewall, Bastion and gateway log where the platform team sends them.
            ""
        } else {
            "the firewall (its structured logs, in the resource-specific `AZFW*` tables), "
        },
        if spec.network.existing_hub().is_some() {
            ""
        } else if arm.has_gateway() {
            "the Bastion host, the VPN or ExpressRoute gateway, "
        } else {
            "the Bastion host, "
        },
        if spec.ingress.front_door.is_some() {
            " and Front Door (`arm/frontdoor.json`)"
        } else {
            ""
        }
    ));
    if arm.monitors_windows_servers() {
        let dcs = spec
            .identity
            .active_directory
            .as_ref()
            .is_some_and(|a| a.creates_dcs())
            && !plan.addresses.domain_controller_ips.is_empty();
        let mut t = format!(
            "- **Windows servers**: the rule `{}` (event logs: {}; counters: {})",
            n.dcr_windows,
            spec.monitoring.windows.event_logs.len(),
            spec.monitoring.windows.performance_counters.len()
        );
        if dcs {
            t.push_str(" is associated with each new domain controller, where the Azure Monitor agent (with the domain controllers' identity) reads it");
        }
        if spec.ingress.app_proxy.enabled {
            t.push_str(&format!("{}. The application proxy connectors are your servers: install the agent and associate them with the rule too (the firewall lets their agent through): `az vm extension set --resource-group <rg> --vm-name <connector> --name AzureMonitorWindowsAgent --publisher Microsoft.Azure.Monitor --enable-auto-upgrade true`, then `az monitor data-collection rule association create --name windows-events-and-counters --rule-id $(az monitor data-collection rule show --resource-group {} --name {} --query id --output tsv) --resource $(az vm show --resource-group <rg> --name <connector> --query id --output tsv)` (https://learn.microsoft.com/azure/azure-monitor/agents/azure-monitor-agent-manage)", if dcs { "" } else { " is rendered for the application proxy connectors" }, n.rg_shared, n.dcr_windows));
        }
        t.push('.');
        line(t);
    }
    line(format!(
        "- The Windows nodes' own event logs (the gMSA plug-in's CCG log among them) are not collected: AKS owns the node scale sets in `{}`, and changing them directly (an agent extension, an association) is not supported (https://learn.microsoft.com/azure/aks/support-policies). Pod events and container logs come through Container insights.",
        n.rg_nodes
    ));
    let alerts = akswin_plan::alerts::windows_alerts(spec);
    if spec.monitoring.container_insights
        && (!alerts.is_empty() || spec.monitoring.alerts.iter().any(|a| a.query.is_some()))
    {
        line(format!(
            "- **Alerts** (log search alert rules on the workspace, in `{}`; each fires when its query returns a row; the tables exist once Container insights has sent data, so query validation is skipped when they are created){}:",
            n.rg_spoke,
            if spec.monitoring.action_groups.is_empty() {
                ". No action group is set (`monitoring.actionGroups`): they show in Azure Monitor's alert list and notify nobody"
            } else {
                ""
            }
        ));
        for a in &alerts {
            line(format!(
                "  - `{}-{}` (severity {}, every {}): {}.\n\n    ```kusto\n{}\n    ```",
                n.prefix,
                a.name,
                a.severity,
                a.frequency,
                a.description,
                a.query
                    .lines()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
        for a in spec.monitoring.alerts.iter().filter(|a| a.query.is_some()) {
            line(format!(
                "  - `{}-{}`: from `monitoring.alerts`.",
                n.prefix,
                akswin_plan::names::k8s_name(&a.name)
            ));
        }
    }
    if akswin_plan::alerts::prometheus_rendered(spec) {
        line(format!(
            "- **Managed Prometheus** (https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm): the Azure Monitor workspace `{}` in `{}`; in `{}` the data collection endpoint `{}` and rule `{}`, associated with the cluster, and the cluster's metrics add-on (`azureMonitorProfile.metrics`: `ama-metrics` pods in `kube-system`, kube-state-metrics included). The add-on reaches the workspace through the firewall's Azure Monitor rules (`*.handler.control.monitor.azure.com` for its configuration, `*.metrics.ingest.monitor.azure.com` for the samples). Query it in the portal (the workspace's Prometheus explorer) or from Grafana with the role Monitoring Data Reader on the workspace. Billing is per sample ingested and queried; akswin does not estimate it.",
            n.monitor_workspace, n.rg_shared, n.rg_spoke, n.dce_prometheus, n.dcr_prometheus
        ));
        let rules = akswin_plan::alerts::windows_prometheus_rules(spec);
        if !rules.is_empty() {
            line(format!(
                "  - **Windows**: `k8s/ama-metrics-settings-configmap.yaml` turns on the add-on's `windowsexporter` and `windowskubeproxy` scrape targets (off by default) and adds the metrics the rules below read to the minimal ingestion profile's keep lists; every other setting keeps its default. The add-on does not install the Windows exporter (https://learn.microsoft.com/azure/azure-monitor/containers/enable-windows-metrics): {} The alert `WindowsExporterNotScraped` below fires when fewer Windows nodes send exporter metrics than the cluster has. The rule groups `akswin-windows-recording-rules-{c}` and `akswin-windows-alerts-{c}` (in `{}`, every minute){}:",
                match spec.monitoring.prometheus.windows_exporter_image.as_deref() {
                    Some(img) => format!("`k8s/windows-exporter.yaml` runs `{}` on every Windows node, a HostProcess container as SYSTEM on the host's network at port {port}, in the namespace `{ns}` that holds nothing else (Microsoft's HostProcess and approved-users policies exclude that namespace, nothing more); its start adds a Windows Firewall rule that lets only the spoke's addresses{pods} reach the port. Only cluster administrators may create pods in `{ns}`: a pod there runs on the host.", akswin_plan::resolve::image_ref(spec, img), port = crate::k8s::WINDOWS_EXPORTER_PORT, ns = crate::k8s::METRICS_NAMESPACE, pods = if spec.network.pod_cidr.is_some() { " and the pod range" } else { "" }),
                    None => "akswin deploys none, because `monitoring.prometheus.windowsExporterImage` is not set (MON005): deploy one as Microsoft's page says, or name the image.".to_string(),
                },
                n.rg_spoke,
                if spec.monitoring.action_groups.is_empty() {
                    "; no action group is set (`monitoring.actionGroups`), so the alerts notify nobody"
                } else {
                    ""
                },
                c = n.cluster,
            ));
            for r in &rules {
                if r.alert {
                    line(format!(
                        "    - alert `{}` (severity {}, for {}): {}.\n\n      ```promql\n      {}\n      ```",
                        r.name, r.severity, r.for_duration, r.description, r.expression
                    ));
                } else {
                    line(format!(
                        "    - `{}`: {}.\n\n      ```promql\n      {}\n      ```",
                        r.name, r.description, r.expression
                    ));
                }
            }
        }
    } else if spec
        .cluster
        .node_pools
        .iter()
        .any(|p| p.os == akswin_spec::spec::Os::Windows)
    {
        line("- Managed Prometheus is off (`monitoring.prometheus.enabled: false`): no Windows node metrics (MON005).".into());
    }
}

/// "month", or "N months".
fn months(n: u32) -> String {
    if n == 1 {
        "month".into()
    } else {
        format!("{n} months")
    }
}

/// A maintenance window in words: "the third Wednesday of every month, 02:00 UTC+00:00, 6 hours".
fn describe_window(w: &akswin_spec::spec::MaintenanceWindow) -> String {
    use akswin_spec::spec::WeekIndex;
    let when = if let Some(r) = &w.schedule.relative_monthly {
        let week = match r.week_index {
            WeekIndex::First => "first",
            WeekIndex::Second => "second",
            WeekIndex::Third => "third",
            WeekIndex::Fourth => "fourth",
            WeekIndex::Last => "last",
        };
        format!(
            "the {week} {} of every {}",
            r.day_of_week.arm_value(),
            months(r.interval_months)
        )
    } else if let Some(a) = &w.schedule.absolute_monthly {
        format!(
            "day {} of every {}",
            a.day_of_month,
            months(a.interval_months)
        )
    } else if let Some(wk) = &w.schedule.weekly {
        format!(
            "every {}{}",
            wk.day_of_week.arm_value(),
            if wk.interval_weeks == 1 {
                String::new()
            } else {
                format!(" ({} weeks apart)", wk.interval_weeks)
            }
        )
    } else {
        "no schedule".into()
    };
    format!(
        "{when}, {} UTC{}, {} hours",
        w.start_time, w.utc_offset, w.duration_hours
    )
}

/// Who upgrades what, and when.
/// How operators reach the API server: `az aks command invoke` always; the jump box when the
/// spec asks for one.
fn access_section(spec: &Spec, plan: &NetworkPlan, n: &Names, line: &mut impl FnMut(String)) {
    if !spec.cluster.private_cluster {
        return;
    }
    line("\n## Access to the cluster\n".into());
    line(format!(
        "- The API server is private: it answers only inside the network (https://learn.microsoft.com/azure/aks/access-private-cluster). Azure RBAC for Kubernetes decides who may do what: the operator who ran `deploy.sh` and the groups in `cluster.adminGroups` have Azure Kubernetes Service RBAC Cluster Admin.\n- **`az aks command invoke`** (always available; `deploy.sh k8s` and the workflows use it): `az aks command invoke --resource-group {rg} --name {cluster} --command 'kubectl get nodes'` runs kubectl in a pod inside the cluster, as you, and needs `Microsoft.ContainerService/managedClusters/runcommand/action` on the cluster. `--file` uploads a file or folder with the command.",
        rg = n.rg_spoke,
        cluster = n.cluster,
    ));
    if Arm::new(spec, plan, n, "").has_jump_box() {
        let ip = plan
            .addresses
            .jump_box_ip
            .map(|i| i.to_string())
            .unwrap_or_default();
        line(format!(
            "- **The jump box** `{vm}` ({ip} in the hub, `cluster.access.path: jumpBox`): Ubuntu without a public address, reached only through Bastion's native client (`{bastion}` has tunneling on) and signed in with Microsoft Entra ID (the `AADSSHLoginForLinux` extension: https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux). Its SSH key is one whose private half `deploy.sh` threw away: nobody holds a key to it, and no password exists. Connect with `az network bastion ssh --name {bastion} --resource-group {rg_hub} --target-resource-id $(az vm show --resource-group {rg_hub} --name {vm} --query id --output tsv) --auth-type AAD` (the `bastion` and `ssh` CLI extensions install on first use). You need Virtual Machine Administrator Login on the VM and Reader on the VM, its NIC and Bastion: `deploy.sh` grants them to the operator, the template to `cluster.adminGroups`. Its CustomScript extension installs the Azure CLI, kubectl and kubelogin (`scripts/jumpbox-init.sh`, run again whenever the script changes; the VM is deployed after the firewall and its rules, and the steps are retried for up to 45 minutes in all; its log is `/var/log/akswin-jumpbox-init.log`). The extension runs again only when the script changes: after fixing what stopped it, `az vm extension set --resource-group {rg_hub} --vm-name {vm} --name CustomScript --publisher Microsoft.Azure.Extensions --force-update` runs it again (https://learn.microsoft.com/azure/virtual-machines/extensions/custom-script-linux). Then: `az login --use-device-code` (the jump box has no browser), `az aks get-credentials --resource-group {rg} --name {cluster}`, `kubelogin convert-kubeconfig -l azurecli`, and `kubectl get nodes`. The firewall lets it reach only its sign-in, the Azure CLI's and Kubernetes' downloads and Ubuntu's updates (rule collection group `jumpbox`); the API server and the vault are reached through their private endpoints. Patches: `AutomaticByPlatform`. Verify: `kubectl get nodes` on the jump box lists every pool's nodes.",
            vm = n.jump_box,
            bastion = n.bastion,
            rg_hub = n.rg_hub,
            rg = n.rg_spoke,
            cluster = n.cluster,
        ));
    } else {
        line("- **A jump box** (`cluster.access.path: jumpBox` with `jumpBox: auto` under `network.hub.subnets`) gives operators an interactive shell in the hub, through Bastion with Microsoft Entra ID sign-in; akswin renders none for this spec.".into());
    }
}

fn upgrades_section(spec: &Spec, n: &Names, line: &mut impl FnMut(String)) {
    use akswin_spec::spec::{ClusterChannel, NodeOsChannel};
    let up = &spec.upgrades;
    line("\n## Upgrades\n".into());
    let channel = match up.cluster_channel {
        ClusterChannel::None => None,
        ClusterChannel::Patch => Some("patch"),
        ClusterChannel::Stable => Some("stable"),
        ClusterChannel::Rapid => Some("rapid"),
    };
    match (channel, &up.cluster_window) {
        (Some(c), Some(w)) => line(format!(
            "- **Kubernetes** (channel `{c}`): AKS upgrades the control plane, then the node pools, in `aksManagedAutoUpgradeSchedule`: {} (https://learn.microsoft.com/azure/aks/auto-upgrade-cluster).",
            describe_window(w)
        )),
        (Some(c), None) => line(format!(
            "- **Kubernetes** (channel `{c}`): AKS upgrades the control plane, then the node pools, at any time (no `upgrades.clusterWindow`)."
        )),
        (None, _) => match &up.canary_pool {
            Some(c) => line(format!(
                "- **Kubernetes**: no auto-upgrade channel, so that a Kubernetes upgrade (which also brings every pool to the newest node image) is staged like the node images: upgrade the control plane first (`az aks upgrade --resource-group {rg} --name {cl} --kubernetes-version <version> --control-plane-only`), then the pools one at a time, the canary `{p}` before the other Windows pools (`az aks nodepool upgrade --resource-group {rg} --cluster-name {cl} --name {p} --kubernetes-version <version>`), and check it as the node image workflow does (its nodes and pods Ready) before the next; before AKS's support for the version ends (https://learn.microsoft.com/azure/aks/upgrade-aks-cluster).",
                rg = n.rg_spoke,
                cl = n.cluster,
                p = c.pool,
            )),
            None => line(format!(
                "- **Kubernetes**: no auto-upgrade channel; upgrade `{}` yourself (`az aks upgrade`), before AKS's support for the version ends.",
                n.cluster
            )),
        },
    }
    match (up.node_os_channel, &up.windows_node_image) {
        (NodeOsChannel::NodeImage | NodeOsChannel::SecurityPatch, Some(w)) => line(format!("- **Node images** (channel `{}`): AKS reimages the nodes, Windows included, in `aksManagedNodeOSUpgradeSchedule`: {}, after Patch Tuesday; no workflow does it (https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image). AKS rolls a month's Windows image out about two weeks after Patch Tuesday, so a monthly window usually applies the newest image then in the region, often the previous month's; a `weekly` schedule takes each new image within a week (https://learn.microsoft.com/azure/aks/planned-maintenance). The alert `{}-windows-node-image-age` fires for a Windows node on an image built more than {} days ago.", up.node_os_channel.arm_value(), describe_window(w), n.prefix, akswin_plan::alerts::IMAGE_AGE_DAYS)),
        (NodeOsChannel::NodeImage | NodeOsChannel::SecurityPatch, None) => line(format!("- **Node images** (channel `{}`): AKS reimages the nodes at any time (no `upgrades.windowsNodeImage`).", up.node_os_channel.arm_value())),
        (_, Some(w)) if up.workflow == akswin_spec::spec::UpgradeWorkflow::GithubActions => line(format!("- **Node images**: `.github/workflows/node-image-upgrade.yml` upgrades them ({}): the control plane first, then the pools, Linux before Windows.", describe_window(w))),
        _ => line("- **Node images**: nothing upgrades them (no node OS channel, no workflow): Windows nodes miss every Patch Tuesday (UPG001).".into()),
    }
}

/// `deploy.sh images`: `az acr import` of every image with a `source`, a management-plane copy
/// that works while the registry is closed to public networks.
fn images_stage(spec: &Spec, n: &Names, s: &mut String) {
    let server = format!("{}.azurecr.io/", n.acr);
    let mut imports = Vec::new();
    let mut none = Vec::new();
    for img in &spec.registry.images {
        match (&img.source, img.r#ref.strip_prefix(&server)) {
            (Some(src), Some(target)) => imports.push(format!(
                "  import_image {} {}",
                shell_quote(src),
                shell_quote(target)
            )),
            _ => none.push(img.r#ref.clone()),
        }
    }
    if imports.is_empty() {
        // Nothing to import: no stage (the README says who pushes the images).
        return;
    }
    let _ = writeln!(s, r#"if [ "$stage" = images ]; then"#);
    {
        let _ = writeln!(
            s,
            r#"  # az acr import copies each image from where it is built into {acr}: a management-plane
  # operation, so it works while the registry is closed to public networks (its layers never
  # pass through this machine). A private source registry outside Azure takes
  # AKSWIN_IMPORT_USERNAME and AKSWIN_IMPORT_PASSWORD; an Azure registry in the same tenant needs
  # only your own pull access to it.
  creds=()
  if [ -n "${{AKSWIN_IMPORT_USERNAME:-}}" ]; then
    creds=(--username "$AKSWIN_IMPORT_USERNAME" --password "${{AKSWIN_IMPORT_PASSWORD:?set AKSWIN_IMPORT_PASSWORD with AKSWIN_IMPORT_USERNAME}}")
  fi
  import_image() {{
    echo "== $2 (from $1)"
    az acr import --name {acr} --source "$1" --image "$2" --force ${{creds[@]+"${{creds[@]}}"}} --output none
  }}
{imports}"#,
            acr = n.acr,
            imports = imports.join("\n"),
        );
    }
    if !none.is_empty() {
        let _ = writeln!(
            s,
            "  echo {}",
            shell_quote(&format!(
                "no source in the spec for {}: push them yourself from inside the network (README)",
                none.join(", ")
            ))
        );
    }
    let _ = writeln!(s, "  echo \"images done\"\n  exit 0\nfi");
}

/// Whether `deploy.sh` has an `active-directory` stage: new domain controllers to run the
/// scripts on, and gMSA or Kerberos-published workloads to run them for.
fn has_active_directory_stage(spec: &Spec, plan: &NetworkPlan) -> bool {
    !plan.addresses.domain_controller_ips.is_empty()
        && (crate::scripts::has_gmsa(spec) || crate::scripts::has_dns_record(spec, plan))
}

/// `deploy.sh active-directory` (new domain controllers, with gMSA or Kerberos-published
/// workloads): Active Directory's part on the first new domain controller through Run Command,
/// `scripts/Set-Gmsa.ps1` (then the credential specs, written here from the domain's forest,
/// GUID and SID it prints) and `scripts/Set-InternalDnsRecord.ps1`.
fn active_directory_stage(spec: &Spec, plan: &NetworkPlan, n: &Names, s: &mut String) {
    let gmsa = crate::scripts::has_gmsa(spec);
    let dns = crate::scripts::has_dns_record(spec, plan);
    let Some(ad) = spec.identity.active_directory.as_ref() else {
        return;
    };
    if !has_active_directory_stage(spec, plan) {
        return;
    }
    let dc = n.dc_vm(0);
    let mut body = String::new();
    if gmsa {
        let secret = spec
            .identity
            .gmsa
            .key_vault_secret
            .as_ref()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        let _ = writeln!(
            body,
            r#"  client_id=$(az identity show --resource-group {rg_shared} --name {id_dc} --query clientId --output tsv)
  kubeletObjectId=$(az identity show --resource-group {rg_shared} --name {id_kubelet} --query principalId --output tsv)
  guid='^[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}}$'
  if ! printf '%s' "$client_id" | grep -Eq "$guid" || ! printf '%s' "$kubeletObjectId" | grep -Eq "$guid"; then
    echo "cannot read {id_dc} and {id_kubelet} in {rg_shared}: deploy arm/main.json first" >&2
    exit 1
  fi
  open_promotion_egress
  echo "== scripts/Set-Gmsa.ps1 on {dc}"
  out=$(az vm run-command invoke --resource-group {rg_hub} --name {dc} --command-id RunPowerShellScript \
    --scripts @scripts/Set-Gmsa.ps1 --parameters "IdentityClientId=$client_id" "KubeletObjectId=$kubeletObjectId" \
    ${{AKSWIN_CONNECTOR_COMPUTERS:+"ConnectorComputers=$AKSWIN_CONNECTOR_COMPUTERS"}} ${{AKSWIN_LAB_KDS_ROOT_KEY:+"KdsRootKey=Lab"}} \
    ${{AKSWIN_RESET_GMSA_PASSWORD:+"StandardUserPassword=Reset"}} \
    --query "value[].message" --output tsv | tr -d '\r')
  printf '%s\n' "$out"
  case "$out" in
    *"akswin: gmsa done"*) ;;
    *"akswin: created the KDS root key"* | *"akswin: the KDS root key is younger"*)
      echo "gMSA needs a KDS root key every domain controller can use: run ./deploy.sh active-directory again after the time above (AKSWIN_LAB_KDS_ROOT_KEY=1 backdates a new key: test forests only)" >&2
      exit 1 ;;
    *) echo "scripts/Set-Gmsa.ps1 did not finish on {dc}: see its output above" >&2; exit 1 ;;
  esac
  # The credential specs, from what only Active Directory and the cluster know (none of it secret).
  facts=$(printf '%s\n' "$out" | sed -n 's/^.*akswin: domain //p' | head -n 1)
  forest=$(printf '%s' "$facts" | sed -n 's/^forest=\([^;]*\);.*$/\1/p')
  domainGuid=$(printf '%s' "$facts" | sed -n 's/^.*;guid=\([^;]*\);.*$/\1/p')
  domainSid=$(printf '%s' "$facts" | sed -n 's/^.*;sid=\([^;]*\)$/\1/p')
  if ! printf '%s' "$forest" | grep -Eq '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$' ||
    ! printf '%s' "$domainGuid" | grep -Eq "$guid" ||
    ! printf '%s' "$domainSid" | grep -Eq '^S-1-5-21(-[0-9]+){{3}}$'; then
    echo "scripts/Set-Gmsa.ps1 returned no usable forest, domain GUID and SID: '$facts'" >&2
    exit 1
  fi"#,
            rg_shared = n.rg_shared,
            rg_hub = n.rg_hub,
            id_dc = n.id_dc,
            id_kubelet = n.id_kubelet,
        );
        for a in &spec.identity.gmsa.accounts {
            let file = crate::k8s::gmsa_credential_spec_file(&a.name);
            let _ = writeln!(
                body,
                "  cat > k8s/{file} <<EOF\n# written by deploy.sh active-directory: {account} in {domain}, read through the kubelet identity {id_kubelet}\n{yaml}EOF\n  echo \"wrote k8s/{file}\"",
                account = a.name,
                domain = ad.domain,
                id_kubelet = n.id_kubelet,
                yaml = crate::k8s::gmsa_credential_spec(
                    &a.name,
                    &ad.domain,
                    &ad.netbios,
                    &n.key_vault,
                    &secret
                ),
            );
        }
    } else {
        body.push_str("  open_promotion_egress\n");
    }
    if dns {
        let _ = writeln!(
            body,
            r#"  echo "== scripts/Set-InternalDnsRecord.ps1 on {dc}"
  out=$(az vm run-command invoke --resource-group {rg_hub} --name {dc} --command-id RunPowerShellScript \
    --scripts @scripts/Set-InternalDnsRecord.ps1 --query "value[].message" --output tsv | tr -d '\r')
  printf '%s\n' "$out"
  case "$out" in
    *"akswin: internal DNS records done"*) ;;
    *) echo "scripts/Set-InternalDnsRecord.ps1 did not finish on {dc}: see its output above" >&2; exit 1 ;;
  esac"#,
            rg_hub = n.rg_hub,
        );
    }
    let _ = writeln!(
        s,
        r#"if [ "$stage" = active-directory ]; then
  # Active Directory's part, on {dc} (the first new domain controller) through Run
  # Command, as SYSTEM (which may change Active Directory on a domain controller):
{gmsa_what}{dns_what}  # Nothing secret passes through this machine.{again}
{body}  echo "Active Directory is ready (README: Kubernetes next)"
  exit 0
fi
"#,
        gmsa_what = if gmsa {
            "  #   scripts/Set-Gmsa.ps1: the gMSA accounts, the standard user (its credential goes to Key\n  #     Vault with the domain controllers' identity), the connectors' delegation; it prints the\n  #     domain's forest, GUID and SID, and the credential specs are written here;\n"
        } else {
            ""
        },
        dns_what = if dns {
            "  #   scripts/Set-InternalDnsRecord.ps1: the internal URLs' A records.\n"
        } else {
            ""
        },
        again = if gmsa && dns {
            " Run it again with\n  # AKSWIN_CONNECTOR_COMPUTERS=<name>,<name> once the application proxy connectors are installed."
        } else {
            ""
        },
    );
}

/// The public DNS records each Front Door custom domain needs, read from the deployed profile:
/// the TXT record that proves the domain (`_dnsauth.<host>`, its validation token) and the
/// CNAME to the endpoint (<https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-add-custom-domain>).
fn front_door_dns_records(spec: &Spec, n: &Names) -> String {
    let Some(fd) = spec.ingress.front_door.as_ref() else {
        return String::new();
    };
    if fd.custom_domains.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n  # The public DNS records (at your DNS provider): Front Door validates each domain by its TXT\n  # record, then serves it once its CNAME points at the endpoint.\n  endpoint=$(az afd endpoint show --resource-group {rg} --profile-name {fd} --endpoint-name {ep} --query hostName --output tsv)\n  echo \"public DNS records to create:\"",
        rg = n.rg_shared,
        fd = n.front_door,
        ep = n.afd_endpoint,
    );
    for d in &fd.custom_domains {
        let _ = write!(
            out,
            "\n  token=$(az afd custom-domain show --resource-group {rg} --profile-name {fd} --custom-domain-name {dn} --query validationProperties.validationToken --output tsv)\n  echo \"  _dnsauth.{host}  TXT    $token\"\n  echo \"  {host}  CNAME  $endpoint\"",
            rg = n.rg_shared,
            fd = n.front_door,
            dn = crate::arm::custom_domain_name(&d.host),
            host = d.host,
        );
    }
    out
}

/// deploy.sh, existing hub: `main` stops after the spoke network, `cluster` goes on once the
/// platform team has deployed arm/hub-side.json (checked when the hub can be read).
fn hub_gate(spec: &Spec, plan: &NetworkPlan, n: &Names) -> String {
    let Some(h) = spec.network.existing_hub() else {
        return String::new();
    };
    let arm = Arm::new(spec, plan, n, "");
    let mut out = format!(
        r#"
# The hub exists (network.hub.existing) and is the platform team's: `main` deploys the shared
# services and the spoke network; `cluster` adds the spoke's peering and the cluster once the
# platform team has deployed arm/hub-side.json (the hub's peering, this spoke's firewall rules,
# the private DNS zones' links, the cluster identity's role on the API server's zone): the
# nodes need the firewall's rules from their first boot.
deploy_cluster=false
if [ "$stage" = cluster ]; then
  deploy_cluster=true
  # hub_side_present ID WHAT: whether the platform team's part is there, when the hub can be read.
  hub_side_present() {{
    if [ -z "$(az resource show --ids "$1" --query id --output tsv 2>"$errfile" || true)" ]; then
      if [ "${{AKSWIN_HUB_SIDE_DEPLOYED:-}}" = 1 ]; then
        echo "note: cannot read $2 (AKSWIN_HUB_SIDE_DEPLOYED=1: going on)"
        return 0
      fi
      cat "$errfile" >&2
      echo "$2 is not there, or you cannot read it: the platform team deploys arm/hub-side.json first (README.md: The platform team's part); if they have and you may not read the hub, run again with AKSWIN_HUB_SIDE_DEPLOYED=1" >&2
      exit 1
    fi
  }}
  hub_side_present {peering} "the hub's peering {peer_name}""#,
        peering = shell_quote(&format!(
            "{}/virtualNetworkPeerings/{}",
            h.vnet_id,
            arm.hub_side_peering()
        )),
        peer_name = arm.hub_side_peering(),
    );
    if let (Some(policy), Some(id)) = (h.firewall_policy(), &h.firewall_policy_id) {
        let _ = write!(
            out,
            r#"
  hub_side_present {rcg} "this spoke's rule collection group {rcg_name} in {policy}"
  # Network rules with FQDNs (the AKS set's NTP, for one) need the policy's DNS proxy; unset
  # means off.
  # shellcheck disable=SC2016 # a JMESPath literal in backticks, not a command
  if proxy=$(az resource show --ids {id} --query 'properties.dnsSettings.enableProxy || `false`' --output tsv 2>"$errfile"); then
    if [ "$(printf '%s' "$proxy" | tr '[:upper:]' '[:lower:]')" != true ]; then
      echo "the firewall policy {policy} has its DNS proxy off: the network rules with FQDNs in {rcg_name} would never match (ask the platform team to turn on dnsSettings.enableProxy)" >&2
      exit 1
    fi
  else
    echo "note: cannot read the firewall policy {policy}: its DNS proxy (which the network rules with FQDNs need) is not checked"
  fi"#,
            rcg = shell_quote(&format!(
                "{id}/ruleCollectionGroups/{}",
                arm.hub_side_rule_collection_group()
            )),
            rcg_name = arm.hub_side_rule_collection_group(),
            policy = policy.name.clone().unwrap_or_default(),
            id = shell_quote(id),
        );
    }
    if let (true, Some(z)) = (spec.cluster.private_cluster, h.zones_group()) {
        let _ = write!(
            out,
            r#"
  # The API server's zone is the landing zone's: with it in another subscription, AKS needs
  # its resource provider registered there too (Learn: private clusters).
  zones_sub={sub}
  if rp=$(az provider show --subscription "$zones_sub" --namespace Microsoft.ContainerService --query registrationState --output tsv 2>"$errfile"); then
    if [ "$rp" != Registered ]; then
      echo "Microsoft.ContainerService is '$rp' in the private DNS zones' subscription $zones_sub: ask the platform team to run az provider register --subscription $zones_sub --namespace Microsoft.ContainerService" >&2
      exit 1
    fi
  else
    echo "note: cannot read subscription $zones_sub: check with the platform team that Microsoft.ContainerService is registered there"
  fi"#,
            sub = shell_quote(&z.subscription),
        );
    }
    out.push_str("\nfi");
    out
}

/// deploy.sh, existing hub: after `main`, what the platform team deploys (with the values it
/// needs); after `cluster`, that the peering is connected.
fn hub_handover(spec: &Spec, n: &Names) -> String {
    let Some(h) = spec.network.existing_hub() else {
        return String::new();
    };
    let hub_sub = h.vnet().map(|r| r.subscription).unwrap_or_default();
    let principal = if spec.cluster.private_cluster {
        format!(
            r#"
  principal=$(az identity show --resource-group {rg_shared} --name {id} --query principalId --output tsv)"#,
            rg_shared = n.rg_shared,
            id = n.id_cluster,
        )
    } else {
        String::new()
    };
    format!(
        r#"if [ "$deploy_cluster" = false ]; then
  subscription=$(az account show --query id --output tsv)
  spoke_id="/subscriptions/$subscription/resourceGroups/{rg_spoke}/providers/Microsoft.Network/virtualNetworks/{vnet_spoke}"{principal}
  echo "the shared services and the spoke network are deployed. Next, the platform team deploys the hub's side"
  echo "(README.md: The platform team's part). Its peering to the spoke needs their deployer to hold"
  echo "Microsoft.Network/virtualNetworks/peer/action on the spoke VNet: grant it first, for example"
  echo "  az role assignment create --assignee <the platform team's deployer> --role \"Network Contributor\" --scope $spoke_id"
  echo "then they run:"
  echo "  az deployment group create --subscription {hub_sub} --resource-group {rg_hub} \\"
  echo "    --name akswin-{prefix}-hub-side --template-file arm/hub-side.json \\"
  echo "    --parameters spokeVnetId=$spoke_id{principal_param}"
  echo "then run: ./deploy.sh cluster"
  exit 0
fi
state=$(az network vnet peering show --resource-group {rg_spoke} --vnet-name {vnet_spoke} --name spoke-to-hub --query peeringState --output tsv)
if [ "$state" != Connected ]; then
  echo "the spoke's peering to the hub is '$state', not Connected: the hub's side (arm/hub-side.json) is missing or was deleted" >&2
  exit 1
fi
"#,
        rg_spoke = n.rg_spoke,
        vnet_spoke = n.vnet_spoke,
        rg_hub = n.rg_hub,
        prefix = n.prefix,
        principal_param = if spec.cluster.private_cluster {
            " clusterPrincipalId=$principal"
        } else {
            ""
        },
    )
}

/// The existing hub's part, for the platform team that owns it (`network.hub.existing`).
fn platform_section(spec: &Spec, plan: &NetworkPlan, n: &Names, line: &mut dyn FnMut(String)) {
    let Some(h) = spec.network.existing_hub() else {
        return;
    };
    let arm = Arm::new(spec, plan, n, "");
    let hub_sub = h.vnet().map(|r| r.subscription).unwrap_or_default();
    let spoke_ranges = plan
        .vnet(akswin_plan::SPOKE)
        .map(|v| {
            v.address_space
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    line("\n## The platform team's part\n".into());
    line(format!(
        "- The hub `{}` (resource group `{}`, subscription `{hub_sub}`, {}) is the platform team's: akswin creates nothing there. The spoke's route table sends 0.0.0.0/0 to its firewall at {}.",
        n.vnet_hub,
        n.rg_hub,
        spec.network
            .hub
            .address_space
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        h.firewall_private_ip
    ));
    line(format!(
        "- `arm/hub-side.json` is what this spoke needs from the hub, for the platform team to review and deploy after `./deploy.sh` (which prints the command with both values): `az deployment group create --subscription {hub_sub} --resource-group {} --name akswin-{}-hub-side --template-file arm/hub-side.json --parameters spokeVnetId=<spoke VNet id>{}`. It holds:",
        n.rg_hub,
        n.prefix,
        if spec.cluster.private_cluster {
            " clusterPrincipalId=<principal id of the cluster identity>"
        } else {
            ""
        }
    ));
    line(format!(
        "  - the hub's peering `{}` to the spoke `{}` ({spoke_ranges}): forwarded traffic allowed{};",
        arm.hub_side_peering(),
        n.vnet_spoke,
        if arm.has_gateway() {
            ", gateway transit allowed (the spoke uses the hub's gateway to reach on-premises)"
        } else {
            ""
        }
    ));
    let fw = &plan.firewall;
    match h.firewall_policy() {
        Some(p) => line(format!(
            "  - the rule collection group `{}` at priority {} in the firewall policy `{}` (resource group `{}`): {} network and {} application rules, every one from this spoke's subnets only (AKS's required egress, Windows Update and the Windows nodes' downloads, Active Directory to the domain controllers, the add-ons, the connectors, and `egress.firewall` additions). The policy's DNS proxy must be on (network rules with FQDNs);",
            arm.hub_side_rule_collection_group(),
            h.rule_collection_group_priority,
            p.name.clone().unwrap_or_default(),
            p.resource_group,
            fw.network_rules.len(),
            fw.application_rules.len(),
        )),
        None => {
            line("  - no firewall rules: `network.hub.existing.firewallPolicyId` is not set (an appliance, or a policy akswin may not write to), so the platform team allows these flows from the spoke on its firewall, and akswin cannot prove them (`akswin check` says which flows depend on it):".into());
            line(String::new());
            line("    | rule | from | to | protocol and port |\n    |---|---|---|---|".into());
            for r in &fw.network_rules {
                let to: Vec<&str> = r
                    .destination_addresses
                    .iter()
                    .chain(&r.destination_fqdns)
                    .map(String::as_str)
                    .collect();
                line(format!(
                    "    | {} | {} | {} | {} {} |",
                    r.name,
                    r.sources.join(", "),
                    to.join(", "),
                    r.protocols.join("/"),
                    r.ports.join(", ")
                ));
            }
            for r in &fw.application_rules {
                let to: Vec<String> = r
                    .fqdns
                    .iter()
                    .cloned()
                    .chain(r.fqdn_tags.iter().map(|t| format!("FQDN tag {t}")))
                    .collect();
                line(format!(
                    "    | {} | {} | {} | {} |",
                    r.name,
                    r.sources.join(", "),
                    to.join(", "),
                    r.protocols
                        .iter()
                        .map(|p| format!("{}:{}", p.protocol, p.port))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            line(String::new());
        }
    }
    let azure_dns = plan.addresses.dns_servers.is_empty();
    let mut zone_parts = Vec::new();
    if azure_dns {
        zone_parts.push("the registry's and the vault's zones' links to the spoke (it asks Azure DNS, which answers only zones linked to it)".to_string());
    }
    if spec.cluster.private_cluster {
        zone_parts.push(format!(
            "Private DNS Zone Contributor for the cluster identity `{}` on `{}`, where AKS writes the API server's record and which AKS links to the spoke itself (https://learn.microsoft.com/azure/aks/private-clusters)",
            n.id_cluster,
            arm.aks_zone()
        ));
    }
    if !zone_parts.is_empty() {
        line(format!(
            "  - in `{}`: {}.",
            h.private_dns_zones,
            zone_parts.join("; ")
        ));
    }
    if !azure_dns {
        line("  - no links of the zones to the spoke: the spoke asks the landing zone's DNS servers, which resolve the zones linked to the hub (a VNet with DNS servers of its own never reads zones linked to it).".into());
    }
    line(format!(
        "- Rights: whoever deploys `hub-side.json` needs `Microsoft.Resources/deployments/write` on each resource group it deploys into (`{}`{}{}: Contributor, or Network Contributor where only network resources change), Network Contributor on the hub VNet and the firewall policy, Private DNS Zone Contributor on the zones{}, a role that may assign roles on the API server's zone (User Access Administrator, or Role Based Access Control Administrator), and `Microsoft.Network/virtualNetworks/peer/action` on the spoke VNet, which the application team grants (`./deploy.sh` prints the command). Whoever runs `deploy.sh` needs `peer/action` on the hub VNet for the spoke's side (https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#permissions), and reading the hub for the checks of `./deploy.sh cluster` (without it, `AKSWIN_HUB_SIDE_DEPLOYED=1` after the platform team confirms).",
        n.rg_hub,
        h.firewall_policy()
            .map(|p| format!(", `{}`", p.resource_group))
            .unwrap_or_default(),
        h.zones_group()
            .map(|z| format!(", `{}`", z.resource_group))
            .unwrap_or_default(),
        if azure_dns {
            ", and `Microsoft.Network/virtualNetworks/join/action` on the spoke VNet for the links"
        } else {
            ""
        }
    ));
    if spec.cluster.private_cluster {
        line("- The private DNS zones' subscription must have the `Microsoft.ContainerService` resource provider registered when it is not the cluster's: AKS writes into a zone of another subscription only then (https://learn.microsoft.com/azure/aks/private-clusters). `./deploy.sh cluster` checks it when it can read that subscription. The API server's zone must be linked to the hub, where the landing zone's DNS answers from.".into());
    }
    line(format!(
        "- Routing in the hub stays the platform team's: traffic from on-premises to {spoke_ranges} must go through the firewall too (a route on the GatewaySubnet's route table, as Azure landing zones' hubs have), or the firewall sees only half of each Active Directory flow and drops it. A hub with Azure Virtual WAN instead of a VNet is not supported."
    ));
}
