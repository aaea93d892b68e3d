//! New Active Directory domain controller VMs in the hub, promoted by a VM extension.

use super::*;

impl Arm<'_> {
    pub(super) fn domain_controllers(&self, dc: &SubnetPlan, vnet_id: &Expr) -> Vec<Value> {
        let n = self.n;
        let ad = self.spec.identity.active_directory.as_ref();
        let domain = ad.map(|a| a.domain.clone()).unwrap_or_default();
        let netbios = ad.map(|a| a.netbios.clone()).unwrap_or_default();
        let mut res = Vec::new();
        for (i, ip) in self.plan.addresses.domain_controller_ips.iter().enumerate() {
            let vm = n.dc_vm(i as u32);
            let nic = format!("nic-{vm}");
            res.push(json!({
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": API_NETWORK,
                "name": nic,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "properties": {
                    "ipConfigurations": [ {
                        "name": "ipconfig1",
                        "properties": {
                            "privateIPAllocationMethod": "Static",
                            "privateIPAddress": ip.to_string(),
                            "subnet": { "id": expr::resource_id("Microsoft.Network/virtualNetworks/subnets", &[&n.vnet_hub, &dc.azure_name]).template() },
                        }
                    } ],
                    "enableAcceleratedNetworking": true,
                    // the first DC resolves through Azure DNS until it is promoted; the others
                    // must find the domain, so they ask the first DC, then themselves once
                    // promoted (the usual DC order: a partner first, itself second)
                    "dnsSettings": { "dnsServers": if i == 0 { Vec::new() } else { self.plan.addresses.domain_controller_ips.first().map(|d| vec![d.to_string(), ip.to_string()]).unwrap_or_default() } },
                },
                "dependsOn": [vnet_id],
            }));
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": API_COMPUTE,
                "name": vm,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                "zones": [ ((i % 3) + 1).to_string() ],
                "identity": { "type": "SystemAssigned" },
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
            // Promotion: the first DC creates the forest, the others join it. The DSRM password
            // is only ever in protectedSettings (encrypted, never returned by ARM).
            // Idempotent: a machine that is already a domain controller (DomainRole 4 or 5) is
            // left alone when the extension runs again.
            let first_dc = self
                .plan
                .addresses
                .domain_controller_ips
                .first()
                .map(|i| i.to_string())
                .unwrap_or_default();
            let script = if i == 0 {
                format!(
                    "powershell -ExecutionPolicy Bypass -Command \"if ((Get-CimInstance Win32_ComputerSystem).DomainRole -ge 4) {{ exit 0 }}; Get-Disk | Where-Object PartitionStyle -eq 'RAW' | Select-Object -First 1 | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -DriveLetter F -UseMaximumSize | Format-Volume -FileSystem NTFS -Confirm:$false; Install-WindowsFeature AD-Domain-Services,DNS -IncludeManagementTools; Set-DnsServerForwarder -IPAddress 168.63.129.16; Install-ADDSForest -DomainName '{domain}' -DomainNetbiosName '{netbios}' -DatabasePath F:\\NTDS -LogPath F:\\NTDS -SysvolPath F:\\SYSVOL -InstallDns -Force -NoRebootOnCompletion -SafeModeAdministratorPassword (ConvertTo-SecureString '__DSRM__' -AsPlainText -Force); shutdown.exe /r /t 120 /c 'akswin: AD DS promotion'\""
                )
            } else {
                format!(
                    "powershell -ExecutionPolicy Bypass -Command \"if ((Get-CimInstance Win32_ComputerSystem).DomainRole -ge 4) {{ exit 0 }}; Get-Disk | Where-Object PartitionStyle -eq 'RAW' | Select-Object -First 1 | Initialize-Disk -PartitionStyle GPT -PassThru | New-Partition -DriveLetter F -UseMaximumSize | Format-Volume -FileSystem NTFS -Confirm:$false; Install-WindowsFeature AD-Domain-Services,DNS -IncludeManagementTools; Set-DnsServerForwarder -IPAddress 168.63.129.16; $deadline = (Get-Date).AddMinutes(45); while (-not ((Resolve-DnsName -Name '_ldap._tcp.dc._msdcs.{domain}' -Type SRV -ErrorAction SilentlyContinue) -and (Test-NetConnection -ComputerName '{first_dc}' -Port 9389 -InformationLevel Quiet -WarningAction SilentlyContinue)) -and (Get-Date) -lt $deadline) {{ Start-Sleep -Seconds 30 }}; Install-ADDSDomainController -DomainName '{domain}' -DatabasePath F:\\NTDS -LogPath F:\\NTDS -SysvolPath F:\\SYSVOL -InstallDns -Force -Credential (New-Object PSCredential('{netbios}\\akswindcadmin', (ConvertTo-SecureString '__ADMIN__' -AsPlainText -Force))) -SafeModeAdministratorPassword (ConvertTo-SecureString '__DSRM__' -AsPlainText -Force) -NoRebootOnCompletion; shutdown.exe /r /t 120 /c 'akswin: AD DS promotion'\""
                )
            };
            let command = secret_command(&script);
            let mut deps = vec![v(rid("Microsoft.Compute/virtualMachines", &vm))];
            if i > 0 {
                deps.push(s(&expr::resource_id(
                    "Microsoft.Compute/virtualMachines/extensions",
                    &[&n.dc_vm(0), "promote-adds"],
                )
                .template()));
            }
            res.push(json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/promote-adds"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Compute",
                    "type": "CustomScriptExtension",
                    "typeHandlerVersion": "1.10",
                    "autoUpgradeMinorVersion": true,
                    "settings": {},
                    "protectedSettings": { "commandToExecute": command },
                },
                "dependsOn": deps,
            }));
        }
        res
    }
}

/// An ARM expression that builds `script` with the passwords spliced in at deployment time:
/// `__DSRM__` and `__ADMIN__` become the secure parameters, with single quotes doubled for
/// the PowerShell single-quoted strings they sit in. The expression only ever appears in
/// `protectedSettings`.
pub(super) fn secret_command(script: &str) -> Expr {
    let mut parts = Vec::new();
    let mut rest = script;
    let mut text = String::new();
    while let Some(i) = rest.find("__") {
        let (before, after) = rest.split_at(i);
        let (param, skip) = if after.starts_with("__DSRM__") {
            ("dsrmPassword", 8)
        } else if after.starts_with("__ADMIN__") {
            ("dcAdminPassword", 9)
        } else {
            text.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        };
        text.push_str(before);
        parts.push(expr::lit(std::mem::take(&mut text)));
        // A quote in the password would end the PowerShell string: double it.
        parts.push(expr::call(
            "replace",
            vec![expr::parameters(param), expr::lit("'"), expr::lit("''")],
        ));
        rest = &after[skip..];
    }
    text.push_str(rest);
    parts.push(expr::lit(text));
    expr::concat(parts)
}

pub(super) fn dc_secret(r: &Option<SecretRef>, default: &str) -> String {
    match r {
        Some(SecretRef::KeyVault(n)) => n.clone(),
        _ => default.to_string(),
    }
}
