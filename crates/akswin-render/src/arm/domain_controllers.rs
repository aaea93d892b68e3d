//! New Active Directory domain controller VMs in the hub, prepared by a VM extension (data
//! disk, AD DS and DNS roles). Their promotion is `scripts/Install-DomainController.ps1`,
//! which `deploy.sh domain-controllers` runs on each through Run Command: it reads the
//! passwords from Key Vault with the domain controllers' own identity, so no password is in
//! a template, an extension's settings or a command line.

use super::*;
use akswin_spec::spec::AdMode;

impl Arm<'_> {
    pub(super) fn domain_controllers(&self, dc: &SubnetPlan, vnet_id: &Expr) -> Vec<Value> {
        let n = self.n;
        let ad = self.spec.identity.active_directory.as_ref();
        let mode = ad.map_or(AdMode::NewForest, |a| a.mode());
        let existing: Vec<String> = ad
            .and_then(|a| a.domain_controllers.existing.as_ref())
            .map(|e| e.dns_servers.iter().map(|i| i.to_string()).collect())
            .unwrap_or_default();
        let mut res = Vec::new();
        for (i, ip) in self.plan.addresses.domain_controller_ips.iter().enumerate() {
            let vm = n.dc_vm(i as u32);
            let dc_identity = format!(
                "[resourceId(subscription().subscriptionId, '{}', 'Microsoft.ManagedIdentity/userAssignedIdentities', '{}')]",
                n.rg_shared, n.id_dc
            );
            let nic = format!("nic-{vm}");
            // A new forest's first DC resolves through Azure DNS until it is promoted; the
            // others must find the domain, so they ask the first DC, then themselves once
            // promoted (a partner first, itself second). Replicas ask the existing domain
            // controllers first (on premises, over the hybrid link), then themselves.
            let dc_dns: Vec<String> = match (mode, i) {
                (AdMode::Replica, _) => existing.iter().cloned().chain([ip.to_string()]).collect(),
                (_, 0) => Vec::new(),
                _ => self
                    .plan
                    .addresses
                    .domain_controller_ips
                    .first()
                    .map(|d| vec![d.to_string(), ip.to_string()])
                    .unwrap_or_default(),
            };
            let mut nic_resource =
                self.hub_static_nic(&nic, &ip.to_string(), &dc.azure_name, vnet_id);
            nic_resource["properties"]["enableAcceleratedNetworking"] = json!(true);
            nic_resource["properties"]["dnsSettings"] = json!({ "dnsServers": dc_dns });
            res.push(nic_resource);
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": API_COMPUTE,
                "name": vm,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "zones": [ ((i % 3) + 1).to_string() ],
                // Its own identity (no system-assigned one: IMDS then has exactly one to give) reads
                // the promotion secrets and nothing else.
                "identity": { "type": "UserAssigned", "userAssignedIdentities": { dc_identity.clone(): {} } },
                "properties": {
                    "hardwareProfile": { "vmSize": "[parameters('dcVmSize')]" },
                    "osProfile": {
                        "computerName": vm,
                        "adminUsername": "akswindcadmin",
                        "adminPassword": "[parameters('dcAdminPassword')]",
                        "windowsConfiguration": { "enableAutomaticUpdates": true, "provisionVMAgent": true, "patchSettings": { "patchMode": "AutomaticByPlatform" } },
                        "allowExtensionOperations": true,
                    },
                    "storageProfile": {
                        "imageReference": { "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition", "version": "latest" },
                        "osDisk": { "createOption": "FromImage", "managedDisk": { "storageAccountType": "Premium_LRS" }, "caching": "ReadWrite" },
                        "dataDisks": [ { "lun": 0, "createOption": "Empty", "diskSizeGB": 32, "caching": "None", "managedDisk": { "storageAccountType": "Premium_LRS" } } ],
                    },
                    "networkProfile": { "networkInterfaces": [ { "id": rid("Microsoft.Network/networkInterfaces", &nic) } ] },
                    "securityProfile": { "securityType": "TrustedLaunch", "uefiSettings": { "secureBootEnabled": true, "vTpmEnabled": true }, "encryptionAtHost": self.spec.cluster.encryption_at_host },
                    "diagnosticsProfile": { "bootDiagnostics": { "enabled": true } },
                },
                "dependsOn": [rid("Microsoft.Network/networkInterfaces", &nic)],
            }));
            // Preparation only: the data disk for the directory and the AD DS and DNS roles.
            // Nothing secret, so the command may be seen; promotion is a later step.
            let command = "powershell -ExecutionPolicy Bypass -Command \"Get-Disk | Where-Object PartitionStyle -eq 'RAW' | Select-Object -First 1 | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -DriveLetter F -UseMaximumSize | Format-Volume -FileSystem NTFS -Confirm:$false; Install-WindowsFeature AD-Domain-Services,DNS -IncludeManagementTools\"";
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/prepare-adds"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Compute",
                    "type": "CustomScriptExtension",
                    "typeHandlerVersion": "1.10",
                    "autoUpgradeMinorVersion": true,
                    "settings": { "commandToExecute": command },
                },
                "dependsOn": [rid("Microsoft.Compute/virtualMachines", &vm)],
            }));
            // The Azure Monitor agent (with the DCs' own identity) and the Windows rule: their
            // event logs and counters reach the workspace. After the preparation: a VM runs
            // one extension operation at a time.
            if !self.monitors_windows_servers() {
                continue;
            }
            let vm_id = rid("Microsoft.Compute/virtualMachines", &vm);
            let prepare = expr::resource_id(
                "Microsoft.Compute/virtualMachines/extensions",
                &[&vm, "prepare-adds"],
            );
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/AzureMonitorWindowsAgent"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Azure.Monitor",
                    "type": "AzureMonitorWindowsAgent",
                    "typeHandlerVersion": "1.0",
                    "autoUpgradeMinorVersion": true,
                    "enableAutomaticUpgrade": true,
                    "settings": { "authentication": { "managedIdentity": {
                        "identifier-name": "mi_res_id",
                        "identifier-value": dc_identity,
                    } } },
                },
                "dependsOn": [vm_id.clone(), prepare],
            }));
            res.push(json!({
                "type": "Microsoft.Insights/dataCollectionRuleAssociations",
                "apiVersion": API_DCR,
                "name": "windows-events-and-counters",
                "scope": vm_id,
                "properties": {
                    "dataCollectionRuleId": self.dcr_windows_id(),
                    "description": "Windows event logs and performance counters: the Azure Monitor agent on this domain controller reads this rule (akswin)",
                },
                "dependsOn": [vm_id.clone()],
            }));
        }
        res
    }

    /// A network interface with a static address in a hub subnet (the domain controllers', the
    /// jump box's).
    pub(super) fn hub_static_nic(
        &self,
        name: &str,
        ip: &str,
        subnet: &str,
        vnet_id: &Expr,
    ) -> Value {
        json!({
            "type": "Microsoft.Network/networkInterfaces",
            "apiVersion": API_NETWORK,
            "name": name,
            "location": "[resourceGroup().location]",
            "tags": self.tags(),
            "properties": {
                "ipConfigurations": [ {
                    "name": "ipconfig1",
                    "properties": {
                        "privateIPAllocationMethod": "Static",
                        "privateIPAddress": ip,
                        "subnet": { "id": expr::resource_id("Microsoft.Network/virtualNetworks/subnets", &[&self.n.vnet_hub, subnet]).template() },
                    }
                } ],
            },
            "dependsOn": [vnet_id],
        })
    }
}
