#Requires -Modules Microsoft.Graph.Beta.Applications, Microsoft.Graph.Identity.SignIns, Microsoft.Graph.Identity.DirectoryManagement
<#
.SYNOPSIS
  Publish the workloads of contoso-legacy that sign users in through Microsoft Entra application
  proxy: one application each, with pre-authentication, Kerberos constrained delegation single
  sign-on to its internal URL, the connector group, and a conditional access policy that only
  admits the allowed IP ranges.
.DESCRIPTION
  Needs directory permissions (Application Administrator and Conditional Access
  Administrator) and 2 connectors installed in the appProxyConnectors subnet.
  Safe to run again: it finds each application by name before creating it. -WhatIf shows
  what it would do. Prints each external URL's host: Front Door's origin (`deploy.sh
  frontdoor` takes it in the variable printed next to it).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  [string] $ConnectorGroupName = 'contoso-legacy-connectors',
  # Machine names of the connector servers in the appProxyConnectors subnet: their connectors
  # move into the connector group.
  [string[]] $ConnectorMachineNames = @(),
  # Publish only these workloads (all when empty).
  [string[]] $Workload = @()
)
$ErrorActionPreference = 'Stop'
# Policy.Read.All with Policy.ReadWrite.ConditionalAccess: what Graph lists for creating a
# conditional access policy.
Connect-MgGraph -Scopes 'Application.ReadWrite.All','Directory.ReadWrite.All','Policy.Read.All','Policy.ReadWrite.ConditionalAccess' -NoWelcome
$keyVault = 'kvfd-contoso-legacy-x4k9'
# One application per workload. ExternalUrl: the custom domain Front Door serves, or empty for
# the tenant's msappproxy.net domain (https://<app>-<tenant>.msappproxy.net/).
$applications = @(
  @{ Workload = 'legacyweb'; DisplayName = 'contoso-legacy-legacyweb'; InternalUrl = 'https://legacyweb.corp.contoso.com/'; ExternalUrl = 'https://legacy.contoso.com/'; Spn = 'HTTP/legacyweb.corp.contoso.com'; CertificateSecret = 'legacy-contoso-tls'; TranslateHostHeader = $true; Variable = 'AKSWIN_APP_PROXY_HOST_LEGACYWEB' }
) | Where-Object { $Workload.Count -eq 0 -or $Workload -contains $_.Workload }
# The "On-premises application" gallery template (application proxy).
$templateId = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621'
$verifiedDomains = (Get-MgOrganization).VerifiedDomains
$initial = $verifiedDomains | Where-Object IsInitial | Select-Object -First 1

# The connector group: created when missing, and the named connector servers moved into it
# (connectors register themselves when installed; until then the group is empty and no
# application behind it can be reached).
$groupsBase = 'https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationproxy/connectorGroups/'
$group = Get-MgBetaOnPremisePublishingProfileConnectorGroup -OnPremisesPublishingProfileId 'applicationProxy' |
  Where-Object Name -eq $ConnectorGroupName | Select-Object -First 1
if (-not $group -and $PSCmdlet.ShouldProcess($ConnectorGroupName, 'New-MgBetaOnPremisePublishingProfileConnectorGroup')) {
  $group = New-MgBetaOnPremisePublishingProfileConnectorGroup -OnPremisesPublishingProfileId 'applicationProxy' -BodyParameter @{ name = $ConnectorGroupName }
}
if ($group) {
  $connectors = Get-MgBetaOnPremisePublishingProfileConnector -OnPremisesPublishingProfileId 'applicationProxy'
  foreach ($machine in $ConnectorMachineNames) {
    # The exact machine (or its FQDN): a prefix would also move conn10 for conn1.
    $connector = $connectors | Where-Object { $_.MachineName -eq $machine -or $_.MachineName -like "$machine.*" } | Select-Object -First 1
    if (-not $connector) {
      Write-Warning "no registered connector on ${machine}: install the connector there, then run this script again"
    } elseif (@(Get-MgBetaOnPremisePublishingProfileConnectorMemberOf -OnPremisesPublishingProfileId 'applicationProxy' -ConnectorId $connector.Id | Where-Object Id -eq $group.Id).Count -gt 0) {
      # Already in the group.
    } elseif ($PSCmdlet.ShouldProcess($machine, "move the connector into $ConnectorGroupName")) {
      New-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef -OnPremisesPublishingProfileId 'applicationProxy' -ConnectorId $connector.Id -OdataId ($groupsBase + $group.Id)
    }
  }
}

