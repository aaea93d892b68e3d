#Requires -Modules Microsoft.Graph.Beta.Applications, Microsoft.Graph.Identity.SignIns, Microsoft.Graph.Identity.DirectoryManagement
<#
.SYNOPSIS
  Publish contoso-legacy through Microsoft Entra application proxy: pre-authentication, Kerberos
  constrained delegation single sign-on to the internal URL, the connector group, and a
  conditional access policy that only admits the allowed IP ranges.
.DESCRIPTION
  Needs directory permissions (Application Administrator and Conditional Access
  Administrator) and 2 connectors installed in the appProxyConnectors subnet.
  Safe to run again: it finds the application by name before creating it. -WhatIf shows what
  it would do. Prints the external URL: Front Door's origin (`deploy.sh frontdoor`).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  [string] $ConnectorGroupName = 'contoso-legacy-connectors',
  # Machine names of the connector servers in the appProxyConnectors subnet: their connectors
  # move into the connector group.
  [string[]] $ConnectorMachineNames = @(),
  # The external URL: the custom domain Front Door serves when there is one, else the
  # tenant's msappproxy.net domain, derived from the application name and the tenant's initial
  # domain when empty (https://<app>-<tenant>.msappproxy.net/).
  [string] $ExternalUrl = 'https://legacy.contoso.com/'
)
$ErrorActionPreference = 'Stop'
Connect-MgGraph -Scopes 'Application.ReadWrite.All','Directory.ReadWrite.All','Policy.ReadWrite.ConditionalAccess' -NoWelcome
$displayName = 'contoso-legacy-legacyweb'
$keyVault = 'kvfd-contoso-legacy'
$certificateSecret = 'legacy-contoso-tls'
if (-not $ExternalUrl) {
  $initial = (Get-MgOrganization).VerifiedDomains | Where-Object IsInitial | Select-Object -First 1
  if (-not $initial) { throw 'cannot find the tenant initial domain: pass -ExternalUrl https://<app>-<tenant>.msappproxy.net/' }
  $ExternalUrl = 'https://' + $displayName.ToLowerInvariant() + '-' + $initial.Name.Split('.')[0].ToLowerInvariant() + '.msappproxy.net/'
}
if (-not $ExternalUrl.EndsWith('/')) { $ExternalUrl += '/' }
$internalUrl = 'https://legacy.contoso.com/'
$spn = 'HTTP/legacy.contoso.com'
# The "On-premises application" gallery template (application proxy).
$templateId = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621'

