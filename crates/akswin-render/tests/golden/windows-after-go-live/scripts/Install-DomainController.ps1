#Requires -RunAsAdministrator
<#
.SYNOPSIS
  Promote this VM to a domain controller of corp.contoso.com (replica): a replica of the existing domain, in its own AD site.
.DESCRIPTION
  deploy.sh domain-controllers runs it on each new domain controller, in order, through Run
  Command (as SYSTEM), restarts it, and runs it again with -Mode Verify. Safe to run again: on a
  domain controller it only checks the DNS forwarder, the AD services and the domain's SRV
  record. The passwords come from Key Vault kv-contoso-legacy-x4k9 through its private endpoint (this
  machine resolves the vault's names through Azure DNS, whatever DNS servers its network
  interface has), read with the domain controllers' managed identity (id-contoso-legacy-dc), which may
  read these secrets and no other; they stay in secure strings and are never printed or put
  on a command line. deploy.sh restarts the machine after a promotion.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  # Forest: the first DC of a new forest. Additional: another DC of that forest. Replica: a DC
  # that joins the existing domain.
  [Parameter(Mandatory)] [ValidateSet('Replica')] [string] $Role,
  # The client id of id-contoso-legacy-dc (deploy.sh passes it: az identity show --query clientId).
  [Parameter(Mandatory)] [string] $IdentityClientId,
  # Replica: the site link that connects the new AD site to the others.
  [string] $SiteLink = 'DEFAULTIPSITELINK',
  # Verify: after the restart, check the domain controller and never promote.
  [ValidateSet('Promote', 'Verify')] [string] $Mode = 'Promote'
)
$ErrorActionPreference = 'Stop'
$domain = 'corp.contoso.com'
$netbios = 'CORP'
$keyVault = 'kv-contoso-legacy-x4k9'
$partners = @('10.1.0.4', '10.1.0.5')

# Azure DNS answers the private DNS zones (Key Vault, the registry, the cluster's API server)
# that the VNets link: clients that resolve through this DC need it as the forwarder.
function Set-AzureForwarder {
  if ($PSCmdlet.ShouldProcess('DNS server', 'forward to Azure DNS 168.63.129.16')) {
    Set-DnsServerForwarder -IPAddress 168.63.129.16
  }
}

