#Requires -RunAsAdministrator
<#
.SYNOPSIS
  Promote this VM to a domain controller of corp.contoso.com (newForest): the first creates the new forest, the others join it.
.DESCRIPTION
  deploy.sh domain-controllers runs it on each new domain controller, in order, through Run
  Command (as SYSTEM). Safe to run again: a machine that is already a domain controller only
  gets its DNS forwarder checked. The passwords come from Key Vault kv-contoso-legacy through its private
  endpoint, read with the domain controllers' managed identity (id-contoso-legacy-dc), which may read
  these secrets and no other; they stay in secure strings and are never printed or put on a
  command line. It restarts the machine two minutes after a promotion.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  # Forest: the first DC of a new forest. Additional: another DC of that forest. Replica: a DC
  # that joins the existing domain.
  [Parameter(Mandatory)] [ValidateSet('Forest', 'Additional')] [string] $Role,
  # The client id of id-contoso-legacy-dc (deploy.sh passes it: az identity show --query clientId).
  [Parameter(Mandatory)] [string] $IdentityClientId,
  # Replica: the site link that connects the new AD site to the others.
  [string] $SiteLink = 'DEFAULTIPSITELINK'
)
$ErrorActionPreference = 'Stop'
$domain = 'corp.contoso.com'
$netbios = 'CORP'
$keyVault = 'kv-contoso-legacy'
$partners = @('10.200.0.132')

function Get-VaultSecret([string] $Name) {
  $token = (Invoke-RestMethod -Headers @{ Metadata = 'true' } -Uri ('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=' + $IdentityClientId)).access_token
  $secret = Invoke-RestMethod -Headers @{ Authorization = "Bearer $token" } -Uri ('https://' + $keyVault + '.vault.azure.net/secrets/' + $Name + '?api-version=7.4')
  ConvertTo-SecureString -String $secret.value -AsPlainText -Force
}

# Azure DNS answers the private DNS zones (Key Vault, the registry, the cluster's API server)
# that the VNets link: clients that resolve through this DC need it as the forwarder.
function Set-AzureForwarder {
  if ($PSCmdlet.ShouldProcess('DNS server', 'forward to Azure DNS 168.63.129.16')) {
    Set-DnsServerForwarder -IPAddress 168.63.129.16
  }
}

if ((Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole -ge 4) {
  Set-AzureForwarder
  'akswin: already a domain controller'
  return
}
if (-not (Test-Path 'F:\')) { throw 'no F: data disk: the prepare-adds extension has not run on this VM' }
Set-AzureForwarder
$dsrm = Get-VaultSecret 'dc-dsrm-password'
if ($Role -eq 'Forest') {
  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSForest')) {
    Install-ADDSForest -DomainName $domain -DomainNetbiosName $netbios -InstallDns -DatabasePath 'F:\NTDS' -LogPath 'F:\NTDS' -SysvolPath 'F:\SYSVOL' -SafeModeAdministratorPassword $dsrm -NoRebootOnCompletion -Force | Out-Null
  }
} else {
  # Wait until the domain answers: its DC locator record, and AD Web Services (9389) on a
  # partner domain controller.
  $deadline = (Get-Date).AddMinutes(45)
  $ready = $false
  while (-not $ready -and (Get-Date) -lt $deadline) {
    $srv = Resolve-DnsName -Name ('_ldap._tcp.dc._msdcs.' + $domain) -Type SRV -Server $partners[0] -ErrorAction SilentlyContinue
    $ready = $srv -and (Test-NetConnection -ComputerName $partners[0] -Port 9389 -InformationLevel Quiet -WarningAction SilentlyContinue)
    if (-not $ready) { Start-Sleep -Seconds 30 }
  }
  if (-not $ready) { throw "the domain $domain does not answer from $($partners[0]) (DNS SRV record, AD Web Services 9389) after 45 minutes" }
  # The new forest's administrator: the first DC's administrator account.
  $credential = New-Object System.Management.Automation.PSCredential(($netbios + '\akswindcadmin'), (Get-VaultSecret 'dc-admin-password'))
  $options = @{ DomainName = $domain; Credential = $credential; InstallDns = $true; DatabasePath = 'F:\NTDS'; LogPath = 'F:\NTDS'; SysvolPath = 'F:\SYSVOL'; SafeModeAdministratorPassword = $dsrm; NoRebootOnCompletion = $true; Force = $true }

  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSDomainController')) {
    Install-ADDSDomainController @options | Out-Null
  }
}
if ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'restart in two minutes to finish the promotion')) {
  shutdown.exe /r /t 120 /c 'akswin: AD DS promotion'
  'akswin: promoted; restarting in two minutes'
}
