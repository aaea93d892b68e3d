#!/usr/bin/env bash
# Deploy the "contoso-legacy" landing zone rendered by akswin (see README.md for every step).
#   ./deploy.sh             1. bootstrap: resource group rg-contoso-legacy-shared and Key Vault kv-contoso-legacy-x4k9
#                              (reachable from AKSWIN_OPERATOR_IP only)
#                           2. check that the secrets exist in the vault (never reads them)
#                           3. what-if of arm/main.json, then create it (closes the vault)
#                              (the shared services and the spoke network only: the existing
#                              hub's side, arm/hub-side.json, is the platform team's, in between)
#   ./deploy.sh cluster     3b. once hub-side.json is deployed: the spoke's peering and the cluster
#   ./deploy.sh images      import the images from where they are built (registry.images[].source)
#   ./deploy.sh k8s         apply k8s/ through az aks command invoke (private cluster)
#   ./deploy.sh frontdoor   4. Front Door, once its origin exists (README.md)
# Needs: az, logged in to the target subscription.
set -euo pipefail
cd "$(dirname "$0")"

location='eastus2'
deployment=akswin-contoso-legacy
stage="${1:-main}"

if [ "$stage" = frontdoor ]; then
  extra=()
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
  }
  host_param appProxyHostLegacyweb AKSWIN_APP_PROXY_HOST_LEGACYWEB
  if ! az keyvault certificate show --vault-name kvfd-contoso-legacy-x4k9 --name 'legacy-contoso-tls' --query id --output none; then
    echo "the certificate legacy-contoso-tls is not in kvfd-contoso-legacy-x4k9 (or you cannot read it): import it (README step 2), then run this again" >&2
    exit 1
  fi
  az deployment group what-if --resource-group rg-contoso-legacy-shared --template-file arm/frontdoor.json "${extra[@]}"
  # Front Door reads the certificates with its identity, whose role on them this deployment
  # grants: Azure RBAC can take minutes to apply, so a failed attempt is tried again, every
  # minute for up to ten (the last error stays on screen).
  attempt=1
  until az deployment group create --name "$deployment-frontdoor" --resource-group rg-contoso-legacy-shared \
    --template-file arm/frontdoor.json "${extra[@]}" --output none; do
    if [ "$attempt" -ge 10 ]; then
      echo "Front Door did not deploy after $attempt attempts: see the error above" >&2
      exit 1
    fi
    attempt=$((attempt + 1))
    echo "retrying in ${AKSWIN_RETRY_SECONDS:-60} s (attempt $attempt of 10): Front Door's new role on its certificates may not have applied yet" >&2
    sleep "${AKSWIN_RETRY_SECONDS:-60}"
  done
  echo "Front Door deployed"
  # The public DNS records (at your DNS provider): Front Door validates each domain by its TXT
  # record, then serves it once its CNAME points at the endpoint.
  endpoint=$(az afd endpoint show --resource-group rg-contoso-legacy-shared --profile-name afd-contoso-legacy --endpoint-name fde-contoso-legacy --query hostName --output tsv)
  echo "public DNS records to create:"
  token=$(az afd custom-domain show --resource-group rg-contoso-legacy-shared --profile-name afd-contoso-legacy --custom-domain-name legacy-contoso-com --query validationProperties.validationToken --output tsv)
  echo "  _dnsauth.legacy.contoso.com  TXT    $token"
  echo "  legacy.contoso.com  CNAME  $endpoint"
  exit 0
fi

