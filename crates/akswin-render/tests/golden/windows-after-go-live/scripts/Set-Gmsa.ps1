#Requires -Modules ActiveDirectory
<#
.SYNOPSIS
  gMSA for contoso-legacy: host group, gMSA accounts, the standard domain user whose credential the
  AKS kubelet identity reads from Key Vault, and the GMSACredentialSpec manifests (their
  domain GUID and SID, and the kubelet identity's object id, only exist once AD and the
  cluster do, so they are written now; akswin does not guess them).
.DESCRIPTION
  Two ways to run it:
  - `deploy.sh active-directory` runs it on contosolegdc1, the first new domain controller, through Run
    Command, as SYSTEM (which may change Active Directory on a domain controller), with
    -IdentityClientId and -KubeletObjectId: Active Directory on that domain controller, Key
    Vault through its REST API with the domain controllers' identity (id-contoso-legacy-dc: Key Vault
    Secrets Officer on this one secret). It prints the domain's forest, GUID and SID (nothing
    secret), and deploy.sh writes the credential specs.
  - By hand, on a domain-joined machine with the ActiveDirectory module and the Azure CLI
    signed in with Microsoft.KeyVault/vaults/secrets/write on kv-contoso-legacy-x4k9 (Key Vault Contributor
    or Contributor): Key Vault through Azure Resource Manager, so no network path to the
    vault is needed. It writes the credential specs into -OutputDirectory.
  Safe to run again: it only creates what is missing, and replaces a placeholder secret.
  -WhatIf shows what it would do. The standard user's password is generated here, goes to Key
  Vault before Active Directory is changed, and is never printed.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  [string] $OutputDirectory = (Join-Path $PSScriptRoot '..\k8s'),
  # Computer names of the application proxy connector servers (a list, or one comma-separated
  # string): they get resource-based constrained delegation to the gMSA that serves the
  # Kerberos-protected application.
  [string[]] $ConnectorComputers = @(),
  # Reset: generate a new password for the standard user and store it (rotation).
  [ValidateSet('Keep', 'Reset')] [string] $StandardUserPassword = 'Keep',
  # A missing KDS root key: Production creates it to take effect normally and stops until every
  # domain controller can use it (up to 10 hours, for replication); Lab (test forests only)
  # backdates it 10 hours, usable at once.
  [ValidateSet('Production', 'Lab')] [string] $KdsRootKey = 'Production',
  # The client id of the domain controllers' identity: Key Vault through its REST API with it,
  # Active Directory on this domain controller (deploy.sh active-directory passes it).
  [string] $IdentityClientId,
  # The kubelet identity's object id (deploy.sh passes it); by hand, read with az identity show.
  [string] $KubeletObjectId
)
$ErrorActionPreference = 'Stop'
$domain = 'corp.contoso.com'
$netbios = 'CORP'
$hostGroup = 'aks-gmsa-hosts'
$standardUser = 'gmsa-standard-user'
$keyVault = 'kv-contoso-legacy-x4k9'
$secretName = 'gmsa-standard-user'
$ConnectorComputers = @($ConnectorComputers | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })

