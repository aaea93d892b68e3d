//! The operators' jump box (`cluster.access.path: jumpBox`): a Linux VM in the hub without a
//! public address, reached through Bastion's native client with Microsoft Entra ID sign-in
//! (<https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux>). Its
//! SSH key is one whose private half `deploy.sh` threw away: Azure wants a key for a Linux VM
//! without a password, and Entra ID is the only way in. The CustomScript extension installs
//! the Azure CLI, kubectl and kubelogin (`scripts/jumpbox-init.sh`); the VM comes after the
//! firewall, through which both extensions download.

use super::*;
use base64::Engine as _;

/// Virtual Machine Administrator Login: sign in to the VM with Entra ID, with sudo.
pub const ROLE_VM_ADMIN_LOGIN: &str = "1c0163c0-47e6-4577-8991-ea5c82e286e4";
/// Reader: Bastion's native client needs it on the VM, its NIC and the Bastion host.
pub const ROLE_READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

impl Arm<'_> {
    /// Whether the hub gets the jump box.
    pub fn has_jump_box(&self) -> bool {
        self.spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox
            && self.plan.addresses.jump_box_ip.is_some()
            && self.subnet("bastion").and_then(|s| s.prefix).is_some()
    }

    pub(super) fn jump_box(&self, vnet_id: &Expr) -> Vec<Value> {
        let n = self.n;
        let Some(ip) = self.plan.addresses.jump_box_ip else {
            return Vec::new();
        };
        let Some(subnet) = self.subnet("jumpBox") else {
            return Vec::new();
        };
        let vm = &n.jump_box;
        let nic = format!("nic-{vm}");
        let vm_id = rid("Microsoft.Compute/virtualMachines", vm);
        let nic_id = rid("Microsoft.Network/networkInterfaces", &nic);
        let init = crate::scripts::jump_box_init(self.spec, n);
        // Its extensions install packages through the firewall: the VM comes after it (and
        // so after every rule collection group, which the firewall waits for).
        let mut vm_depends = vec![nic_id.clone()];
        if self.subnet("firewall").and_then(|s| s.prefix).is_some() {
            vm_depends.push(rid("Microsoft.Network/azureFirewalls", &n.firewall));
        }
        let login_ext = expr::resource_id(
            "Microsoft.Compute/virtualMachines/extensions",
            &[vm, "AADSSHLoginForLinux"],
        );
        let mut res = vec![
            self.hub_static_nic(&nic, &ip.to_string(), &subnet.azure_name, vnet_id),
            json!({
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": API_COMPUTE,
                "name": vm,
                "location": "[resourceGroup().location]",
                "tags": self.tags(),
                // The Entra ID sign-in extension needs a system-assigned identity; it has no
                // role anywhere.
                "identity": { "type": "SystemAssigned" },
                "properties": {
                    // A parameter, as for the DCs: the schema's size list is older than the sizes.
                    "hardwareProfile": { "vmSize": "[parameters('jumpBoxVmSize')]" },
                    "osProfile": {
                        // The host name (the VM's name is longer than some name checks allow).
                        "computerName": "jumpbox",
                        "adminUsername": "akswinadmin",
                        "linuxConfiguration": {
                            "disablePasswordAuthentication": true,
                            "ssh": { "publicKeys": [ {
                                "path": "/home/akswinadmin/.ssh/authorized_keys",
                                "keyData": "[parameters('jumpBoxSshPublicKey')]",
                            } ] },
                            "provisionVMAgent": true,
                            "patchSettings": { "patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform" },
                        },
                        "allowExtensionOperations": true,
                    },
                    "storageProfile": {
                        "imageReference": { "publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest" },
                        "osDisk": { "createOption": "FromImage", "managedDisk": { "storageAccountType": "Premium_LRS" }, "caching": "ReadWrite", "deleteOption": "Delete" },
                    },
                    "networkProfile": { "networkInterfaces": [ { "id": nic_id, "properties": { "deleteOption": "Delete" } } ] },
                    "securityProfile": { "securityType": "TrustedLaunch", "uefiSettings": { "secureBootEnabled": true, "vTpmEnabled": true }, "encryptionAtHost": self.spec.cluster.encryption_at_host },
                    "diagnosticsProfile": { "bootDiagnostics": { "enabled": true } },
                },
                "dependsOn": vm_depends,
            }),
            json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/AADSSHLoginForLinux"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Azure.ActiveDirectory",
                    "type": "AADSSHLoginForLinux",
                    "typeHandlerVersion": "1.0",
                    "autoUpgradeMinorVersion": true,
                    "settings": {},
                },
                "dependsOn": [vm_id.clone()],
            }),
            // The tools, by the CustomScript extension rather than custom data: its settings
            // may change on a later deployment (custom data cannot), and it runs again when
            // the script changes. After the sign-in extension: one extension at a time.
            json!({
                "type": "Microsoft.Compute/virtualMachines/extensions",
                "apiVersion": API_COMPUTE,
                "name": format!("{vm}/install-tools"),
                "location": "[resourceGroup().location]",
                "properties": {
                    "publisher": "Microsoft.Azure.Extensions",
                    "type": "CustomScript",
                    "typeHandlerVersion": "2.1",
                    "autoUpgradeMinorVersion": true,
                    // scripts/jumpbox-init.sh, base64 as the extension wants it (nothing secret).
                    "settings": { "script": base64::engine::general_purpose::STANDARD.encode(&init) },
                },
                "dependsOn": [vm_id.clone(), login_ext],
            }),
        ];
        // The admin groups sign in with Entra ID (sudo) through Bastion, which needs Reader on
        // the VM, its NIC and the Bastion host; deploy.sh grants the operator the same.
        let bastion_id = rid("Microsoft.Network/bastionHosts", &n.bastion);
        for group in &self.spec.cluster.admin_groups {
            let principal = expr::lit(group.as_str());
            for (scope, role, seed) in [
                (&vm_id, ROLE_VM_ADMIN_LOGIN, "jump-box-login"),
                (&vm_id, ROLE_READER, "jump-box-reader"),
                (&nic_id, ROLE_READER, "jump-box-nic-reader"),
                (&bastion_id, ROLE_READER, "bastion-reader"),
            ] {
                let mut r = role_assignment(
                    &format!("{seed}-{}", group.as_str()),
                    scope,
                    role,
                    &principal,
                    std::slice::from_ref(scope),
                );
                r["properties"]["principalId"] = json!(group.as_str());
                r["properties"]["principalType"] = json!("Group");
                res.push(r);
            }
        }
        res
    }
}
