#!/usr/bin/env bash
# Deploy the "contoso-legacy" landing zone rendered by akswin (see README.md for every step).
#   ./deploy.sh             1. bootstrap: resource group rg-contoso-legacy-shared and Key Vault kv-contoso-legacy-x4k9
#                              (reachable from AKSWIN_OPERATOR_IP only)
#                           2. check that the secrets exist in the vault (never reads them)
#                           3. what-if of arm/main.json, then create it (closes the vault)
#   ./deploy.sh domain-controllers   promote the new domain controllers (README.md)
#   ./deploy.sh active-directory     gMSA and the internal DNS records, on the first new DC
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

# Run Command returns each script's results over 443 to Azure's public addresses: the firewall
# lets the domain controllers out there only while a stage that runs scripts on them runs
# (arm/promotion-egress.json), and the rule is removed when the stage ends, however it ends.
open_promotion_egress() {
  local subscription
  subscription=$(az account show --query id --output tsv)
  promotion_rules="/subscriptions/$subscription/resourceGroups/rg-contoso-legacy-hub/providers/Microsoft.Network/firewallPolicies/afwp-contoso-legacy/ruleCollectionGroups/promotion"
  trap close_promotion_egress EXIT
  az deployment group create --name "$deployment-promotion-egress" --resource-group rg-contoso-legacy-hub \
    --template-file arm/promotion-egress.json --output none
}
# shellcheck disable=SC2317 # called by the EXIT trap
close_promotion_egress() {
  if ! az resource delete --ids "$promotion_rules" --output none; then
    echo "could not remove the promotion's firewall rules: az resource delete --ids $promotion_rules" >&2
  fi
}

if [ "$stage" = domain-controllers ]; then
  # Promote each new domain controller in turn (scripts/Install-DomainController.ps1 through Run
  # Command). The script reads the passwords from Key Vault with the DCs' own identity: none
  # passes through this machine.
  status=$(az network vpn-connection show --resource-group rg-contoso-legacy-hub --name con-contoso-legacy-onprem --query connectionStatus --output tsv)
  if [ "$status" != Connected ]; then
    echo "the VPN connection con-contoso-legacy-onprem is '$status', not Connected: the replicas reach the existing domain over it (README: Connect on-premises)" >&2
    exit 1
  fi
  client_id=$(az identity show --resource-group rg-contoso-legacy-shared --name id-contoso-legacy-dc --query clientId --output tsv)
  open_promotion_egress
  run_script() {
    az vm run-command invoke --resource-group rg-contoso-legacy-hub --name "$1" --command-id RunPowerShellScript \
      --scripts @scripts/Install-DomainController.ps1 --parameters "Role=$2" "IdentityClientId=$client_id" "Mode=$3" ${AKSWIN_AD_SITE_LINK:+"SiteLink=$AKSWIN_AD_SITE_LINK"} \
      --query "value[].message" --output tsv
  }
  # promote VM ROLE: promote, restart the VM from here (a restart inside Run Command would
  # leave the command hanging), wait for its agent, then verify the domain controller (AD
  # services up, its SRV record answered) before the next DC may use it.
  promote() {
    local out status
    echo "== $1 ($2)"
    out=$(run_script "$1" "$2" Promote)
    printf '%s\n' "$out"
    case "$out" in
      *"akswin: already a domain controller"*) return 0 ;;
      *"akswin: promoted"*) ;;
      *) echo "the promotion of $1 did not finish: see its output above" >&2; exit 1 ;;
    esac
    az vm restart --resource-group rg-contoso-legacy-hub --name "$1" --output none
    for _ in $(seq 1 40); do
      status=$(az vm get-instance-view --resource-group rg-contoso-legacy-hub --name "$1" \
        --query "instanceView.vmAgent.statuses[0].displayStatus" --output tsv 2>/dev/null || true)
      if [ "$status" = Ready ]; then
        out=$(run_script "$1" "$2" Verify 2>&1 || true)
        case "$out" in
          *"akswin: already a domain controller"*) echo "$1 is a domain controller"; return 0 ;;
        esac
      fi
      sleep "${AKSWIN_POLL_SECONDS:-15}"
    done
    printf '%s\n' "$out" >&2
    echo "$1 did not come back as a working domain controller after its restart: check it over Bastion" >&2
    exit 1
  }
  promote contosolegdc1 Replica
  promote contosolegdc2 Replica
  echo "domain controllers promoted (each restarts to finish; the next waits for the domain)"
  exit 0
fi