if [ "$stage" = images ]; then
  # az acr import copies each image from where it is built into acrcontosolegacyx4k9: a management-plane
  # operation, so it works while the registry is closed to public networks (its layers never
  # pass through this machine). A private source registry outside Azure takes
  # AKSWIN_IMPORT_USERNAME and AKSWIN_IMPORT_PASSWORD; an Azure registry in the same tenant needs
  # only your own pull access to it.
  creds=()
  if [ -n "${AKSWIN_IMPORT_USERNAME:-}" ]; then
    creds=(--username "$AKSWIN_IMPORT_USERNAME" --password "${AKSWIN_IMPORT_PASSWORD:?set AKSWIN_IMPORT_PASSWORD with AKSWIN_IMPORT_USERNAME}")
  fi
  import_image() {
    echo "== $2 (from $1)"
    az acr import --name acrcontosolegacyx4k9 --source "$1" --image "$2" --force ${creds[@]+"${creds[@]}"} --output none
  }
  import_image 'ghcr.io/prometheus-community/windows-exporter:0.31.3' 'prometheus-community/windows-exporter:0.31.3'
  echo 'no source in the spec for acrcontosolegacyx4k9.azurecr.io/legacy/web:4.8-ltsc2022: push them yourself from inside the network (README)'
  echo "images done"
  exit 0
fi
if [ "$stage" = k8s ]; then
  # The system objects (namespaces, gMSA RBAC) first, then the gMSA credential specs and the
  # certificates' SecretProviderClasses, then the workloads.
  cd k8s
  # The gMSA credential specs carry what only corp.contoso.com and the cluster know: without them
  # the pods that use a gMSA would never start.
  if [ ! -e gmsa-credspec-legacyweb.yaml ]; then
    echo "k8s/gmsa-credspec-legacyweb.yaml is missing: scripts/Set-Gmsa.ps1 writes it (README: gMSA in Active Directory)" >&2
    exit 1
  fi
  # Each certificate is mounted with its workload's own identity (workload identity): its
  # client id and the tenant exist only now, so the SecretProviderClasses are written here.
  tenant_id=$(az account show --query tenantId --output tsv)
  guid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  if ! printf '%s' "$tenant_id" | grep -Eq "$guid"; then
    echo "could not read the tenant id (az account show): '$tenant_id'" >&2
    exit 1
  fi
  # identity_client_id IDENTITY: the client id of a workload's identity (main.json creates it).
  identity_client_id() {
    local id
    id=$(az identity show --resource-group rg-contoso-legacy-shared --name "$1" --query clientId --output tsv)
    if ! printf '%s' "$id" | grep -Eq "$guid"; then
      echo "the identity $1 has no client id ('$id'): deploy arm/main.json first" >&2
      exit 1
    fi
    printf '%s' "$id"
  }
  client_id=$(identity_client_id id-contoso-legacy-legacyweb)
  cat > tls-legacyweb.yaml <<EOF
# written by deploy.sh k8s: the certificate of legacyweb (legacyweb-internal-tls in kv-contoso-legacy-x4k9), mounted with id-contoso-legacy-legacyweb
apiVersion: v1
kind: Namespace
metadata:
  name: legacyweb
  labels:
    app.kubernetes.io/name: legacyweb
    app.kubernetes.io/managed-by: akswin
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: legacyweb-tls
  namespace: legacyweb
  labels:
    app.kubernetes.io/name: legacyweb
    app.kubernetes.io/managed-by: akswin
spec:
  provider: azure
  parameters:
    usePodIdentity: "false"
    clientID: ${client_id}
    tenantID: ${tenant_id}
    keyvaultName: kv-contoso-legacy-x4k9
    objects: |
      array:
        - |
          objectName: legacyweb-internal-tls
          objectType: secret
          objectFormat: pfx
          objectEncoding: base64
          objectAlias: tls.pfx
EOF
  # az aks command invoke exits 0 whatever kubectl did: the remote exit code is in its output.
  # shellcheck disable=SC2016 # expanded by the shell in the cluster, not here
  out=$(az aks command invoke --resource-group rg-contoso-legacy-spoke --name aks-contoso-legacy --file . --command \
    'set -e; kubectl apply -f 00-akswin-system.yaml; for f in gmsa-credspec-*.yaml tls-*.yaml; do if [ -e "$f" ]; then kubectl apply -f "$f"; fi; done; kubectl apply -f .' 2>&1) || true
  printf '%s\n' "$out"
  case "$out" in
    *"exitcode=0"*) echo "manifests applied" ;;
    *) echo "applying the manifests failed (kubectl's output is above)" >&2; exit 1 ;;
  esac
  exit 0
