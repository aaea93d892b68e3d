#Requires -Modules ActiveDirectory
<#
.SYNOPSIS
  gMSA for contoso-legacy: host group, gMSA accounts, the standard domain user whose credential the
  AKS kubelet identity reads from Key Vault, and the GMSACredentialSpec manifests (their
  domain GUID and SID, and the kubelet identity's object id, only exist once AD and the
  cluster do, so this script writes them; akswin does not guess them).
.DESCRIPTION
  Run on a domain-joined machine with the ActiveDirectory module and the Azure CLI logged in
  (Key Vault Secrets Officer on 'kv-contoso-legacy-x4k9'), where the vault's private endpoint resolves. Safe to
  run again: it only creates what is missing, and replaces a placeholder secret. -WhatIf shows
  what it would do. The standard user's password is generated here, goes to Key Vault (before
  Active Directory is changed) through a temporary file readable only by you, and is never
  printed.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  [string] $OutputDirectory = (Join-Path $PSScriptRoot '..\k8s'),
  # Computer names of the application proxy connector servers: they get resource-based
  # constrained delegation to the gMSA that serves the Kerberos-protected application.
  [string[]] $ConnectorComputers = @(),
  # Generate a new password for the standard user and store it (rotation).
  [switch] $ResetStandardUserPassword,
  # Test forests only: create a missing KDS root key backdated 10 hours, usable at once. In a
  # production domain leave it off: the key is created to take effect normally and the script
  # stops until the domain controllers can use it (up to 10 hours, for replication).
  [switch] $LabKdsRootKey
)
$ErrorActionPreference = 'Stop'
$domain = 'corp.contoso.com'
$netbios = 'CORP'
$hostGroup = 'aks-gmsa-hosts'
$standardUser = 'gmsa-standard-user'
$keyVault = 'kv-contoso-legacy-x4k9'
$secretName = 'gmsa-standard-user'

# gMSA passwords come from the KDS root key. Never add a second one; create one only when the
# domain has none, and use it only once every domain controller can (10 hours after it takes
# effect, the replication allowance Microsoft documents).
$kdsKeys = @(Get-KdsRootKey)
if ($kdsKeys.Count -eq 0) {
  if ($LabKdsRootKey) {
    if ($PSCmdlet.ShouldProcess('KDS root key', 'Add, backdated 10 hours (-LabKdsRootKey: test forests only)')) {
      Add-KdsRootKey -EffectiveTime ((Get-Date).AddHours(-10)) | Out-Null
    }
  } elseif ($PSCmdlet.ShouldProcess('KDS root key', 'Add (domain controllers can use it after up to 10 hours)')) {
    Add-KdsRootKey -EffectiveImmediately | Out-Null
    Write-Warning ('Created the KDS root key. Run this script again after ' + (Get-Date).AddHours(10).ToString('u') + ', when every domain controller can use it.')
    return
  }
} elseif (-not ($kdsKeys | Where-Object { $_.EffectiveTime.ToUniversalTime() -le (Get-Date).ToUniversalTime().AddHours(-10) })) {
  Write-Warning 'The KDS root key is younger than 10 hours: run this script again once every domain controller can use it.'
  return
}
if (-not (Get-ADGroup -Filter "Name -eq '$hostGroup'")) {
  if ($PSCmdlet.ShouldProcess($hostGroup, 'New-ADGroup')) {
    New-ADGroup -Name $hostGroup -GroupScope Global -GroupCategory Security
  }
}
# The standard user's credential: Key Vault first, tagged pending, then Active Directory, then the
# tag says the secret is live. A failure at any point leaves a secret that is not tagged live, and
# the next run repairs it (a new password for the user); -ResetStandardUserPassword rotates.
$tag = az keyvault secret list --vault-name $keyVault --query "[?name=='$secretName'].tags.akswin | [0]" --output tsv
if ($LASTEXITCODE -ne 0) {
  throw "cannot reach ${keyVault}: run this where its private endpoint resolves, signed in with Key Vault Secrets Officer on it"
}
$user = Get-ADUser -Filter "SamAccountName -eq '$standardUser'"
if (-not $user -or $tag -ne 'gmsa-standard-user' -or $ResetStandardUserPassword) {
  if ($PSCmdlet.ShouldProcess($standardUser, 'store DOMAIN\user:password in Key Vault, then create the user or reset its password')) {
    $bytes = New-Object byte[] 32
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $plain = [Convert]::ToBase64String($bytes) + 'aA1!'
    $tmp = New-TemporaryFile
    try {
      Set-Content -Path $tmp -Value ("$domain\$standardUser" + ':' + $plain) -NoNewline
      az keyvault secret set --vault-name $keyVault --name $secretName --file $tmp --tags akswin=pending --output none
      if ($LASTEXITCODE -ne 0) { throw "could not store the secret in ${keyVault}; Active Directory was not changed" }
    } finally {
      Remove-Item $tmp -Force
    }
    $secure = ConvertTo-SecureString $plain -AsPlainText -Force
    $plain = $null
    if ($user) {
      Set-ADAccountPassword -Identity $standardUser -Reset -NewPassword $secure
    } else {
      New-ADUser -Name $standardUser -SamAccountName $standardUser -Enabled $true -PasswordNeverExpires $true -AccountPassword $secure
    }
    az keyvault secret set-attributes --vault-name $keyVault --name $secretName --tags akswin=gmsa-standard-user --output none
    if ($LASTEXITCODE -ne 0) { throw "the password is set in Active Directory, but the secret's tag could not be updated: run this script again" }
  }
}
$group = Get-ADGroup -Filter "Name -eq '$hostGroup'"
$member = $group -and $user -and (Get-ADGroupMember -Identity $hostGroup | Where-Object { $_.SamAccountName -eq $standardUser })
if (-not $member) {
  if ($PSCmdlet.ShouldProcess($hostGroup, "Add-ADGroupMember $standardUser")) {
    Add-ADGroupMember -Identity $hostGroup -Members $standardUser
  }
}
$kubeletObjectId = az identity show --resource-group 'rg-contoso-legacy-shared' --name 'id-contoso-legacy-aks-kubelet' --query principalId --output tsv
if (-not $kubeletObjectId) { throw 'cannot read the kubelet identity: deploy arm/main.json first' }
$adDomain = Get-ADDomain -Identity $domain