if [ "$stage" = active-directory ]; then
  # Active Directory's part, on contosolegdc1 (the first new domain controller) through Run
  # Command, as SYSTEM (which may change Active Directory on a domain controller):
  #   scripts/Set-Gmsa.ps1: the gMSA accounts, the standard user (its credential goes to Key
  #     Vault with the domain controllers' identity), the connectors' delegation; it prints the
  #     domain's forest, GUID and SID, and the credential specs are written here;
  #   scripts/Set-InternalDnsRecord.ps1: the internal URLs' A records.
  # Nothing secret passes through this machine. Run it again with
  # AKSWIN_CONNECTOR_COMPUTERS=<name>,<name> once the application proxy connectors are installed.
  client_id=$(az identity show --resource-group rg-contoso-legacy-shared --name id-contoso-legacy-dc --query clientId --output tsv)
  kubeletObjectId=$(az identity show --resource-group rg-contoso-legacy-shared --name id-contoso-legacy-aks-kubelet --query principalId --output tsv)
  guid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  if ! printf '%s' "$client_id" | grep -Eq "$guid" || ! printf '%s' "$kubeletObjectId" | grep -Eq "$guid"; then
    echo "cannot read id-contoso-legacy-dc and id-contoso-legacy-aks-kubelet in rg-contoso-legacy-shared: deploy arm/main.json first" >&2
    exit 1
  fi
  open_promotion_egress
  echo "== scripts/Set-Gmsa.ps1 on contosolegdc1"
  out=$(az vm run-command invoke --resource-group rg-contoso-legacy-hub --name contosolegdc1 --command-id RunPowerShellScript \
    --scripts @scripts/Set-Gmsa.ps1 --parameters "IdentityClientId=$client_id" "KubeletObjectId=$kubeletObjectId" \
    ${AKSWIN_CONNECTOR_COMPUTERS:+"ConnectorComputers=$AKSWIN_CONNECTOR_COMPUTERS"} ${AKSWIN_LAB_KDS_ROOT_KEY:+"KdsRootKey=Lab"} \
    ${AKSWIN_RESET_GMSA_PASSWORD:+"StandardUserPassword=Reset"} \
    --query "value[].message" --output tsv | tr -d '\r')
  printf '%s\n' "$out"
  case "$out" in
    *"akswin: gmsa done"*) ;;
    *"akswin: created the KDS root key"* | *"akswin: the KDS root key is younger"*)
      echo "gMSA needs a KDS root key every domain controller can use: run ./deploy.sh active-directory again after the time above (AKSWIN_LAB_KDS_ROOT_KEY=1 backdates a new key: test forests only)" >&2
      exit 1 ;;
    *) echo "scripts/Set-Gmsa.ps1 did not finish on contosolegdc1: see its output above" >&2; exit 1 ;;
  esac
  # The credential specs, from what only Active Directory and the cluster know (none of it secret).
  facts=$(printf '%s\n' "$out" | sed -n 's/^.*akswin: domain //p' | head -n 1)
  forest=$(printf '%s' "$facts" | sed -n 's/^forest=\([^;]*\);.*$/\1/p')
  domainGuid=$(printf '%s' "$facts" | sed -n 's/^.*;guid=\([^;]*\);.*$/\1/p')
  domainSid=$(printf '%s' "$facts" | sed -n 's/^.*;sid=\([^;]*\)$/\1/p')
  if ! printf '%s' "$forest" | grep -Eq '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$' ||
    ! printf '%s' "$domainGuid" | grep -Eq "$guid" ||
    ! printf '%s' "$domainSid" | grep -Eq '^S-1-5-21(-[0-9]+){3}$'; then
    echo "scripts/Set-Gmsa.ps1 returned no usable forest, domain GUID and SID: '$facts'" >&2
    exit 1
  fi
  cat > k8s/gmsa-credspec-legacyweb.yaml <<EOF
# written by deploy.sh active-directory: legacyweb in corp.contoso.com, read through the kubelet identity id-contoso-legacy-aks-kubelet
apiVersion: windows.k8s.io/v1
kind: GMSACredentialSpec
metadata:
  name: legacyweb
credspec:
  ActiveDirectoryConfig:
    GroupManagedServiceAccounts:
    - Name: legacyweb
      Scope: CORP
    - Name: legacyweb
      Scope: corp.contoso.com
    HostAccountConfig:
      PluginGUID: "{CCC2A336-D7F3-4818-A213-272B7924213E}"
      PortableCcgVersion: "1"
      PluginInput: >-
        ObjectId=${kubeletObjectId};SecretUri=https://kv-contoso-legacy-x4k9.vault.azure.net/secrets/gmsa-standard-user
  CmsPlugins:
  - ActiveDirectory
  DomainJoinConfig:
    DnsName: corp.contoso.com
    DnsTreeName: ${forest}
    Guid: ${domainGuid}
    MachineAccountName: legacyweb
    NetBiosName: CORP
    Sid: ${domainSid}