$published = @()
foreach ($a in $applications) {
  $displayName = $a.DisplayName
  $externalUrl = $a.ExternalUrl
  if (-not $externalUrl) {
    if (-not $initial) { throw 'cannot find the tenant initial domain' }
    $externalUrl = 'https://' + $displayName.ToLowerInvariant() + '-' + $initial.Name.Split('.')[0].ToLowerInvariant() + '.msappproxy.net/'
  }
  $externalHost = ([uri]$externalUrl).Host
  if (-not $externalHost.EndsWith('.msappproxy.net')) {
    # A custom domain needs its parent domain verified in the tenant.
    if (-not ($verifiedDomains | Where-Object { $externalHost.EndsWith('.' + $_.Name) })) {
      throw "the parent domain of $externalHost is not a verified domain of this tenant: verify it in Microsoft Entra first (custom domains need it)"
    }
  }
  $app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
  if (-not $app -and $PSCmdlet.ShouldProcess($displayName, 'instantiate the on-premises application template')) {
    Invoke-MgBetaInstantiateApplicationTemplate -ApplicationTemplateId $templateId -DisplayName $displayName | Out-Null
    Start-Sleep -Seconds 15
    $app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
  }
  if (-not $app) { continue }
  if ($PSCmdlet.ShouldProcess($displayName, 'configure on-premises publishing (pre-authentication, Kerberos SSO)')) {
    # The tutorial order: the URLs of the application object first, then on-premises publishing.
    Update-MgBetaApplication -ApplicationId $app.Id -IdentifierUris @($externalUrl.TrimEnd('/')) `
      -Web @{ RedirectUris = @($externalUrl); HomePageUrl = $externalUrl }
    $publishing = @{
      externalUrl = $externalUrl
      internalUrl = $a.InternalUrl
      externalAuthenticationType = 'aadPreAuthentication'
      isTranslateHostHeaderEnabled = $a.TranslateHostHeader
      # The connector checks the workload's certificate: it must carry the internal URL's host
      # and chain to a root the connector servers trust.
      isBackendCertificateValidationEnabled = $true
      isOnPremPublishingEnabled = $true
    }
    if ($a.CertificateSecret -and -not $externalHost.EndsWith('.msappproxy.net')) {
      # A custom domain: the application proxy serves it with the same certificate Front Door
      # uses, read from Key Vault with its chain and re-exported with a one-time password
      # (never written anywhere but a temporary file). Run again after the certificate is
      # renewed in Key Vault: Front Door follows new versions, the application proxy keeps the
      # copy it was given; the thumbprint decides whether to upload.
      $certificateSecret = $a.CertificateSecret
      $contentType = az keyvault secret show --vault-name $keyVault --name $certificateSecret --query contentType --output tsv
      if ($LASTEXITCODE -ne 0) { throw "cannot read the certificate $certificateSecret from ${keyVault} (Front Door's certificate vault): run this from the address the vault admits (AKSWIN_OPERATOR_IP at bootstrap), with Key Vault Secrets User or Officer on it" }
      if ($contentType -ne 'application/x-pkcs12') { throw "$certificateSecret in $keyVault is '$contentType', not a PFX (application/x-pkcs12): import the certificate as PFX" }
      $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString() + '.pfx')
      $chain = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2Collection
      try {
        az keyvault secret download --vault-name $keyVault --name $certificateSecret --file $tmp --encoding base64
        if ($LASTEXITCODE -ne 0) { throw "cannot download the certificate $certificateSecret from ${keyVault}" }
        $chain.Import($tmp, '', 'Exportable')
        $leaf = $chain | Where-Object HasPrivateKey | Select-Object -First 1
        if (-not $leaf) { throw "$certificateSecret holds no certificate with a private key" }
        $current = (Get-MgBetaApplication -ApplicationId $app.Id -Property onPremisesPublishing).OnPremisesPublishing.VerifiedCustomDomainCertificatesMetadata.Thumbprint
        if ($current -ne $leaf.Thumbprint) {
          $bytes = New-Object byte[] 24
          [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
          $pfxPassword = [Convert]::ToBase64String($bytes)
          # The whole chain: Front Door validates the origin's chain, not only its leaf.
          $publishing.verifiedCustomDomainKeyCredential = @{ type = 'X509CertAndPassword'; value = [Convert]::ToBase64String($chain.Export('Pfx', $pfxPassword)) }
          $publishing.verifiedCustomDomainPasswordCredential = @{ value = $pfxPassword }
        }
      } finally {
        foreach ($c in $chain) { $c.Reset() }
        if (Test-Path $tmp) { Remove-Item $tmp -Force }
      }
    }
    if ($a.Spn) {
      $publishing.singleSignOnSettings = @{
        singleSignOnMode = 'onPremisesKerberos'
        kerberosSignOnSettings = @{ kerberosServicePrincipalName = $a.Spn; kerberosSignOnMappingAttributeType = 'userPrincipalName' }
      }
    }
    # The body as Graph documents it (the typed parameter would rename the key credential's
    # `value`).
    Update-MgBetaApplication -ApplicationId $app.Id -BodyParameter @{ onPremisesPublishing = $publishing }
  }
  if ($group -and $PSCmdlet.ShouldProcess($displayName, "assign the connector group $ConnectorGroupName")) {
    Set-MgBetaApplicationConnectorGroupByRef -ApplicationId $app.Id -OdataId ($groupsBase + $group.Id)
  }
  $published += $app
  # Read back the external URL Microsoft Entra assigned.
  $publishedUrl = (Get-MgBetaApplication -ApplicationId $app.Id -Property onPremisesPublishing).OnPremisesPublishing.ExternalUrl
  if ($publishedUrl -and ([uri]$publishedUrl).Host.EndsWith('.msappproxy.net')) {
    "$($a.Workload): external URL $publishedUrl"
    # Front Door's origin is the bare host name, which deploy.sh frontdoor takes:
    "$($a.Variable)=$(([uri]$publishedUrl).Host)"
  } elseif ($publishedUrl) {
    "$($a.Workload): external URL $publishedUrl (a custom domain)"
    # Front Door's origin is the msappproxy.net name the custom domain maps to: Microsoft Entra
    # admin center, Enterprise applications, this application, Application proxy (the CNAME
    # target it shows). Front Door sends the custom host name as the origin host header.
    Write-Warning "set $($a.Variable) to the msappproxy.net name Microsoft Entra shows for $(([uri]$publishedUrl).Host) (do not point public DNS there: it points at Front Door)"
  } else {
    Write-Warning "$($a.Workload) has no external URL yet (-WhatIf, or publishing did not finish): run this script again"
  }
}
# Conditional access: admit only the allowed client IP ranges to these applications.
$locationName = 'contoso-legacy-allowed-ranges'
$location = Get-MgIdentityConditionalAccessNamedLocation -Filter "displayName eq '$locationName'" | Select-Object -First 1
if (-not $location -and $PSCmdlet.ShouldProcess($locationName, 'New-MgIdentityConditionalAccessNamedLocation')) {
  $location = New-MgIdentityConditionalAccessNamedLocation -BodyParameter @{
    '@odata.type' = '#microsoft.graph.ipNamedLocation'
    displayName = $locationName
    # Not trusted: these ranges only decide who may reach these applications; marking them
    # trusted would lower sign-in risk for every application in the tenant.
    isTrusted = $false
    ipRanges = @(@{ '@odata.type' = '#microsoft.graph.iPv4CidrRange'; cidrAddress = '203.0.113.0/24' })
  }
}
$policyName = 'contoso-legacy: block outside the allowed ranges'
$appIds = @($published | ForEach-Object { $_.AppId })
$policy = Get-MgIdentityConditionalAccessPolicy -Filter "displayName eq '$policyName'" | Select-Object -First 1
$conditions = @{
  clientAppTypes = @('all')
  applications = @{ includeApplications = $appIds }
  users = @{ includeUsers = @('All'); excludeGroups = @() }
  locations = @{ includeLocations = @('All'); excludeLocations = @($location.Id) }
}
if ($appIds.Count -gt 0 -and $location -and -not $policy -and $PSCmdlet.ShouldProcess($policyName, 'New-MgIdentityConditionalAccessPolicy')) {
  New-MgIdentityConditionalAccessPolicy -BodyParameter @{
    displayName = $policyName
    state = 'enabled'
    conditions = $conditions
    grantControls = @{ operator = 'OR'; builtInControls = @('block') }
  } | Out-Null
} elseif ($policy -and $appIds.Count -gt 0 -and $location -and $Workload.Count -eq 0 -and
    (Compare-Object @($policy.Conditions.Applications.IncludeApplications) $appIds) -and
    $PSCmdlet.ShouldProcess($policyName, 'Update-MgIdentityConditionalAccessPolicy (the published applications)')) {
  # A workload was added or removed since the policy was created: it covers exactly these.
  Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId $policy.Id -BodyParameter @{ conditions = $conditions }
}
# Each internal URL must resolve to its workload's internal load balancer address for the connectors: see Set-InternalDnsRecord.ps1.