# gMSA legacyweb
if (-not (Get-ADServiceAccount -Filter "Name -eq 'legacyweb'")) {
  if ($PSCmdlet.ShouldProcess('legacyweb', 'New-ADServiceAccount')) {
    New-ADServiceAccount -Name 'legacyweb' -DNSHostName ('legacyweb' + '.' + $domain) `
      -PrincipalsAllowedToRetrieveManagedPassword 'aks-gmsa-hosts'
  }
}
$credspec = @"
apiVersion: windows.k8s.io/v1
kind: GMSACredentialSpec
metadata:
  name: legacyweb
credspec:
  ActiveDirectoryConfig:
    GroupManagedServiceAccounts:
    - Name: legacyweb
      Scope: $netbios
    - Name: legacyweb
      Scope: $domain
    HostAccountConfig:
      PluginGUID: '{CCC2A336-D7F3-4818-A213-272B7924213E}'
      PortableCcgVersion: "1"
      PluginInput: "ObjectId=$kubeletObjectId;SecretUri=https://$keyVault.vault.azure.net/secrets/$secretName"
  CmsPlugins:
  - ActiveDirectory
  DomainJoinConfig:
    DnsName: $domain
    DnsTreeName: $($adDomain.Forest)
    Guid: $($adDomain.ObjectGUID)
    MachineAccountName: legacyweb
    NetBiosName: $netbios
    Sid: $($adDomain.DomainSID.Value)
"@
$path = Join-Path $OutputDirectory 'gmsa-credspec-legacyweb.yaml'
if ($PSCmdlet.ShouldProcess($path, 'write the GMSACredentialSpec (apply it with kubectl apply -f)')) {
  Set-Content -Path $path -Value $credspec
}

# Kerberos single sign-on through application proxy: the internal URL's SPN on legacyweb, and
# resource-based constrained delegation from the connector servers to legacyweb.
$spn = 'HTTP/legacyweb.corp.contoso.com'
$owner = Get-ADObject -LDAPFilter "(servicePrincipalName=$spn)" -Properties sAMAccountName | Select-Object -First 1
if ($owner -and $owner.sAMAccountName -ne 'legacyweb$') {
  throw "$spn is already registered on $($owner.sAMAccountName): a duplicate SPN breaks Kerberos; remove it there first (setspn -D)"
}
if (-not $owner -and $PSCmdlet.ShouldProcess('legacyweb', "add the SPN $spn")) {
  Set-ADServiceAccount -Identity 'legacyweb' -ServicePrincipalNames @{ Add = $spn }
}
if ($ConnectorComputers.Count -eq 0) {
  Write-Warning "no -ConnectorComputers: Kerberos SSO fails until the application proxy connector servers may delegate to legacyweb; run again with -ConnectorComputers <name>,<name>"
} elseif ($PSCmdlet.ShouldProcess('legacyweb', "allow delegation from $($ConnectorComputers -join ', ')")) {
  # Added to whoever may delegate already, never replacing them.
  $current = @((Get-ADServiceAccount -Identity 'legacyweb' -Properties PrincipalsAllowedToDelegateToAccount).PrincipalsAllowedToDelegateToAccount)
  $connectors = @($ConnectorComputers | ForEach-Object { (Get-ADComputer -Identity $_).DistinguishedName })
  Set-ADServiceAccount -Identity 'legacyweb' -PrincipalsAllowedToDelegateToAccount @(@($current) + $connectors | Where-Object { $_ } | Sort-Object -Unique)
}
