#!/usr/bin/env bash
# Deploy the "contoso-legacy" landing zone rendered by akswin (see README.md for every step).
#   ./deploy.sh             1. bootstrap: resource group rg-contoso-legacy-shared and Key Vault kv-contoso-legacy
#                              (reachable from AKSWIN_OPERATOR_IP only)
#                           2. check that the secrets exist in the vault (never reads them)
#                           3. what-if of arm/main.json, then create it (closes the vault)
#   ./deploy.sh frontdoor   4. Front Door, once its origin exists (README.md)
# Needs: az, logged in to the target subscription.
set -euo pipefail
cd "$(dirname "$0")"

location='eastus2'
deployment=akswin-contoso-legacy
stage="${1:-main}"

if [ "$stage" = frontdoor ]; then
  : "${AKSWIN_APP_PROXY_HOST:?set AKSWIN_APP_PROXY_HOST to the external host name of the published application}"
  extra=(--parameters appProxyExternalHost="$AKSWIN_APP_PROXY_HOST")
  az deployment group what-if --resource-group rg-contoso-legacy-shared --template-file arm/frontdoor.json "${extra[@]}"
  az deployment group create --name "$deployment-frontdoor" --resource-group rg-contoso-legacy-shared \
    --template-file arm/frontdoor.json "${extra[@]}" --output none
  echo "Front Door deployed"
  exit 0
fi

if [ "$stage" != main ]; then
  echo "unknown stage $stage (use: main, frontdoor)" >&2
  exit 2
fi
: "${AKSWIN_OPERATOR_IP:?set AKSWIN_OPERATOR_IP to the CIDR you set Key Vault secrets from, e.g. 203.0.113.10/32}"

echo "== 1/3 bootstrap (resource group and Key Vault)"
az group create --name rg-contoso-legacy-shared --location "$location" --output none
az deployment group create --name "$deployment-bootstrap" --resource-group rg-contoso-legacy-shared \
  --template-file arm/bootstrap.json --parameters operatorIpRange="$AKSWIN_OPERATOR_IP" --output none

echo "== 2/3 secrets in kv-contoso-legacy"
missing=0
if ! az keyvault secret show --vault-name kv-contoso-legacy --name 'windows-admin-password' --query id --output none 2>/dev/null; then
  echo "missing secret 'windows-admin-password': Windows node administrator password (14+ characters)"
  echo "  set it with: az keyvault secret set --vault-name kv-contoso-legacy --name 'windows-admin-password' --file <file-with-the-value>"
  missing=1
fi
if ! az keyvault secret show --vault-name kv-contoso-legacy --name 'dc-admin-password' --query id --output none 2>/dev/null; then
  echo "missing secret 'dc-admin-password': domain controller VM administrator password"
  echo "  set it with: az keyvault secret set --vault-name kv-contoso-legacy --name 'dc-admin-password' --file <file-with-the-value>"
  missing=1
fi
if ! az keyvault secret show --vault-name kv-contoso-legacy --name 'dc-dsrm-password' --query id --output none 2>/dev/null; then
  echo "missing secret 'dc-dsrm-password': AD DS safe mode (DSRM) password"
  echo "  set it with: az keyvault secret set --vault-name kv-contoso-legacy --name 'dc-dsrm-password' --file <file-with-the-value>"
  missing=1
fi
if ! az keyvault secret show --vault-name kv-contoso-legacy --name 'gmsa-standard-user' --query id --output none 2>/dev/null; then
  echo "missing secret 'gmsa-standard-user': gMSA standard domain user, DOMAIN\\user:password (read by the kubelet identity)"
  echo "  set it with: az keyvault secret set --vault-name kv-contoso-legacy --name 'gmsa-standard-user' --file <file-with-the-value>"
  missing=1
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
  --template-file arm/main.json --parameters @arm/main.parameters.json --output none
echo "deployed; continue with the next steps in README.md"