if ((Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole -ge 4) {
  Set-AzureForwarder
  $down = @(Get-Service -Name NTDS, Netlogon, DNS, DFSR | Where-Object Status -ne 'Running')
  if ($down.Count -gt 0) { throw "a domain controller, but not running: $($down.Name -join ', ')" }
  if ((Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters' -Name SysvolReady -ErrorAction SilentlyContinue).SysvolReady -ne 1) {
    throw 'a domain controller, but SYSVOL is not ready yet'
  }
  # Its own DC locator record, from its own DNS server (not the forwarder, not another DC's).
  $me = ($env:COMPUTERNAME + '.' + $domain).ToLowerInvariant()
  $srv = Resolve-DnsName -Name ('_ldap._tcp.dc._msdcs.' + $domain) -Type SRV -Server 127.0.0.1 -DnsOnly -NoRecursion -ErrorAction SilentlyContinue
  if (-not ($srv | Where-Object { $_.NameTarget -and $_.NameTarget.ToLowerInvariant() -eq $me })) {
    throw "a domain controller, but $me is not registered in the domain's DC locator records yet"
  }
  'akswin: already a domain controller'
  return
}
if ($Mode -eq 'Verify') {
  'akswin: not a domain controller yet'
  return
}
if (-not (Test-Path 'F:\')) { throw 'no F: data disk: the prepare-adds extension has not run on this VM' }
Set-AzureForwarder

# The vault's names through Azure DNS (168.63.129.16 answers the private zone linked to this
# VNet): the DNS servers on this machine's network interface may be on premises, where the vault
# resolves to its public address, which refuses every request.
if (-not (Get-DnsClientNrptRule | Where-Object Comment -eq 'akswin: Key Vault through Azure DNS')) {
  Add-DnsClientNrptRule -Namespace '.vault.azure.net', '.vaultcore.azure.net' -NameServers '168.63.129.16' -Comment 'akswin: Key Vault through Azure DNS' | Out-Null
}
Clear-DnsClientCache
$vaultIp = (Resolve-DnsName -Name ($keyVault + '.vault.azure.net') -Type A | Where-Object Type -eq 'A' | Select-Object -First 1).IPAddress
if (-not $vaultIp -or -not $vaultIp.StartsWith('10.240.7.')) {
  throw "$keyVault resolves to '$vaultIp', not its private endpoint in 10.240.7.32/28"
}

function Get-VaultSecret([string] $Name) {
  $token = (Invoke-RestMethod -Headers @{ Metadata = 'true' } -Uri ('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=' + $IdentityClientId)).access_token
  $secret = Invoke-RestMethod -Headers @{ Authorization = "Bearer $token" } -Uri ('https://' + $keyVault + '.vault.azure.net/secrets/' + $Name + '?api-version=7.4')
  ConvertTo-SecureString -String $secret.value -AsPlainText -Force
}

$dsrm = Get-VaultSecret 'dc-dsrm-password'
if ($Role -eq 'Forest') {
  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSForest')) {
    $result = Install-ADDSForest -DomainName $domain -DomainNetbiosName $netbios -InstallDns -DatabasePath 'F:\NTDS' -LogPath 'F:\NTDS' -SysvolPath 'F:\SYSVOL' -SafeModeAdministratorPassword $dsrm -NoRebootOnCompletion -Force
    if ($result.Status -ne 'Success') { throw "Install-ADDSForest: $($result.Status) $($result.Message)" }
  }
} else {
  # Wait until the domain answers: its DC locator record, and AD Web Services (9389) on a
  # partner domain controller.
  $deadline = (Get-Date).AddMinutes(20)
  $ready = $false
  while (-not $ready -and (Get-Date) -lt $deadline) {
    $srv = Resolve-DnsName -Name ('_ldap._tcp.dc._msdcs.' + $domain) -Type SRV -Server $partners[0] -ErrorAction SilentlyContinue
    $ready = $srv -and (Test-NetConnection -ComputerName $partners[0] -Port 9389 -InformationLevel Quiet -WarningAction SilentlyContinue)
    if (-not $ready) { Start-Sleep -Seconds 30 }
  }
  if (-not $ready) { throw "the domain $domain does not answer from $($partners[0]) (DNS SRV record, AD Web Services 9389) after 20 minutes" }
  # DOMAIN\user:password of an account that may add domain controllers.
  $join = Get-VaultSecret 'ad-join-credential'
  $plain = [System.Net.NetworkCredential]::new('', $join).Password
  $at = $plain.IndexOf(':')
  if ($at -lt 1) { throw 'the join credential is not DOMAIN\user:password' }
  $credential = New-Object System.Management.Automation.PSCredential($plain.Substring(0, $at), (ConvertTo-SecureString -String $plain.Substring($at + 1) -AsPlainText -Force))
  $plain = $null
  # One source for everything: the partner's name, the domain controller that replicates to
  # this one and that the site is checked on.
  $source = (Get-ADDomainController -Identity $partners[0] -Server $partners[0] -Credential $credential).HostName
  $options = @{ DomainName = $domain; Credential = $credential; InstallDns = $true; DatabasePath = 'F:\NTDS'; LogPath = 'F:\NTDS'; SysvolPath = 'F:\SYSVOL'; SafeModeAdministratorPassword = $dsrm; ReplicationSourceDC = $source; NoRebootOnCompletion = $true; Force = $true }
  # The Azure DCs' own AD site, with the Azure ranges as its subnets, so clients in Azure find
  # them first, in a site link so that it replicates. Each part is checked on its own; one
  # that cannot be made (it needs Enterprise Admins) stops here, before promotion: a domain
  # controller in a site no link includes would never replicate.
  $site = 'Azure-eastus2'
  $ad = @{ Server = $source; Credential = $credential }
  try {
    if (-not (Get-ADReplicationSite -Filter "Name -eq '$site'" @ad) -and $PSCmdlet.ShouldProcess($site, 'New-ADReplicationSite')) {
      New-ADReplicationSite -Name $site @ad
    }
    foreach ($range in @('10.200.0.0/24', '10.240.0.0/16')) {
      $subnet = Get-ADReplicationSubnet -Filter "Name -eq '$range'" @ad
      if (-not $subnet -and $PSCmdlet.ShouldProcess($range, "New-ADReplicationSubnet in $site")) {
        New-ADReplicationSubnet -Name $range -Site $site @ad
      } elseif ($subnet -and $subnet.Site -notmatch ('^CN=' + [regex]::Escape($site) + ',')) {
        # Clients in this range would look for domain controllers in that other site.
        throw "the subnet $range belongs to $($subnet.Site), not $site"
      }
    }
    $linked = Get-ADReplicationSiteLink -Filter * @ad | Where-Object { $_.SitesIncluded -match ('^CN=' + [regex]::Escape($site) + ',') }
    if (-not $linked -and $PSCmdlet.ShouldProcess($SiteLink, "add the site $site")) {
      Set-ADReplicationSiteLink -Identity $SiteLink -SitesIncluded @{ Add = $site } @ad
    }
  } catch {
    throw "the AD site ${site} is not ready ($($_.Exception.Message)): an Enterprise Admin creates it with the subnets 10.200.0.0/24, 10.240.0.0/16 and adds it to a site link (-SiteLink names one), then run this again"
  }
  $options.SiteName = $site
  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSDomainController')) {
    $result = Install-ADDSDomainController @options
    if ($result.Status -ne 'Success') { throw "Install-ADDSDomainController: $($result.Status) $($result.Message)" }
  }
}
# deploy.sh restarts the VM (a restart inside Run Command would leave the command hanging),
# then runs this again with -Mode Verify.
'akswin: promoted; restart required'