$app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
if (-not $app -and $PSCmdlet.ShouldProcess($displayName, 'instantiate the on-premises application template')) {
  Invoke-MgBetaInstantiateApplicationTemplate -ApplicationTemplateId $templateId -DisplayName $displayName | Out-Null
  Start-Sleep -Seconds 15
  $app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
}
$externalHostName = ([uri]$ExternalUrl).Host
if (-not $externalHostName.EndsWith('.msappproxy.net')) {
  # A custom domain needs its parent domain verified in the tenant.
  $verified = (Get-MgOrganization).VerifiedDomains | Where-Object { $externalHostName.EndsWith('.' + $_.Name) }
  if (-not $verified) { throw "the parent domain of $externalHostName is not a verified domain of this tenant: verify it in Microsoft Entra first (custom domains need it)" }
}
if ($app -and $PSCmdlet.ShouldProcess($displayName, 'configure on-premises publishing (pre-authentication, Kerberos SSO)')) {
  # The tutorial order: the URLs of the application object first, then on-premises publishing.
  Update-MgBetaApplication -ApplicationId $app.Id -IdentifierUris @($ExternalUrl.TrimEnd('/')) `
    -Web @{ RedirectUris = @($ExternalUrl); HomePageUrl = $ExternalUrl }
  $publishing = @{
    externalUrl = $ExternalUrl
    internalUrl = $internalUrl
    externalAuthenticationType = 'aadPreAuthentication'
    isTranslateHostHeaderEnabled = $true
    isOnPremPublishingEnabled = $true
  }
  $externalHost = ([uri]$ExternalUrl).Host
  if ($certificateSecret -and -not $externalHost.EndsWith('.msappproxy.net')) {
    # A custom domain: the application proxy serves it with the same certificate Front Door
    # uses, read from Key Vault with its chain and re-exported with a one-time password
    # (never written anywhere but a temporary file). Run again after the certificate is
    # renewed in Key Vault: Front Door follows new versions, the application proxy keeps the
    # copy it was given; the thumbprint decides whether to upload.
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
  if ($spn) {
    $publishing.singleSignOnSettings = @{
      singleSignOnMode = 'onPremisesKerberos'
      kerberosSignOnSettings = @{ kerberosServicePrincipalName = $spn; kerberosSignOnMappingAttributeType = 'userPrincipalName' }
    }
  }
  # The body as Graph documents it (the typed parameter would rename the key credential's
  # `value`).
  Update-MgBetaApplication -ApplicationId $app.Id -BodyParameter @{ onPremisesPublishing = $publishing }
}
# The connector group: created when missing, the named connector servers moved into it, and the
# application assigned to it (connectors register themselves when installed; until then the
# group is empty and the application cannot be reached).
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
  if ($app -and $PSCmdlet.ShouldProcess($displayName, "assign the connector group $ConnectorGroupName")) {
    Set-MgBetaApplicationConnectorGroupByRef -ApplicationId $app.Id -OdataId ($groupsBase + $group.Id)
  }
}

# Conditional access: admit only the allowed client IP ranges.
$locationName = 'contoso-legacy-allowed-ranges'
$location = Get-MgIdentityConditionalAccessNamedLocation -Filter "displayName eq '$locationName'" | Select-Object -First 1
if (-not $location -and $PSCmdlet.ShouldProcess($locationName, 'New-MgIdentityConditionalAccessNamedLocation')) {
  $location = New-MgIdentityConditionalAccessNamedLocation -BodyParameter @{
    '@odata.type' = '#microsoft.graph.ipNamedLocation'
    displayName = $locationName
    # Not trusted: these ranges only decide who may reach this application; marking them trusted
    # would lower sign-in risk for every application in the tenant.
    isTrusted = $false
    ipRanges = @(@{ '@odata.type' = '#microsoft.graph.iPv4CidrRange'; cidrAddress = '203.0.113.0/24' })
  }
}
$policyName = 'contoso-legacy: block outside the allowed ranges'
if ($app -and $location -and -not (Get-MgIdentityConditionalAccessPolicy -Filter "displayName eq '$policyName'") -and
    $PSCmdlet.ShouldProcess($policyName, 'New-MgIdentityConditionalAccessPolicy')) {
  New-MgIdentityConditionalAccessPolicy -BodyParameter @{
    displayName = $policyName
    state = 'enabled'
    conditions = @{
      clientAppTypes = @('all')
      applications = @{ includeApplications = @($app.AppId) }
      users = @{ includeUsers = @('All') }
      locations = @{ includeLocations = @('All'); excludeLocations = @($location.Id) }
    }
    grantControls = @{ operator = 'OR'; builtInControls = @('block') }
  } | Out-Null
}
if ($app) {
  $published = Get-MgBetaApplication -ApplicationId $app.Id -Property onPremisesPublishing
  $publishedUrl = $published.OnPremisesPublishing.ExternalUrl
  if ($publishedUrl -and ([uri]$publishedUrl).Host.EndsWith('.msappproxy.net')) {
    "External URL: $publishedUrl"
    # Front Door's origin is the bare host name, which deploy.sh frontdoor takes:
    "AKSWIN_APP_PROXY_HOST=$(([uri]$publishedUrl).Host)"
  } elseif ($publishedUrl) {
    "External URL: $publishedUrl (a custom domain)"
    # Front Door's origin is the msappproxy.net name the custom domain maps to: Microsoft Entra
    # admin center, Enterprise applications, this application, Application proxy (the CNAME
    # target it shows). Front Door sends the custom host name as the origin host header.
    Write-Warning "set AKSWIN_APP_PROXY_HOST to the msappproxy.net name Microsoft Entra shows for $(([uri]$publishedUrl).Host) (do not point public DNS there: it points at Front Door)"
  } else {
    Write-Warning 'the application has no external URL yet (-WhatIf, or publishing did not finish): run this script again'
  }
}
# The internal URL must resolve to the internal load balancer (10.240.5.4) for the connectors: see Set-InternalDnsRecord.ps1.