EOF
  echo "wrote k8s/gmsa-credspec-legacyweb.yaml"
  echo "== scripts/Set-InternalDnsRecord.ps1 on contosolegdc1"
  out=$(az vm run-command invoke --resource-group rg-contoso-legacy-hub --name contosolegdc1 --command-id RunPowerShellScript \
    --scripts @scripts/Set-InternalDnsRecord.ps1 --query "value[].message" --output tsv | tr -d '\r')
  printf '%s\n' "$out"
  case "$out" in
    *"akswin: internal DNS records done"*) ;;
    *) echo "scripts/Set-InternalDnsRecord.ps1 did not finish on contosolegdc1: see its output above" >&2; exit 1 ;;
  esac
  echo "Active Directory is ready (README: Kubernetes next)"
  exit 0
fi

if [ "$stage" = images ]; then
  # az acr import copies each image from where it is built into contosoacr: a management-plane
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
    az acr import --name contosoacr --source "$1" --image "$2" --force ${creds[@]+"${creds[@]}"} --output none
  }
  import_image 'contosobuild.azurecr.io/legacy/web:4.8-ltsc2022' 'legacy/web:4.8-ltsc2022'
  import_image 'ghcr.io/prometheus-community/windows-exporter:0.31.3' 'prometheus-community/windows-exporter:0.31.3'
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
    echo "k8s/gmsa-credspec-legacyweb.yaml is missing: ./deploy.sh active-directory (or scripts/Set-Gmsa.ps1 by hand) writes it (README: gMSA in Active Directory)" >&2
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
  client_id=$(identity_client_id id-contoso-legacy-legacyweb-canary)
  cat > tls-legacyweb-canary.yaml <<EOF
# written by deploy.sh k8s: the certificate of legacyweb-canary (legacyweb-internal-tls in kv-contoso-legacy-x4k9), mounted with id-contoso-legacy-legacyweb-canary
apiVersion: v1
kind: Namespace
metadata:
  name: legacyweb-canary
  labels:
    app.kubernetes.io/name: legacyweb-canary
    app.kubernetes.io/managed-by: akswin
---
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: legacyweb-canary-tls
  namespace: legacyweb-canary
  labels:
    app.kubernetes.io/name: legacyweb-canary
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

if [ "$stage" != main ]; then
  echo "unknown stage $stage (use: main, domain-controllers, active-directory, images, k8s, frontdoor)" >&2
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
if [ "$(az acr check-name --name contosoacr --query nameAvailable --output tsv)" = false ] && ! az acr show --name contosoacr --resource-group rg-contoso-legacy-shared --output none 2>/dev/null; then
  echo "the registry name contosoacr belongs to a registry outside rg-contoso-legacy-shared (another subscription's or another group's): change nameSuffix (or registry.name) in the spec and render again" >&2
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
check_secret 'dc-admin-password' 'domain controller VM administrator password (for a new forest, also the domain administrator'\''s)'
check_secret 'dc-dsrm-password' 'AD DS safe mode (DSRM) password'
check_secret 'ad-join-credential' 'user@domain:password (or DOMAIN\user:password) of an account that may add domain controllers to the existing domain (Domain Admins; Enterprise Admins too, or the AD site, its subnets and its site link created beforehand); remove or rotate it after promotion'
check_secret 'vpn-shared-key' 'IPsec pre-shared key of the VPN connection (the same key on the on-premises device)'
check_secret 'legacyweb-internal-tls' 'TLS certificate legacyweb serves (a Key Vault certificate: PFX with its private key and chain)' pfx
check_secret 'legacyweb-internal-tls' 'TLS certificate legacyweb-canary serves (a Key Vault certificate: PFX with its private key and chain)' pfx
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
fw_ip=$(az resource show --resource-group 'rg-contoso-legacy-hub' --name 'afw-contoso-legacy' --resource-type Microsoft.Network/azureFirewalls \
  --query 'properties.ipConfigurations[0].properties.privateIPAddress' --output tsv)
if [ "$fw_ip" != '10.200.0.4' ]; then
  echo "the firewall's private address is '$fw_ip', but the route tables send traffic to '10.200.0.4':" >&2
  echo "  set the routes' next hop to '$fw_ip' (or report this to akswin with the spec)" >&2
  exit 1
fi
echo "deployed; continue with the next steps in README.md"