fi

if [ "$stage" != main ] && [ "$stage" != cluster ]; then
  echo "unknown stage $stage (use: main, cluster, images, k8s, frontdoor)" >&2
  exit 2
fi
: "${AKSWIN_OPERATOR_IP:?set AKSWIN_OPERATOR_IP to the CIDR you set Key Vault secrets from, e.g. 203.0.113.10/32}"

echo "== 0/3 preflight (names unique across Azure)"
subscription=$(az account show --query id --output tsv)
for vault in kv-contoso-legacy-x4k9 kvfd-contoso-legacy-x4k9; do
  if [ -n "$(az keyvault list-deleted --resource-type vault --query "[?name=='$vault'].name" --output tsv)" ]; then
    echo "the Key Vault name $vault is held by a deleted vault of this subscription (purge protection keeps it for 90 days): recover it (az keyvault recover --name $vault) or change nameSuffix in the spec and render again" >&2
    exit 2
  fi
  available=$(az rest --method post --url "https://management.azure.com/subscriptions/$subscription/providers/Microsoft.KeyVault/checkNameAvailability?api-version=2026-02-01" \
    --body "{\"name\": \"$vault\", \"type\": \"Microsoft.KeyVault/vaults\"}" --query nameAvailable --output tsv)
  # Taken, and not by this deployment's own group: another vault (of this subscription too,
  # another environment's, say) holds the name, and the deployment would fail.
  if [ "$available" = false ] && ! az keyvault show --name "$vault" --resource-group rg-contoso-legacy-shared --output none 2>/dev/null; then
    echo "the Key Vault name $vault belongs to a vault outside rg-contoso-legacy-shared (another subscription's, another group's, or one deleted): change nameSuffix in the spec and render again" >&2
    exit 2
  fi
done
if [ "$(az acr check-name --name acrcontosolegacyx4k9 --query nameAvailable --output tsv)" = false ] && ! az acr show --name acrcontosolegacyx4k9 --resource-group rg-contoso-legacy-shared --output none 2>/dev/null; then
  echo "the registry name acrcontosolegacyx4k9 belongs to a registry outside rg-contoso-legacy-shared (another subscription's or another group's): change nameSuffix (or registry.name) in the spec and render again" >&2
  exit 2
fi
echo "== 0/3 preflight (resource providers)"
if [ "$(az provider show --namespace Microsoft.PolicyInsights --query registrationState --output tsv 2>/dev/null)" != Registered ]; then
  az provider register --namespace Microsoft.PolicyInsights --wait --output none
fi
echo "== 0/3 preflight (subscription features)"
state=$(az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state --output tsv 2>/dev/null || true)
if [ "$state" != Registered ]; then
  echo "cluster.encryptionAtHost is on but the subscription feature Microsoft.Compute/EncryptionAtHost is '${state:-unknown}'." >&2
  echo "  register it (once per subscription, takes minutes), then run this script again:" >&2
  echo "    az feature register --namespace Microsoft.Compute --name EncryptionAtHost" >&2
  echo "    az feature show --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state" >&2
  echo "    az provider register --namespace Microsoft.Compute" >&2
  exit 1
fi
echo "== 0/3 preflight (the existing gateway)"
gw_subnet=$(az network vnet-gateway show --ids '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/virtualNetworkGateways/vgw-hub-eastus2' --query 'ipConfigurations[0].subnet.id' --output tsv 2>/dev/null || true)
case "$(printf '%s' "$gw_subnet" | tr '[:upper:]' '[:lower:]')" in
  */resourcegroups/rg-connectivity-eastus2/providers/microsoft.network/virtualnetworks/vnet-hub-eastus2/subnets/gatewaysubnet) ;;
  '') echo "note: cannot read the hub's gateway (no read access to the hub?): not checked" ;;
  *)
    echo "network.hybrid.gatewayId: the gateway is not in the GatewaySubnet of vnet-hub-eastus2 in rg-connectivity-eastus2 (its subnet: ${gw_subnet:-not found}); the spoke peering could not use it" >&2
    exit 2 ;;
