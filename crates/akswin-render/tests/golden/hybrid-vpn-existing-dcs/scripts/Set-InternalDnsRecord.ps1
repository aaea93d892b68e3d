#Requires -Modules DnsServer
<#
.SYNOPSIS
  The A record legacy.contoso.com -> 10.240.5.4 (the internal load balancer) in AD DNS, so the application
  proxy connectors reach the application by the name Kerberos expects.
.DESCRIPTION
  Run on a domain controller (or with -ComputerName). Safe to run again; -WhatIf shows what it
  would do. Creates the zone contoso.com if it does not exist (a split-brain zone for the public
  host name).
#>
[CmdletBinding(SupportsShouldProcess)]
param([string] $ComputerName = $env:COMPUTERNAME)
$ErrorActionPreference = 'Stop'
$zone = 'contoso.com'
$name = 'legacy'
$ip = '10.240.5.4'
if (-not (Get-DnsServerZone -ComputerName $ComputerName -Name $zone -ErrorAction SilentlyContinue)) {
  if ($PSCmdlet.ShouldProcess($zone, 'Add-DnsServerPrimaryZone')) {
    Add-DnsServerPrimaryZone -ComputerName $ComputerName -Name $zone -ReplicationScope Domain
  }
}
$existing = Get-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -ErrorAction SilentlyContinue
if ($existing -and $existing.RecordData.IPv4Address.IPAddressToString -ne $ip) {
  if ($PSCmdlet.ShouldProcess("$name.$zone", "replace A record with $ip")) {
    Remove-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -Force
    $existing = $null
  }
}
if (-not $existing -and $PSCmdlet.ShouldProcess("$name.$zone", "Add A $ip")) {
  Add-DnsServerResourceRecordA -ComputerName $ComputerName -ZoneName $zone -Name $name -IPv4Address $ip
}