if ($IdentityClientId) {
  # On a domain controller (Run Command, as SYSTEM): every AD cmdlet talks to this one, and Key
  # Vault is reached through its REST API with the domain controllers' identity.
  $PSDefaultParameterValues['*-AD*:Server'] = $env:COMPUTERNAME
  $secretUri = "https://$keyVault.vault.azure.net/secrets/$secretName"
  function Invoke-Vault([string] $Method, [string] $Uri, $Body) {
    $token = (Invoke-RestMethod -Headers @{ Metadata = 'true' } -Uri ('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=' + $IdentityClientId)).access_token
    $request = @{ Method = $Method; Uri = $Uri; Headers = @{ Authorization = "Bearer $token" } }
    if ($null -ne $Body) {
      $request.Body = ConvertTo-Json -InputObject $Body -Compress
      $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
  }
  # The tag of the secret's current (newest) version, read from the versions' metadata: never
  # the value.
  function Get-CredentialTag {
    $versions = @()
    $next = "$secretUri/versions?api-version=7.4"
    while ($next) {
      $page = Invoke-Vault GET $next
      $versions += @($page.value)
      $next = $page.nextLink
    }
    $current = $versions | Sort-Object { [long] $_.attributes.created } -Descending | Select-Object -First 1
    if ($current -and $current.tags) { $current.tags.akswin }
  }
  function Set-Credential([string] $Value) {
    $stored = Invoke-Vault PUT "${secretUri}?api-version=7.4" @{ value = $Value; tags = @{ akswin = 'pending' } }
    $script:credentialVersion = ($stored.id -split '/')[-1]
  }
  function Confirm-Credential {
    Invoke-Vault PATCH "$secretUri/$($script:credentialVersion)?api-version=7.4" @{ tags = @{ akswin = 'gmsa-standard-user' } } | Out-Null
  }
} else {
  # By hand: Key Vault through Azure Resource Manager, its management plane, which needs no
  # network path to the vault (closed to public networks, reachable only through its private
  # endpoint). You need Microsoft.KeyVault/vaults/secrets/write on it (Key Vault Contributor or
  # Contributor); the value goes through a parameters file readable only by you, deleted at
  # once, into a securestring parameter (deployment history keeps no value), never a command line.
  $subscription = az account show --query id --output tsv
  if ($LASTEXITCODE -ne 0 -or -not $subscription) { throw 'sign in with the Azure CLI first (az login)' }
  $secretId = "/subscriptions/$subscription/resourceGroups/rg-contoso-legacy-shared/providers/Microsoft.KeyVault/vaults/$keyVault/secrets/$secretName"
  function Get-CredentialTag {
    $err = New-TemporaryFile
    try {
      $tag = az resource show --ids $secretId --query tags.akswin --output tsv 2>$err
      if ($LASTEXITCODE -ne 0) {
        # A secret that is not there yet has no tag (a vault akswin did not create has no
        # placeholder in it).
        $why = Get-Content -Raw -Path $err
        if ($why -match 'ResourceNotFound|SecretNotFound|was not found') { return '' }
        throw "the Azure CLI could not read the secret (az resource show): $why"
      }
      $tag
    } finally {
      Remove-Item -Path $err -Force -ErrorAction SilentlyContinue
    }
  }
  # A new version of the secret with this value and tag, through a one-resource deployment.
  function Save-Credential([string] $Value, [string] $Tag) {
    $template = New-TemporaryFile
    $parameters = New-TemporaryFile
    try {
      Set-Content -Path $template -Value (ConvertTo-Json -Depth 10 -InputObject @{
        '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
        contentVersion = '1.0.0.0'
        parameters = @{ value = @{ type = 'securestring' } }
        resources = @(@{
          type = 'Microsoft.KeyVault/vaults/secrets'
          apiVersion = '2026-02-01'
          name = "$keyVault/$secretName"
          tags = @{ akswin = $Tag }
          properties = @{ value = '[parameters(''value'')]' }
        })
      })
      Set-Content -Path $parameters -Value (ConvertTo-Json -Depth 5 -InputObject @{
        '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'
        contentVersion = '1.0.0.0'
        parameters = @{ value = @{ value = $Value } }
      })
      az deployment group create --resource-group 'rg-contoso-legacy-shared' --name 'akswin-gmsa-credential' --template-file $template --parameters "@$parameters" --output none
      if ($LASTEXITCODE -ne 0) { throw 'the Azure CLI could not store it (az deployment group create)' }
    } finally {
      Remove-Item $template, $parameters -Force
    }
  }
  function Set-Credential([string] $Value) {
    Save-Credential $Value 'pending'
    $script:credential = $Value
  }
  # Tagged live: the same value again, as a new version (management-plane tags go with a value).
  function Confirm-Credential {
    Save-Credential $script:credential 'gmsa-standard-user'
    $script:credential = $null
  }
}

# gMSA passwords come from the KDS root key. Never add a second one; create one only when the
# domain has none, and use it only once every domain controller can (10 hours after it takes
# effect, the replication allowance Microsoft documents).
$kdsKeys = @(Get-KdsRootKey)
if ($kdsKeys.Count -eq 0) {
  if ($KdsRootKey -eq 'Lab') {
    if ($PSCmdlet.ShouldProcess('KDS root key', 'Add, backdated 10 hours (-KdsRootKey Lab: test forests only)')) {
      Add-KdsRootKey -EffectiveTime ((Get-Date).AddHours(-10)) | Out-Null
    }
  } elseif ($PSCmdlet.ShouldProcess('KDS root key', 'Add (domain controllers can use it after up to 10 hours)')) {
    Add-KdsRootKey -EffectiveImmediately | Out-Null
    'akswin: created the KDS root key; every domain controller can use it after ' + (Get-Date).ToUniversalTime().AddHours(10).ToString('u') + ': run this again then'
    return
  }
} elseif (-not ($kdsKeys | Where-Object { $_.EffectiveTime.ToUniversalTime() -le (Get-Date).ToUniversalTime().AddHours(-10) })) {
  'akswin: the KDS root key is younger than 10 hours: run this again once every domain controller can use it'
  return
}
if (-not (Get-ADGroup -Filter "Name -eq '$hostGroup'")) {
  if ($PSCmdlet.ShouldProcess($hostGroup, 'New-ADGroup')) {
    New-ADGroup -Name $hostGroup -GroupScope Global -GroupCategory Security
  }
}
# The standard user's credential: Key Vault first, tagged pending, then Active Directory, then the
# tag says the secret is live. A failure at any point leaves a secret that is not tagged live, and
# the next run repairs it (a new password for the user); -StandardUserPassword Reset rotates.
try {
  $tag = Get-CredentialTag
} catch {
  throw "cannot read the tags of $secretName in ${keyVault}: $_"
}
$user = Get-ADUser -Filter "SamAccountName -eq '$standardUser'"
if (-not $user -or $tag -ne 'gmsa-standard-user' -or $StandardUserPassword -eq 'Reset') {
  if ($PSCmdlet.ShouldProcess($standardUser, 'store DOMAIN\user:password in Key Vault, then create the user or reset its password')) {
    $bytes = New-Object byte[] 32
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $plain = [Convert]::ToBase64String($bytes) + 'aA1!'
    try {
      Set-Credential ("$domain\$standardUser" + ':' + $plain)
    } catch {
      throw "could not store the secret in ${keyVault}; Active Directory was not changed: $_"
    }
    $secure = ConvertTo-SecureString $plain -AsPlainText -Force
    $plain = $null
    if ($user) {
      Set-ADAccountPassword -Identity $standardUser -Reset -NewPassword $secure
    } else {
      New-ADUser -Name $standardUser -SamAccountName $standardUser -Enabled $true -PasswordNeverExpires $true -AccountPassword $secure
    }
    try {
      Confirm-Credential
    } catch {
      throw "the password is set in Active Directory, but the secret's tag could not be updated: run this again ($_)"
    }
  }
}
$group = Get-ADGroup -Filter "Name -eq '$hostGroup'"
$member = $group -and $user -and (Get-ADGroupMember -Identity $hostGroup | Where-Object { $_.SamAccountName -eq $standardUser })
if (-not $member) {
  if ($PSCmdlet.ShouldProcess($hostGroup, "Add-ADGroupMember $standardUser")) {
    Add-ADGroupMember -Identity $hostGroup -Members $standardUser
  }
}
if (-not $KubeletObjectId) {
  $KubeletObjectId = az identity show --resource-group 'rg-contoso-legacy-shared' --name 'id-contoso-legacy-aks-kubelet' --query principalId --output tsv
  if (-not $KubeletObjectId) { throw 'cannot read the kubelet identity (az identity show): deploy arm/main.json first, or pass -KubeletObjectId (az aks show --query identityProfile.kubeletidentity.objectId)' }
}
$adDomain = Get-ADDomain -Identity $domain
# The credential specs name the domain as the spec does: a NetBIOS or DNS name that differs
# from the domain's own lets every gMSA pod start and fail to authenticate.
if ($adDomain.DNSRoot -ne $domain -or $adDomain.NetBIOSName -ne $netbios) {
  throw "the domain is $($adDomain.DNSRoot) ($($adDomain.NetBIOSName)), but the spec says $domain ($netbios): fix identity.activeDirectory and render again"
}
$forest = $adDomain.Forest
$domainGuid = $adDomain.ObjectGUID.ToString()
$domainSid = $adDomain.DomainSID.Value
if ($IdentityClientId) {
  # deploy.sh writes the credential specs from these (none of them is secret).
  "akswin: domain forest=$forest;guid=$domainGuid;sid=$domainSid"
}


# gMSA legacyweb
if (-not (Get-ADServiceAccount -Filter "Name -eq 'legacyweb'")) {
  if ($PSCmdlet.ShouldProcess('legacyweb', 'New-ADServiceAccount')) {
    New-ADServiceAccount -Name 'legacyweb' -DNSHostName ('legacyweb' + '.' + $domain) `
      -PrincipalsAllowedToRetrieveManagedPassword 'aks-gmsa-hosts'
  }
}
$path = Join-Path $OutputDirectory 'gmsa-credspec-legacyweb.yaml'
if (-not $IdentityClientId -and $PSCmdlet.ShouldProcess($path, 'write the GMSACredentialSpec (apply it with kubectl apply -f)')) {
  Set-Content -Path $path -Value @"
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
"@
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
  Write-Warning "no connector computers: Kerberos SSO fails until the application proxy connector servers may delegate to legacyweb; run this again with them (AKSWIN_CONNECTOR_COMPUTERS=<name>,<name> ./deploy.sh active-directory, or -ConnectorComputers <name>,<name>)"
} elseif ($PSCmdlet.ShouldProcess('legacyweb', "allow delegation from $($ConnectorComputers -join ', ')")) {
  # Added to whoever may delegate already, never replacing them.
  $current = @((Get-ADServiceAccount -Identity 'legacyweb' -Properties PrincipalsAllowedToDelegateToAccount).PrincipalsAllowedToDelegateToAccount)
  $connectors = @($ConnectorComputers | ForEach-Object { (Get-ADComputer -Identity $_).DistinguishedName })
  Set-ADServiceAccount -Identity 'legacyweb' -PrincipalsAllowedToDelegateToAccount @(@($current) + $connectors | Where-Object { $_ } | Sort-Object -Unique)
}
'akswin: gmsa done'
