#!/bin/bash
# The jump box of contoso-legacy (vm-contoso-legacy-jumpbox): the Azure CLI, kubectl and kubelogin, installed by its
# CustomScript extension (again whenever this script changes). Its egress goes through the
# hub firewall (the rule collection group jumpbox): the steps are retried for up to 45 minutes
# in all, and apt waits for the package lock. Log: /var/log/akswin-jumpbox-init.log
set -uo pipefail
exec > >(tee -a /var/log/akswin-jumpbox-init.log) 2>&1
export DEBIAN_FRONTEND=noninteractive
apt_get() {
  apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# retry COMMAND...: run it until it succeeds, every 30 seconds, until a deadline 45 minutes
# after the start, shared by every step (the extension itself gives up after 90 minutes).
deadline=$((SECONDS + 2700))
retry() {
  local i=1
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    echo "attempt $i failed: $*; retrying in 30 s"
    i=$((i + 1))
    sleep 30
  done
}

install_azure_cli() {
  apt_get update &&
    apt_get install -y ca-certificates curl gnupg lsb-release &&
    mkdir -p /etc/apt/keyrings &&
    curl -fsSL https://packages.microsoft.com/keys/microsoft.asc | gpg --dearmor --yes -o /etc/apt/keyrings/microsoft.gpg &&
    chmod go+r /etc/apt/keyrings/microsoft.gpg &&
    printf 'Types: deb\nURIs: https://packages.microsoft.com/repos/azure-cli/\nSuites: %s\nComponents: main\nArchitectures: %s\nSigned-by: /etc/apt/keyrings/microsoft.gpg\n' \
      "$(lsb_release -cs)" "$(dpkg --print-architecture)" > /etc/apt/sources.list.d/azure-cli.sources &&
    apt_get update &&
    apt_get install -y azure-cli
}

if retry install_azure_cli && retry az aks install-cli --install-location /usr/local/bin/kubectl --kubelogin-install-location /usr/local/bin/kubelogin; then
  echo "akswin: the jump box is ready (az, kubectl, kubelogin)"
else
  echo "akswin: the tools could not be installed: check the firewall's jumpbox rules" >&2
  exit 1
fi