esac

echo "== 1/3 bootstrap (resource group and Key Vault)"
# The vault uses Azure RBAC: the signed-in user (or AKSWIN_OPERATOR_OBJECT_ID with
# AKSWIN_OPERATOR_PRINCIPAL_TYPE=ServicePrincipal) gets Key Vault Secrets Officer on it.
operator_id="${AKSWIN_OPERATOR_OBJECT_ID:-$(az ad signed-in-user show --query id --output tsv 2>/dev/null || true)}"
operator_type="${AKSWIN_OPERATOR_PRINCIPAL_TYPE:-User}"
if [ -z "$operator_id" ]; then
  echo "note: no operator object id (not signed in as a user, AKSWIN_OPERATOR_OBJECT_ID unset): grant yourself Key Vault Secrets Officer on kv-contoso-legacy-x4k9 before setting secrets"
fi
az group create --name rg-contoso-legacy-shared --location "$location" --output none
az deployment group create --name "$deployment-bootstrap" --resource-group rg-contoso-legacy-shared \
  --template-file arm/bootstrap.json --parameters operatorIpRange="$AKSWIN_OPERATOR_IP" \
  operatorObjectId="$operator_id" operatorPrincipalType="$operator_type" --output none

echo "== 2/3 secrets in kv-contoso-legacy-x4k9"
missing=0
denied=0
# check_secret NAME WHAT [certificate|pfx]: reads metadata only (the secret's name in the
# vault's list, a certificate's content type), never a value.
errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
check_secret() {
  local err found
  if [ -n "${3:-}" ]; then
    if found=$(az keyvault certificate show --vault-name kv-contoso-legacy-x4k9 --name "$1" --query policy.secretProperties.contentType --output tsv --only-show-errors 2>"$errfile"); then
      if [ "$3" = pfx ] && [ "$found" != application/x-pkcs12 ]; then
        echo "certificate '$1' is stored as '$found', but the pods mount it as a PFX: import the PFX file"
        echo "  az keyvault certificate import --vault-name kv-contoso-legacy-x4k9 --name '$1' --file <certificate.pfx>"
        missing=1
      fi
      return 0
    fi
    err=$(cat "$errfile")
  elif found=$(az keyvault secret list --vault-name kv-contoso-legacy-x4k9 --query "[?name=='$1'] | length(@)" --output tsv --only-show-errors 2>"$errfile"); then
    [ "$found" = 1 ] && return 0
    err=SecretNotFound
  else
    err=$(cat "$errfile")
  fi
  case "$err" in
    *ForbiddenByFirewall*|*"Client address is not authorized"*)
      echo "kv-contoso-legacy-x4k9 refuses this machine's address: AKSWIN_OPERATOR_IP must be the address you connect from (run ./deploy.sh again with it)" >&2
      denied=1 ;;
    *SecretNotFound*|*CertificateNotFound*|*"was not found"*)
      echo "missing secret '$1': $2"
      if [ -n "${3:-}" ]; then
        echo "  import it with: az keyvault certificate import --vault-name kv-contoso-legacy-x4k9 --name '$1' --file <certificate.pfx>"
      else
        echo "  set it with: az keyvault secret set --vault-name kv-contoso-legacy-x4k9 --name '$1' --file <file-with-the-value>"
        echo "  (a file with no trailing newline: an editor's or echo's newline becomes part of the password)"
      fi
      missing=1 ;;
    *Forbidden*|*AuthorizationFailed*|*"not authorized"*)
      echo "access denied reading '$1' in kv-contoso-legacy-x4k9: you need Key Vault Secrets Officer on the vault (role assignments take a few minutes to apply)" >&2
      denied=1 ;;
    *)
      echo "could not check secret '$1' in kv-contoso-legacy-x4k9:" >&2
      echo "$err" >&2
      denied=1 ;;
  esac
}
check_secret 'windows-admin-password' 'Windows node administrator password (14+ characters)'
check_secret 'legacyweb-internal-tls' 'TLS certificate legacyweb serves (a Key Vault certificate: PFX with its private key and chain)' pfx
if [ "$denied" -ne 0 ]; then
  echo "fix access to the vault, then run this script again" >&2
  exit 1
