#Requires -Modules DnsServer
<#
.SYNOPSIS
  The A records of the internal URLs in AD DNS (legacyweb.corp.contoso.com -> 10.240.7.4: each workload's internal load
  balancer address), so the application proxy connectors reach each application by the name
  Kerberos expects.
.DESCRIPTION
  Run on a domain controller (or with -ComputerName; `deploy.sh active-directory` runs it on contosolegdc1
  through Run Command). Safe to run again; -WhatIf shows what it
  would do. Each record goes into the most specific primary zone this DNS server already has
  for its host (the AD domain's, for a host inside it; conditional forwarders, secondary and
  stub zones do not count). Without one, it creates a zone named after the host that holds
  only this host, replicated to the domain's DNS servers; it never creates a zone for a parent
  domain, which would hide every other name under it.
#>
[CmdletBinding(SupportsShouldProcess)]
param([string] $ComputerName = $env:COMPUTERNAME)
$ErrorActionPreference = 'Stop'
$records = @(
  @{ HostName = 'legacyweb.corp.contoso.com'; Ip = '10.240.7.4' }
)
foreach ($record in $records) {
  $hostName = $record.HostName
  $ip = $record.Ip
  $zone = Get-DnsServerZone -ComputerName $ComputerName |
    Where-Object { $_.ZoneType -eq 'Primary' -and -not $_.IsAutoCreated -and -not $_.IsReverseLookupZone -and ($hostName -eq $_.ZoneName -or $hostName.EndsWith('.' + $_.ZoneName)) } |
    Sort-Object { $_.ZoneName.Length } -Descending | Select-Object -First 1 -ExpandProperty ZoneName
  if (-not $zone) {
    if ($PSCmdlet.ShouldProcess($hostName, 'Add-DnsServerPrimaryZone (a zone for this host only)')) {
      Add-DnsServerPrimaryZone -ComputerName $ComputerName -Name $hostName -ReplicationScope Domain
    }
    $zone = $hostName
  }
  # The zone's own name is its apex, '@'.
  $name = if ($zone -eq $hostName) { '@' } else { $hostName.Substring(0, $hostName.Length - $zone.Length - 1) }
  $existing = Get-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -ErrorAction SilentlyContinue
  if ($existing -and $existing.RecordData.IPv4Address.IPAddressToString -ne $ip) {
    if ($PSCmdlet.ShouldProcess($hostName, "replace A record with $ip")) {
      Remove-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -Force
      $existing = $null
    }
  }
  if (-not $existing -and $PSCmdlet.ShouldProcess($hostName, "Add A $ip")) {
    Add-DnsServerResourceRecordA -ComputerName $ComputerName -ZoneName $zone -Name $name -IPv4Address $ip
  }
}
'akswin: internal DNS records done'