fi
if [ "$missing" -ne 0 ]; then
  echo "set the missing secrets, then run this script again" >&2
  exit 1
fi
# The gMSA credential exists only once Active Directory does (scripts/Set-Gmsa.ps1 writes it),
# but the kubelet identity's read access is granted on the secret, which must exist first:
# a placeholder with nothing secret in it.
if [ "$(az keyvault secret list --vault-name kv-contoso-legacy-x4k9 --query "[?name=='gmsa-standard-user'] | length(@)" --output tsv)" != 1 ]; then
  az keyvault secret set --vault-name kv-contoso-legacy-x4k9 --name 'gmsa-standard-user' --value 'placeholder: scripts/Set-Gmsa.ps1 replaces it' --tags akswin=placeholder --output none
  echo "created the placeholder secret 'gmsa-standard-user' (scripts/Set-Gmsa.ps1 replaces it)"
fi

# The hub exists (network.hub.existing) and is the platform team's: `main` deploys the shared
# services and the spoke network; `cluster` adds the spoke's peering and the cluster once the
# platform team has deployed arm/hub-side.json (the hub's peering, this spoke's firewall rules,
# the private DNS zones' links, the cluster identity's role on the API server's zone): the
# nodes need the firewall's rules from their first boot.
deploy_cluster=false
if [ "$stage" = cluster ]; then
  deploy_cluster=true
  # hub_side_present ID WHAT: whether the platform team's part is there, when the hub can be read.
  hub_side_present() {
    if [ -z "$(az resource show --ids "$1" --query id --output tsv 2>"$errfile" || true)" ]; then
      if [ "${AKSWIN_HUB_SIDE_DEPLOYED:-}" = 1 ]; then
        echo "note: cannot read $2 (AKSWIN_HUB_SIDE_DEPLOYED=1: going on)"
        return 0
      fi
      cat "$errfile" >&2
      echo "$2 is not there, or you cannot read it: the platform team deploys arm/hub-side.json first (README.md: The platform team's part); if they have and you may not read the hub, run again with AKSWIN_HUB_SIDE_DEPLOYED=1" >&2
      exit 1
    fi
  }
  hub_side_present '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/virtualNetworks/vnet-hub-eastus2/virtualNetworkPeerings/peer-vnet-contoso-legacy-spoke' "the hub's peering peer-vnet-contoso-legacy-spoke"
  hub_side_present '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/firewallPolicies/afwp-hub-eastus2/ruleCollectionGroups/rcg-contoso-legacy' "this spoke's rule collection group rcg-contoso-legacy in afwp-hub-eastus2"
  # Network rules with FQDNs (the AKS set's NTP, for one) need the policy's DNS proxy; unset
  # means off.
  # shellcheck disable=SC2016 # a JMESPath literal in backticks, not a command
  if proxy=$(az resource show --ids '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-connectivity-eastus2/providers/Microsoft.Network/firewallPolicies/afwp-hub-eastus2' --query 'properties.dnsSettings.enableProxy || `false`' --output tsv 2>"$errfile"); then
    if [ "$(printf '%s' "$proxy" | tr '[:upper:]' '[:lower:]')" != true ]; then
      echo "the firewall policy afwp-hub-eastus2 has its DNS proxy off: the network rules with FQDNs in rcg-contoso-legacy would never match (ask the platform team to turn on dnsSettings.enableProxy)" >&2
      exit 1
    fi
  else
    echo "note: cannot read the firewall policy afwp-hub-eastus2: its DNS proxy (which the network rules with FQDNs need) is not checked"
  fi
  # The API server's zone is the landing zone's: with it in another subscription, AKS needs
  # its resource provider registered there too (Learn: private clusters).
  zones_sub='22222222-2222-2222-2222-222222222222'
  if rp=$(az provider show --subscription "$zones_sub" --namespace Microsoft.ContainerService --query registrationState --output tsv 2>"$errfile"); then
    if [ "$rp" != Registered ]; then
      echo "Microsoft.ContainerService is '$rp' in the private DNS zones' subscription $zones_sub: ask the platform team to run az provider register --subscription $zones_sub --namespace Microsoft.ContainerService" >&2
      exit 1
    fi
  else
    echo "note: cannot read subscription $zones_sub: check with the platform team that Microsoft.ContainerService is registered there"
  fi
fi
echo "== 3/3 main deployment: what-if, then create"
az deployment sub what-if --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json \
  deployCluster="$deploy_cluster"
read -r -p "Deploy these changes? [y/N] " answer
case "$answer" in
  y|Y) ;;
  *) echo "stopped before deploying"; exit 1 ;;
esac
az deployment sub create --name "$deployment" --location "$location" \
  --template-file arm/main.json --parameters @arm/main.parameters.json \
  deployCluster="$deploy_cluster" --output none
if [ "$deploy_cluster" = false ]; then
  subscription=$(az account show --query id --output tsv)
  spoke_id="/subscriptions/$subscription/resourceGroups/rg-contoso-legacy-spoke/providers/Microsoft.Network/virtualNetworks/vnet-contoso-legacy-spoke"
  principal=$(az identity show --resource-group rg-contoso-legacy-shared --name id-contoso-legacy-aks-cluster --query principalId --output tsv)
  echo "the shared services and the spoke network are deployed. Next, the platform team deploys the hub's side"
  echo "(README.md: The platform team's part). Its peering to the spoke needs their deployer to hold"
  echo "Microsoft.Network/virtualNetworks/peer/action on the spoke VNet: grant it first, for example"
  echo "  az role assignment create --assignee <the platform team's deployer> --role \"Network Contributor\" --scope $spoke_id"
  echo "then they run:"
  echo "  az deployment group create --subscription 11111111-1111-1111-1111-111111111111 --resource-group rg-connectivity-eastus2 \\"
  echo "    --name akswin-contoso-legacy-hub-side --template-file arm/hub-side.json \\"
  echo "    --parameters spokeVnetId=$spoke_id clusterPrincipalId=$principal"
  echo "then run: ./deploy.sh cluster"
  exit 0
fi
state=$(az network vnet peering show --resource-group rg-contoso-legacy-spoke --vnet-name vnet-contoso-legacy-spoke --name spoke-to-hub --query peeringState --output tsv)
if [ "$state" != Connected ]; then
  echo "the spoke's peering to the hub is '$state', not Connected: the hub's side (arm/hub-side.json) is missing or was deleted" >&2
  exit 1
fi
# A way in: Azure RBAC for Kubernetes is on and local accounts are off; the operator gets
# Azure Kubernetes Service RBAC Cluster Admin on the cluster (cluster.adminGroups have it from
# the template), so that ./deploy.sh k8s can apply the manifests.
if [ -n "$operator_id" ]; then
  cluster_id=$(az aks show --resource-group rg-contoso-legacy-spoke --name aks-contoso-legacy --query id --output tsv)
  if [ "$(az role assignment list --assignee "$operator_id" --scope "$cluster_id" --role "Azure Kubernetes Service RBAC Cluster Admin" --query 'length(@)' --output tsv)" = 0 ]; then
    az role assignment create --assignee-object-id "$operator_id" --assignee-principal-type "$operator_type" \
      --role "Azure Kubernetes Service RBAC Cluster Admin" --scope "$cluster_id" --output none
  fi
fi
echo "deployed; continue with the next steps in README.md"
