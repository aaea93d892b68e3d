//! PowerShell for the steps ARM cannot do: gMSA in Active Directory (and the credential spec
//! only AD can complete), publishing the application in Microsoft Entra application proxy
//! through Microsoft Graph, and the AD DNS record of the internal URL. Every script supports
//! `-WhatIf`, checks before it creates (safe to run again), and never prints a secret.

use akswin_plan::NetworkPlan;
use akswin_plan::ingress::IngressRoute;
use akswin_plan::names::Names;
use akswin_spec::Spec;
use akswin_spec::spec::IngressPath;
use std::fmt::Write as _;

fn ps(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The workloads published through the application proxy.
fn proxied(plan: &NetworkPlan) -> Vec<&IngressRoute> {
    plan.ingress
        .iter()
        .filter(|r| r.path == IngressPath::AppProxy)
        .collect()
}

/// Whether `scripts/Set-Gmsa.ps1` is rendered: gMSA on, with an AD domain.
pub fn has_gmsa(spec: &Spec) -> bool {
    spec.identity.gmsa.enabled && spec.identity.active_directory.is_some()
}

/// The internal URLs' A records (host, address) of the workloads behind the application proxy.
fn internal_records(plan: &NetworkPlan) -> Vec<(String, String)> {
    proxied(plan)
        .iter()
        .filter_map(|r| Some((r.internal_host.clone(), r.ip?.to_string())))
        .collect()
}

/// Whether `scripts/Set-InternalDnsRecord.ps1` is rendered: an AD domain and a workload
/// behind the application proxy with an address.
pub fn has_dns_record(spec: &Spec, plan: &NetworkPlan) -> bool {
    spec.identity.active_directory.is_some() && !internal_records(plan).is_empty()
}

/// `scripts/Set-Gmsa.ps1` (when gMSA is on). With new domain controllers, `deploy.sh
/// active-directory` runs it on the first of them through Run Command (`-IdentityClientId`:
/// Key Vault through its REST API with the domain controllers' identity); by hand, on a
/// domain-joined machine with the Azure CLI. Both write the credential specs from
/// [`crate::k8s::gmsa_credential_spec`].
pub fn gmsa(spec: &Spec, plan: &NetworkPlan, n: &Names) -> Option<String> {
    let g = &spec.identity.gmsa;
    let ad = spec
        .identity
        .active_directory
        .as_ref()
        .filter(|_| has_gmsa(spec))?;
    let secret = g
        .key_vault_secret
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let on_dc = !plan.addresses.domain_controller_ips.is_empty();
    // The SPNs and the delegation only matter when application proxy signs users in.
    let kerberos: Vec<(&str, &str)> = proxied(plan)
        .into_iter()
        .filter_map(|r| Some((r.gmsa_account.as_deref()?, r.spn.as_deref()?)))
        .collect();
    let ways = if on_dc {
        format!(
            r#"  Two ways to run it:
  - `deploy.sh active-directory` runs it on {dc}, the first new domain controller, through Run
    Command, as SYSTEM (which may change Active Directory on a domain controller), with
    -IdentityClientId and -KubeletObjectId: Active Directory on that domain controller, Key
    Vault through its REST API with the domain controllers' identity ({id_dc}: Key Vault
    Secrets Officer on this one secret). It prints the domain's forest, GUID and SID (nothing
    secret), and deploy.sh writes the credential specs.
  - By hand, on a domain-joined machine with the ActiveDirectory module and the Azure CLI
    signed in with Microsoft.KeyVault/vaults/secrets/write on {kv} (Key Vault Contributor
    or Contributor): Key Vault through Azure Resource Manager, so no network path to the
    vault is needed. It writes the credential specs into -OutputDirectory."#,
            dc = n.dc_vm(0),
            id_dc = n.id_dc,
            kv = n.key_vault,
        )
    } else {
        format!(
            r#"  Run it on a domain-joined machine with the ActiveDirectory module and the Azure CLI
  signed in with Microsoft.KeyVault/vaults/secrets/write on {kv} (Key Vault Contributor or
  Contributor): Key Vault through Azure Resource Manager, so no network path to the vault is
  needed. It writes the credential specs into -OutputDirectory."#,
            kv = n.key_vault,
        )
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"#Requires -Modules ActiveDirectory
<#
.SYNOPSIS
  gMSA for {name}: host group, gMSA accounts, the standard domain user whose credential the
  AKS kubelet identity reads from Key Vault, and the GMSACredentialSpec manifests (their
  domain GUID and SID, and the kubelet identity's object id, only exist once AD and the
  cluster do, so they are written now; akswin does not guess them).
.DESCRIPTION
{ways}
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
$domain = {domain}
$netbios = {netbios}
$hostGroup = {group}
$standardUser = {standard_user}
$keyVault = {kv}
$secretName = {secret}
$ConnectorComputers = @($ConnectorComputers | ForEach-Object {{ $_ -split ',' }} | ForEach-Object {{ $_.Trim() }} | Where-Object {{ $_ }})

if ($IdentityClientId) {{
  # On a domain controller (Run Command, as SYSTEM): every AD cmdlet talks to this one, and Key
  # Vault is reached through its REST API with the domain controllers' identity.
  $PSDefaultParameterValues['*-AD*:Server'] = $env:COMPUTERNAME
  $secretUri = "https://$keyVault.vault.azure.net/secrets/$secretName"
  function Invoke-Vault([string] $Method, [string] $Uri, $Body) {{
    $token = (Invoke-RestMethod -Headers @{{ Metadata = 'true' }} -Uri ('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=' + $IdentityClientId)).access_token
    $request = @{{ Method = $Method; Uri = $Uri; Headers = @{{ Authorization = "Bearer $token" }} }}
    if ($null -ne $Body) {{
      $request.Body = ConvertTo-Json -InputObject $Body -Compress
      $request.ContentType = 'application/json'
    }}
    Invoke-RestMethod @request
  }}
  # The tag of the secret's current (newest) version, read from the versions' metadata: never
  # the value.
  function Get-CredentialTag {{
    $versions = @()
    $next = "$secretUri/versions?api-version=7.4"
    while ($next) {{
      $page = Invoke-Vault GET $next
      $versions += @($page.value)
      $next = $page.nextLink
    }}
    $current = $versions | Sort-Object {{ [long] $_.attributes.created }} -Descending | Select-Object -First 1
    if ($current -and $current.tags) {{ $current.tags.akswin }}
  }}
  function Set-Credential([string] $Value) {{
    $stored = Invoke-Vault PUT "${{secretUri}}?api-version=7.4" @{{ value = $Value; tags = @{{ akswin = 'pending' }} }}
    $script:credentialVersion = ($stored.id -split '/')[-1]
  }}
  function Confirm-Credential {{
    Invoke-Vault PATCH "$secretUri/$($script:credentialVersion)?api-version=7.4" @{{ tags = @{{ akswin = 'gmsa-standard-user' }} }} | Out-Null
  }}
}} else {{
  # By hand: Key Vault through Azure Resource Manager, its management plane, which needs no
  # network path to the vault (closed to public networks, reachable only through its private
  # endpoint). You need Microsoft.KeyVault/vaults/secrets/write on it (Key Vault Contributor or
  # Contributor); the value goes through a parameters file readable only by you, deleted at
  # once, into a securestring parameter (deployment history keeps no value), never a command line.
  $subscription = az account show --query id --output tsv
  if ($LASTEXITCODE -ne 0 -or -not $subscription) {{ throw 'sign in with the Azure CLI first (az login)' }}
  $secretId = "/subscriptions/$subscription/resourceGroups/{rg_shared_plain}/providers/Microsoft.KeyVault/vaults/$keyVault/secrets/$secretName"
  function Get-CredentialTag {{
    $err = New-TemporaryFile
    try {{
      $tag = az resource show --ids $secretId --query tags.akswin --output tsv 2>$err
      if ($LASTEXITCODE -ne 0) {{
        # A secret that is not there yet has no tag (a vault akswin did not create has no
        # placeholder in it).
        $why = Get-Content -Raw -Path $err
        if ($why -match 'ResourceNotFound|SecretNotFound|was not found') {{ return '' }}
        throw "the Azure CLI could not read the secret (az resource show): $why"
      }}
      $tag
    }} finally {{
      Remove-Item -Path $err -Force -ErrorAction SilentlyContinue
    }}
  }}
  # A new version of the secret with this value and tag, through a one-resource deployment.
  function Save-Credential([string] $Value, [string] $Tag) {{
    $template = New-TemporaryFile
    $parameters = New-TemporaryFile
    try {{
      Set-Content -Path $template -Value (ConvertTo-Json -Depth 10 -InputObject @{{
        '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
        contentVersion = '1.0.0.0'
        parameters = @{{ value = @{{ type = 'securestring' }} }}
        resources = @(@{{
          type = 'Microsoft.KeyVault/vaults/secrets'
          apiVersion = '{api_kv}'
          name = "$keyVault/$secretName"
          tags = @{{ akswin = $Tag }}
          properties = @{{ value = '[parameters(''value'')]' }}
        }})
      }})
      Set-Content -Path $parameters -Value (ConvertTo-Json -Depth 5 -InputObject @{{
        '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'
        contentVersion = '1.0.0.0'
        parameters = @{{ value = @{{ value = $Value }} }}
      }})
      az deployment group create --resource-group {rg_shared} --name 'akswin-gmsa-credential' --template-file $template --parameters "@$parameters" --output none
      if ($LASTEXITCODE -ne 0) {{ throw 'the Azure CLI could not store it (az deployment group create)' }}
    }} finally {{
      Remove-Item $template, $parameters -Force
    }}
  }}
  function Set-Credential([string] $Value) {{
    Save-Credential $Value 'pending'
    $script:credential = $Value
  }}
  # Tagged live: the same value again, as a new version (management-plane tags go with a value).
  function Confirm-Credential {{
    Save-Credential $script:credential 'gmsa-standard-user'
    $script:credential = $null
  }}
}}

# gMSA passwords come from the KDS root key. Never add a second one; create one only when the
# domain has none, and use it only once every domain controller can (10 hours after it takes
# effect, the replication allowance Microsoft documents).
$kdsKeys = @(Get-KdsRootKey)
if ($kdsKeys.Count -eq 0) {{
  if ($KdsRootKey -eq 'Lab') {{
    if ($PSCmdlet.ShouldProcess('KDS root key', 'Add, backdated 10 hours (-KdsRootKey Lab: test forests only)')) {{
      Add-KdsRootKey -EffectiveTime ((Get-Date).AddHours(-10)) | Out-Null
    }}
  }} elseif ($PSCmdlet.ShouldProcess('KDS root key', 'Add (domain controllers can use it after up to 10 hours)')) {{
    Add-KdsRootKey -EffectiveImmediately | Out-Null
    'akswin: created the KDS root key; every domain controller can use it after ' + (Get-Date).ToUniversalTime().AddHours(10).ToString('u') + ': run this again then'
    return
  }}
}} elseif (-not ($kdsKeys | Where-Object {{ $_.EffectiveTime.ToUniversalTime() -le (Get-Date).ToUniversalTime().AddHours(-10) }})) {{
  'akswin: the KDS root key is younger than 10 hours: run this again once every domain controller can use it'
  return
}}
if (-not (Get-ADGroup -Filter "Name -eq '$hostGroup'")) {{
  if ($PSCmdlet.ShouldProcess($hostGroup, 'New-ADGroup')) {{
    New-ADGroup -Name $hostGroup -GroupScope Global -GroupCategory Security
  }}
}}
# The standard user's credential: Key Vault first, tagged pending, then Active Directory, then the
# tag says the secret is live. A failure at any point leaves a secret that is not tagged live, and
# the next run repairs it (a new password for the user); -StandardUserPassword Reset rotates.
try {{
  $tag = Get-CredentialTag
}} catch {{
  throw "cannot read the tags of $secretName in ${{keyVault}}: $_"
}}
$user = Get-ADUser -Filter "SamAccountName -eq '$standardUser'"
if (-not $user -or $tag -ne 'gmsa-standard-user' -or $StandardUserPassword -eq 'Reset') {{
  if ($PSCmdlet.ShouldProcess($standardUser, 'store DOMAIN\user:password in Key Vault, then create the user or reset its password')) {{
    $bytes = New-Object byte[] 32
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $plain = [Convert]::ToBase64String($bytes) + 'aA1!'
    try {{
      Set-Credential ("$domain\$standardUser" + ':' + $plain)
    }} catch {{
      throw "could not store the secret in ${{keyVault}}; Active Directory was not changed: $_"
    }}
    $secure = ConvertTo-SecureString $plain -AsPlainText -Force
    $plain = $null
    if ($user) {{
      Set-ADAccountPassword -Identity $standardUser -Reset -NewPassword $secure
    }} else {{
      New-ADUser -Name $standardUser -SamAccountName $standardUser -Enabled $true -PasswordNeverExpires $true -AccountPassword $secure
    }}
    try {{
      Confirm-Credential
    }} catch {{
      throw "the password is set in Active Directory, but the secret's tag could not be updated: run this again ($_)"
    }}
  }}
}}
$group = Get-ADGroup -Filter "Name -eq '$hostGroup'"
$member = $group -and $user -and (Get-ADGroupMember -Identity $hostGroup | Where-Object {{ $_.SamAccountName -eq $standardUser }})
if (-not $member) {{
  if ($PSCmdlet.ShouldProcess($hostGroup, "Add-ADGroupMember $standardUser")) {{
    Add-ADGroupMember -Identity $hostGroup -Members $standardUser
  }}
}}
if (-not $KubeletObjectId) {{
  $KubeletObjectId = az identity show --resource-group {rg_kubelet} --name {id_kubelet} --query principalId --output tsv
  if (-not $KubeletObjectId) {{ throw 'cannot read the kubelet identity (az identity show): deploy arm/main.json first, or pass -KubeletObjectId (az aks show --query identityProfile.kubeletidentity.objectId)' }}
}}
$adDomain = Get-ADDomain -Identity $domain
# The credential specs name the domain as the spec does: a NetBIOS or DNS name that differs
# from the domain's own lets every gMSA pod start and fail to authenticate.
if ($adDomain.DNSRoot -ne $domain -or $adDomain.NetBIOSName -ne $netbios) {{
  throw "the domain is $($adDomain.DNSRoot) ($($adDomain.NetBIOSName)), but the spec says $domain ($netbios): fix identity.activeDirectory and render again"
}}
$forest = $adDomain.Forest
$domainGuid = $adDomain.ObjectGUID.ToString()
$domainSid = $adDomain.DomainSID.Value
if ($IdentityClientId) {{
  # deploy.sh writes the credential specs from these (none of them is secret).
  "akswin: domain forest=$forest;guid=$domainGuid;sid=$domainSid"
}}
"#,
        name = spec.name,
        domain = ps(&ad.domain),
        netbios = ps(&ad.netbios),
        group = ps(&g
            .accounts
            .first()
            .and_then(|a| a.host_group.clone())
            .unwrap_or_else(|| "aks-gmsa-hosts".into())),
        kv = ps(&n.key_vault),
        secret = ps(&secret),
        rg_shared = ps(n.key_vault_group.as_deref().unwrap_or(&n.rg_shared)),
        rg_shared_plain = n.key_vault_group.as_deref().unwrap_or(&n.rg_shared),
        api_kv = crate::arm::API_KEYVAULT,
        id_kubelet = ps(&n.id_kubelet),
        standard_user = ps(&g.standard_user),
        rg_kubelet = ps(n.kubelet_identity_group.as_deref().unwrap_or(&n.rg_shared)),
    );
    for a in &g.accounts {
        let group = a
            .host_group
            .clone()
            .unwrap_or_else(|| "aks-gmsa-hosts".into());
        let _ = writeln!(
            s,
            r#"
# gMSA {account}
if (-not (Get-ADServiceAccount -Filter "Name -eq '{account}'")) {{
  if ($PSCmdlet.ShouldProcess({account_q}, 'New-ADServiceAccount')) {{
    New-ADServiceAccount -Name {account_q} -DNSHostName ({account_q} + '.' + $domain) `
      -PrincipalsAllowedToRetrieveManagedPassword {group_q}
  }}
}}
$path = Join-Path $OutputDirectory {file_q}
if (-not $IdentityClientId -and $PSCmdlet.ShouldProcess($path, 'write the GMSACredentialSpec (apply it with kubectl apply -f)')) {{
  Set-Content -Path $path -Value @"
{credspec}"@
}}"#,
            account = a.name,
            account_q = ps(&a.name),
            group_q = ps(&group),
            file_q = ps(&crate::k8s::gmsa_credential_spec_file(&a.name)),
            credspec = crate::k8s::gmsa_credential_spec(
                &a.name,
                &ad.domain,
                &ad.netbios,
                &n.key_vault,
                &secret
            ),
        );
        for (_, spn) in kerberos.iter().filter(|(acc, _)| *acc == a.name) {
            let _ = writeln!(
                s,
                r#"
# Kerberos single sign-on through application proxy: the internal URL's SPN on {account}, and
# resource-based constrained delegation from the connector servers to {account}.
$spn = {spn_q}
$owner = Get-ADObject -LDAPFilter "(servicePrincipalName=$spn)" -Properties sAMAccountName | Select-Object -First 1
if ($owner -and $owner.sAMAccountName -ne {sam_q}) {{
  throw "$spn is already registered on $($owner.sAMAccountName): a duplicate SPN breaks Kerberos; remove it there first (setspn -D)"
}}
if (-not $owner -and $PSCmdlet.ShouldProcess({account_q}, "add the SPN $spn")) {{
  Set-ADServiceAccount -Identity {account_q} -ServicePrincipalNames @{{ Add = $spn }}
}}
if ($ConnectorComputers.Count -eq 0) {{
  Write-Warning "no connector computers: Kerberos SSO fails until the application proxy connector servers may delegate to {account}; run this again with them ({again})"
}} elseif ($PSCmdlet.ShouldProcess({account_q}, "allow delegation from $($ConnectorComputers -join ', ')")) {{
  # Added to whoever may delegate already, never replacing them.
  $current = @((Get-ADServiceAccount -Identity {account_q} -Properties PrincipalsAllowedToDelegateToAccount).PrincipalsAllowedToDelegateToAccount)
  $connectors = @($ConnectorComputers | ForEach-Object {{ (Get-ADComputer -Identity $_).DistinguishedName }})
  Set-ADServiceAccount -Identity {account_q} -PrincipalsAllowedToDelegateToAccount @(@($current) + $connectors | Where-Object {{ $_ }} | Sort-Object -Unique)
}}"#,
                account = a.name,
                account_q = ps(&a.name),
                sam_q = ps(&format!("{}$", a.name)),
                spn_q = ps(spn),
                again = if on_dc {
                    "AKSWIN_CONNECTOR_COMPUTERS=<name>,<name> ./deploy.sh active-directory, or -ConnectorComputers <name>,<name>"
                } else {
                    "-ConnectorComputers <name>,<name>"
                },
            );
        }
    }
    s.push_str("'akswin: gmsa done'\n");
    Some(s)
}

/// `scripts/Publish-AppProxy.ps1` (when the application proxy publishes a workload): one
/// application per workload behind the proxy.
pub fn app_proxy(spec: &Spec, plan: &NetworkPlan, n: &Names) -> Option<String> {
    let ap = &spec.ingress.app_proxy;
    let routes = proxied(plan);
    if !ap.enabled || routes.is_empty() {
        return None;
    }
    let ranges: Vec<String> = ap
        .conditional_access
        .as_ref()
        .map(|c| c.allowed_ip_ranges.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    let excluded: Vec<String> = ap
        .conditional_access
        .as_ref()
        .map(|c| c.exclude_groups.iter().map(|g| ps(g)).collect())
        .unwrap_or_default();
    let ca_state = match ap.conditional_access.as_ref().map(|c| c.state) {
        Some(akswin_spec::spec::CaState::ReportOnly) => "enabledForReportingButNotEnforced",
        _ => "enabled",
    };
    // One host name end to end: with Front Door in front and a custom domain whose certificate
    // is in Key Vault, the application proxy publishes that same host (a custom domain), so
    // pre-authentication redirects and cookies stay on the name users browse to, behind the
    // WAF, and internal and external URLs are the same.
    let table = routes
        .iter()
        .map(|r| {
            let custom = r.custom_domain && r.certificate_secret.is_some();
            format!(
                "  @{{ Workload = {w}; DisplayName = {app}; InternalUrl = {internal}; ExternalUrl = {external}; Spn = {spn}; CertificateSecret = {cert}; TranslateHostHeader = ${translate}; Variable = {var} }}",
                w = ps(&r.workload),
                app = ps(r.app_proxy_app.as_deref().unwrap_or_default()),
                internal = ps(&format!("https://{}/", r.internal_host)),
                external = ps(&if custom { format!("https://{}/", r.host) } else { String::new() }),
                spn = ps(r.spn.as_deref().unwrap_or_default()),
                cert = ps(if custom { r.certificate_secret.as_deref().unwrap_or_default() } else { "" }),
                var = ps(&r.external_host_variable()),
                translate = r.translate_host_header,
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"#Requires -Modules Microsoft.Graph.Beta.Applications, Microsoft.Graph.Identity.SignIns, Microsoft.Graph.Identity.DirectoryManagement
<#
.SYNOPSIS
  Publish the workloads of {name} that sign users in through Microsoft Entra application
  proxy: one application each, with pre-authentication, Kerberos constrained delegation single
  sign-on to its internal URL, the connector group, and a conditional access policy that only
  admits the allowed IP ranges.
.DESCRIPTION
  Needs directory permissions (Application Administrator and Conditional Access
  Administrator) and {connectors} connectors installed in the appProxyConnectors subnet.
  Safe to run again: it finds each application by name before creating it. -WhatIf shows
  what it would do. Prints each external URL's host: Front Door's origin (`deploy.sh
  frontdoor` takes it in the variable printed next to it).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  [string] $ConnectorGroupName = {group},
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
$keyVault = {kv}
# One application per workload. ExternalUrl: the custom domain Front Door serves, or empty for
# the tenant's msappproxy.net domain (https://<app>-<tenant>.msappproxy.net/).
$applications = @(
{table}
) | Where-Object {{ $Workload.Count -eq 0 -or $Workload -contains $_.Workload }}
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
if (-not $group -and $PSCmdlet.ShouldProcess($ConnectorGroupName, 'New-MgBetaOnPremisePublishingProfileConnectorGroup')) {{
  $group = New-MgBetaOnPremisePublishingProfileConnectorGroup -OnPremisesPublishingProfileId 'applicationProxy' -BodyParameter @{{ name = $ConnectorGroupName }}
}}
if ($group) {{
  $connectors = Get-MgBetaOnPremisePublishingProfileConnector -OnPremisesPublishingProfileId 'applicationProxy'
  foreach ($machine in $ConnectorMachineNames) {{
    # The exact machine (or its FQDN): a prefix would also move conn10 for conn1.
    $connector = $connectors | Where-Object {{ $_.MachineName -eq $machine -or $_.MachineName -like "$machine.*" }} | Select-Object -First 1
    if (-not $connector) {{
      Write-Warning "no registered connector on ${{machine}}: install the connector there, then run this script again"
    }} elseif (@(Get-MgBetaOnPremisePublishingProfileConnectorMemberOf -OnPremisesPublishingProfileId 'applicationProxy' -ConnectorId $connector.Id | Where-Object Id -eq $group.Id).Count -gt 0) {{
      # Already in the group.
    }} elseif ($PSCmdlet.ShouldProcess($machine, "move the connector into $ConnectorGroupName")) {{
      New-MgBetaOnPremisePublishingProfileConnectorMemberOfByRef -OnPremisesPublishingProfileId 'applicationProxy' -ConnectorId $connector.Id -OdataId ($groupsBase + $group.Id)
    }}
  }}
}}

$published = @()
foreach ($a in $applications) {{
  $displayName = $a.DisplayName
  $externalUrl = $a.ExternalUrl
  if (-not $externalUrl) {{
    if (-not $initial) {{ throw 'cannot find the tenant initial domain' }}
    $externalUrl = 'https://' + $displayName.ToLowerInvariant() + '-' + $initial.Name.Split('.')[0].ToLowerInvariant() + '.msappproxy.net/'
  }}
  $externalHost = ([uri]$externalUrl).Host
  if (-not $externalHost.EndsWith('.msappproxy.net')) {{
    # A custom domain needs its parent domain verified in the tenant.
    if (-not ($verifiedDomains | Where-Object {{ $externalHost.EndsWith('.' + $_.Name) }})) {{
      throw "the parent domain of $externalHost is not a verified domain of this tenant: verify it in Microsoft Entra first (custom domains need it)"
    }}
  }}
  $app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
  if (-not $app -and $PSCmdlet.ShouldProcess($displayName, 'instantiate the on-premises application template')) {{
    Invoke-MgBetaInstantiateApplicationTemplate -ApplicationTemplateId $templateId -DisplayName $displayName | Out-Null
    Start-Sleep -Seconds 15
    $app = Get-MgBetaApplication -Filter "displayName eq '$displayName'" | Select-Object -First 1
  }}
  if (-not $app) {{ continue }}
  if ($PSCmdlet.ShouldProcess($displayName, 'configure on-premises publishing (pre-authentication, Kerberos SSO)')) {{
    # The tutorial order: the URLs of the application object first, then on-premises publishing.
    Update-MgBetaApplication -ApplicationId $app.Id -IdentifierUris @($externalUrl.TrimEnd('/')) `
      -Web @{{ RedirectUris = @($externalUrl); HomePageUrl = $externalUrl }}
    $publishing = @{{
      externalUrl = $externalUrl
      internalUrl = $a.InternalUrl
      externalAuthenticationType = 'aadPreAuthentication'
      isTranslateHostHeaderEnabled = $a.TranslateHostHeader
      # The connector checks the workload's certificate: it must carry the internal URL's host
      # and chain to a root the connector servers trust.
      isBackendCertificateValidationEnabled = $true
      isOnPremPublishingEnabled = $true
    }}
    if ($a.CertificateSecret -and -not $externalHost.EndsWith('.msappproxy.net')) {{
      # A custom domain: the application proxy serves it with the same certificate Front Door
      # uses, read from Key Vault with its chain and re-exported with a one-time password
      # (never written anywhere but a temporary file). Run again after the certificate is
      # renewed in Key Vault: Front Door follows new versions, the application proxy keeps the
      # copy it was given; the thumbprint decides whether to upload.
      $certificateSecret = $a.CertificateSecret
      $contentType = az keyvault secret show --vault-name $keyVault --name $certificateSecret --query contentType --output tsv
      if ($LASTEXITCODE -ne 0) {{ throw "cannot read the certificate $certificateSecret from ${{keyVault}} (Front Door's certificate vault): run this from the address the vault admits (AKSWIN_OPERATOR_IP at bootstrap), with Key Vault Secrets User or Officer on it" }}
      if ($contentType -ne 'application/x-pkcs12') {{ throw "$certificateSecret in $keyVault is '$contentType', not a PFX (application/x-pkcs12): import the certificate as PFX" }}
      $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString() + '.pfx')
      $chain = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2Collection
      try {{
        az keyvault secret download --vault-name $keyVault --name $certificateSecret --file $tmp --encoding base64
        if ($LASTEXITCODE -ne 0) {{ throw "cannot download the certificate $certificateSecret from ${{keyVault}}" }}
        $chain.Import($tmp, '', 'Exportable')
        $leaf = $chain | Where-Object HasPrivateKey | Select-Object -First 1
        if (-not $leaf) {{ throw "$certificateSecret holds no certificate with a private key" }}
        $current = (Get-MgBetaApplication -ApplicationId $app.Id -Property onPremisesPublishing).OnPremisesPublishing.VerifiedCustomDomainCertificatesMetadata.Thumbprint
        if ($current -ne $leaf.Thumbprint) {{
          $bytes = New-Object byte[] 24
          [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
          $pfxPassword = [Convert]::ToBase64String($bytes)
          # The whole chain: Front Door validates the origin's chain, not only its leaf.
          $publishing.verifiedCustomDomainKeyCredential = @{{ type = 'X509CertAndPassword'; value = [Convert]::ToBase64String($chain.Export('Pfx', $pfxPassword)) }}
          $publishing.verifiedCustomDomainPasswordCredential = @{{ value = $pfxPassword }}
        }}
      }} finally {{
        foreach ($c in $chain) {{ $c.Reset() }}
        if (Test-Path $tmp) {{ Remove-Item $tmp -Force }}
      }}
    }}
    if ($a.Spn) {{
      $publishing.singleSignOnSettings = @{{
        singleSignOnMode = 'onPremisesKerberos'
        kerberosSignOnSettings = @{{ kerberosServicePrincipalName = $a.Spn; kerberosSignOnMappingAttributeType = 'userPrincipalName' }}
      }}
    }}
    # The body as Graph documents it (the typed parameter would rename the key credential's
    # `value`).
    Update-MgBetaApplication -ApplicationId $app.Id -BodyParameter @{{ onPremisesPublishing = $publishing }}
  }}
  if ($group -and $PSCmdlet.ShouldProcess($displayName, "assign the connector group $ConnectorGroupName")) {{
    Set-MgBetaApplicationConnectorGroupByRef -ApplicationId $app.Id -OdataId ($groupsBase + $group.Id)
  }}
  $published += $app
  # Read back the external URL Microsoft Entra assigned.
  $publishedUrl = (Get-MgBetaApplication -ApplicationId $app.Id -Property onPremisesPublishing).OnPremisesPublishing.ExternalUrl
  if ($publishedUrl -and ([uri]$publishedUrl).Host.EndsWith('.msappproxy.net')) {{
    "$($a.Workload): external URL $publishedUrl"
    # Front Door's origin is the bare host name, which deploy.sh frontdoor takes:
    "$($a.Variable)=$(([uri]$publishedUrl).Host)"
  }} elseif ($publishedUrl) {{
    "$($a.Workload): external URL $publishedUrl (a custom domain)"
    # Front Door's origin is the msappproxy.net name the custom domain maps to: Microsoft Entra
    # admin center, Enterprise applications, this application, Application proxy (the CNAME
    # target it shows). Front Door sends the custom host name as the origin host header.
    Write-Warning "set $($a.Variable) to the msappproxy.net name Microsoft Entra shows for $(([uri]$publishedUrl).Host) (do not point public DNS there: it points at Front Door)"
  }} else {{
    Write-Warning "$($a.Workload) has no external URL yet (-WhatIf, or publishing did not finish): run this script again"
  }}
}}"#,
        name = spec.name,
        connectors = ap.connectors,
        group = ps(&format!("{}-connectors", n.prefix)),
        kv = ps(&n.key_vault_front_door),
        table = table,
    );
    if !ranges.is_empty() {
        let _ = writeln!(
            s,
            r#"# Conditional access: admit only the allowed client IP ranges to these applications.
$locationName = {loc}
$location = Get-MgIdentityConditionalAccessNamedLocation -Filter "displayName eq '$locationName'" | Select-Object -First 1
if (-not $location -and $PSCmdlet.ShouldProcess($locationName, 'New-MgIdentityConditionalAccessNamedLocation')) {{
  $location = New-MgIdentityConditionalAccessNamedLocation -BodyParameter @{{
    '@odata.type' = '#microsoft.graph.ipNamedLocation'
    displayName = $locationName
    # Not trusted: these ranges only decide who may reach these applications; marking them
    # trusted would lower sign-in risk for every application in the tenant.
    isTrusted = $false
    ipRanges = @({ranges})
  }}
}}
$policyName = {policy}
$appIds = @($published | ForEach-Object {{ $_.AppId }})
$policy = Get-MgIdentityConditionalAccessPolicy -Filter "displayName eq '$policyName'" | Select-Object -First 1
$conditions = @{{
  clientAppTypes = @('all')
  applications = @{{ includeApplications = $appIds }}
  users = @{{ includeUsers = @('All'); excludeGroups = @({excluded}) }}
  locations = @{{ includeLocations = @('All'); excludeLocations = @($location.Id) }}
}}
if ($appIds.Count -gt 0 -and $location -and -not $policy -and $PSCmdlet.ShouldProcess($policyName, 'New-MgIdentityConditionalAccessPolicy')) {{
  New-MgIdentityConditionalAccessPolicy -BodyParameter @{{
    displayName = $policyName
    state = {state}
    conditions = $conditions
    grantControls = @{{ operator = 'OR'; builtInControls = @('block') }}
  }} | Out-Null
}} elseif ($policy -and $appIds.Count -gt 0 -and $location -and $Workload.Count -eq 0 -and
    (Compare-Object @($policy.Conditions.Applications.IncludeApplications) $appIds) -and
    $PSCmdlet.ShouldProcess($policyName, 'Update-MgIdentityConditionalAccessPolicy (the published applications)')) {{
  # A workload was added or removed since the policy was created: it covers exactly these.
  Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId $policy.Id -BodyParameter @{{ conditions = $conditions }}
}}"#,
            loc = ps(&format!("{}-allowed-ranges", n.prefix)),
            policy = ps(&format!("{}: block outside the allowed ranges", n.prefix)),
            excluded = excluded.join(", "),
            state = ps(ca_state),
            ranges = ranges
                .iter()
                .map(|r| format!(
                    "@{{ '@odata.type' = '#microsoft.graph.iPv4CidrRange'; cidrAddress = '{r}' }}"
                ))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let _ = writeln!(
        s,
        "# Each internal URL must resolve to its workload's internal load balancer address for the connectors: see Set-InternalDnsRecord.ps1."
    );
    Some(s)
}

/// `scripts/Set-InternalDnsRecord.ps1`: the AD DNS A record of the internal URL. The record goes
/// into the most specific zone the DNS server already has for the host (the AD domain's, for a
/// host inside it); without one, into a zone that holds only the host itself. Never a zone for
/// the parent domain: an AD-integrated `contoso.com` would answer NXDOMAIN for every other
/// `*.contoso.com` name to every node, pod and connector that resolves through these servers.
pub fn dns_record(spec: &Spec, plan: &NetworkPlan, n: &Names) -> Option<String> {
    if !has_dns_record(spec, plan) {
        return None;
    }
    let records = internal_records(plan);
    let summary = records
        .iter()
        .map(|(h, ip)| format!("{h} -> {ip}"))
        .collect::<Vec<_>>()
        .join(", ");
    let table = records
        .iter()
        .map(|(h, ip)| format!("  @{{ HostName = {}; Ip = {} }}", ps(h), ps(ip)))
        .collect::<Vec<_>>()
        .join("\n");
    let how = if plan.addresses.domain_controller_ips.is_empty() {
        "the DNS Server tools installed".to_string()
    } else {
        format!(
            "`deploy.sh active-directory` runs it on {}\n  through Run Command",
            n.dc_vm(0)
        )
    };
    Some(format!(
        r#"#Requires -Modules DnsServer
<#
.SYNOPSIS
  The A records of the internal URLs in AD DNS ({summary}: each workload's internal load
  balancer address), so the application proxy connectors reach each application by the name
  Kerberos expects.
.DESCRIPTION
  Run on a domain controller (or with -ComputerName; {how}). Safe to run again; -WhatIf shows what it
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
{table}
)
foreach ($record in $records) {{
  $hostName = $record.HostName
  $ip = $record.Ip
  $zone = Get-DnsServerZone -ComputerName $ComputerName |
    Where-Object {{ $_.ZoneType -eq 'Primary' -and -not $_.IsAutoCreated -and -not $_.IsReverseLookupZone -and ($hostName -eq $_.ZoneName -or $hostName.EndsWith('.' + $_.ZoneName)) }} |
    Sort-Object {{ $_.ZoneName.Length }} -Descending | Select-Object -First 1 -ExpandProperty ZoneName
  if (-not $zone) {{
    if ($PSCmdlet.ShouldProcess($hostName, 'Add-DnsServerPrimaryZone (a zone for this host only)')) {{
      Add-DnsServerPrimaryZone -ComputerName $ComputerName -Name $hostName -ReplicationScope Domain
    }}
    $zone = $hostName
  }}
  # The zone's own name is its apex, '@'.
  $name = if ($zone -eq $hostName) {{ '@' }} else {{ $hostName.Substring(0, $hostName.Length - $zone.Length - 1) }}
  $existing = Get-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -ErrorAction SilentlyContinue
  if ($existing -and $existing.RecordData.IPv4Address.IPAddressToString -ne $ip) {{
    if ($PSCmdlet.ShouldProcess($hostName, "replace A record with $ip")) {{
      Remove-DnsServerResourceRecord -ComputerName $ComputerName -ZoneName $zone -Name $name -RRType A -Force
      $existing = $null
    }}
  }}
  if (-not $existing -and $PSCmdlet.ShouldProcess($hostName, "Add A $ip")) {{
    Add-DnsServerResourceRecordA -ComputerName $ComputerName -ZoneName $zone -Name $name -IPv4Address $ip
  }}
}}
'akswin: internal DNS records done'
"#
    ))
}

/// `scripts/Install-DomainController.ps1` (when akswin creates domain controllers): the AD DS
/// promotion of one new domain controller, run on it by `deploy.sh domain-controllers` through
/// Run Command. It reads the passwords from Key Vault with the domain controllers' identity
/// (IMDS, then the vault's REST API through its private endpoint) into secure strings, so no
/// password is in a template, an extension's settings, a command line or the output. Run
/// again on a domain controller, it verifies it (services, its SRV record, the forwarder).
pub fn domain_controller(spec: &Spec, plan: &NetworkPlan, n: &Names) -> Option<String> {
    use akswin_spec::spec::AdMode;
    let ad = spec.identity.active_directory.as_ref()?;
    if plan.addresses.domain_controller_ips.is_empty() {
        return None;
    }
    let mode = ad.mode();
    let dc = &ad.domain_controllers;
    let secret = |k: &str| ps(&dc.secret_name(k).unwrap_or_default());
    let partners: Vec<String> = match mode {
        AdMode::Replica => dc
            .existing
            .as_ref()
            .map(|e| e.dns_servers.iter().map(|i| i.to_string()).collect())
            .unwrap_or_default(),
        _ => plan
            .addresses
            .domain_controller_ips
            .first()
            .map(|i| vec![i.to_string()])
            .unwrap_or_default(),
    };
    let site = dc
        .site
        .clone()
        .unwrap_or_else(|| format!("Azure-{}", spec.location));
    let ranges: Vec<String> = plan
        .vnets
        .iter()
        .filter(|v| !v.existing)
        .flat_map(|v| v.address_space.iter().map(|c| c.to_string()))
        .collect();
    let endpoints = plan
        .vnets
        .iter()
        .flat_map(|v| &v.subnets)
        .find(|s| s.role == akswin_plan::SubnetRole::PrivateEndpoints)
        .and_then(|s| s.prefix)
        .map(|p| p.to_string())
        .unwrap_or_default();
    let roles = match mode {
        AdMode::Replica => "'Replica'",
        _ => "'Forest', 'Additional'",
    };
    Some(format!(
        r#"#Requires -RunAsAdministrator
<#
.SYNOPSIS
  Promote this VM to a domain controller of {domain} ({mode}): {what}.
.DESCRIPTION
  deploy.sh domain-controllers runs it on each new domain controller, in order, through Run
  Command (as SYSTEM), restarts it, and runs it again with -Mode Verify. Safe to run again: on a
  domain controller it only checks the DNS forwarder, the AD services and the domain's SRV
  record. The passwords come from Key Vault {kv} through its private endpoint (this
  machine resolves the vault's names through Azure DNS, whatever DNS servers its network
  interface has), read with the domain controllers' managed identity ({identity}), which may
  read these secrets and no other; they stay in secure strings and are never printed or put
  on a command line. deploy.sh restarts the machine after a promotion.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
  # Forest: the first DC of a new forest. Additional: another DC of that forest. Replica: a DC
  # that joins the existing domain.
  [Parameter(Mandatory)] [ValidateSet({roles})] [string] $Role,
  # The client id of {identity} (deploy.sh passes it: az identity show --query clientId).
  [Parameter(Mandatory)] [string] $IdentityClientId,
  # Replica: the site link that connects the new AD site to the others.
  [string] $SiteLink = 'DEFAULTIPSITELINK',
  # Verify: after the restart, check the domain controller and never promote.
  [ValidateSet('Promote', 'Verify')] [string] $Mode = 'Promote'
)
$ErrorActionPreference = 'Stop'
$domain = {domain_q}
$netbios = {netbios_q}
$keyVault = {kv_q}
$partners = @({partners})

# Azure DNS answers the private DNS zones (Key Vault, the registry, the cluster's API server)
# that the VNets link: clients that resolve through this DC need it as the forwarder.
function Set-AzureForwarder {{
  if ($PSCmdlet.ShouldProcess('DNS server', 'forward to Azure DNS 168.63.129.16')) {{
    Set-DnsServerForwarder -IPAddress 168.63.129.16
  }}
}}

if ((Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole -ge 4) {{
  Set-AzureForwarder
  $down = @(Get-Service -Name NTDS, Netlogon, DNS, DFSR | Where-Object Status -ne 'Running')
  if ($down.Count -gt 0) {{ throw "a domain controller, but not running: $($down.Name -join ', ')" }}
  if ((Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters' -Name SysvolReady -ErrorAction SilentlyContinue).SysvolReady -ne 1) {{
    throw 'a domain controller, but SYSVOL is not ready yet'
  }}
  # Its own DC locator record, from its own DNS server (not the forwarder, not another DC's).
  $me = ($env:COMPUTERNAME + '.' + $domain).ToLowerInvariant()
  $srv = Resolve-DnsName -Name ('_ldap._tcp.dc._msdcs.' + $domain) -Type SRV -Server 127.0.0.1 -DnsOnly -NoRecursion -ErrorAction SilentlyContinue
  if (-not ($srv | Where-Object {{ $_.NameTarget -and $_.NameTarget.ToLowerInvariant() -eq $me }})) {{
    throw "a domain controller, but $me is not registered in the domain's DC locator records yet"
  }}
  'akswin: already a domain controller'
  return
}}
if ($Mode -eq 'Verify') {{
  'akswin: not a domain controller yet'
  return
}}
if (-not (Test-Path 'F:\')) {{ throw 'no F: data disk: the prepare-adds extension has not run on this VM' }}
Set-AzureForwarder

# The vault's names through Azure DNS (168.63.129.16 answers the private zone linked to this
# VNet): the DNS servers on this machine's network interface may be on premises, where the vault
# resolves to its public address, which refuses every request.
if (-not (Get-DnsClientNrptRule | Where-Object Comment -eq 'akswin: Key Vault through Azure DNS')) {{
  Add-DnsClientNrptRule -Namespace '.vault.azure.net', '.vaultcore.azure.net' -NameServers '168.63.129.16' -Comment 'akswin: Key Vault through Azure DNS' | Out-Null
}}
Clear-DnsClientCache
$vaultIp = (Resolve-DnsName -Name ($keyVault + '.vault.azure.net') -Type A | Where-Object Type -eq 'A' | Select-Object -First 1).IPAddress
if (-not $vaultIp -or -not $vaultIp.StartsWith({endpoints_start})) {{
  throw "$keyVault resolves to '$vaultIp', not its private endpoint in {endpoints}"
}}

function Get-VaultSecret([string] $Name) {{
  $token = (Invoke-RestMethod -Headers @{{ Metadata = 'true' }} -Uri ('http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=' + $IdentityClientId)).access_token
  $secret = Invoke-RestMethod -Headers @{{ Authorization = "Bearer $token" }} -Uri ('https://' + $keyVault + '.vault.azure.net/secrets/' + $Name + '?api-version=7.4')
  ConvertTo-SecureString -String $secret.value -AsPlainText -Force
}}

$dsrm = Get-VaultSecret {dsrm}
if ($Role -eq 'Forest') {{
  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSForest')) {{
    $result = Install-ADDSForest -DomainName $domain -DomainNetbiosName $netbios -InstallDns -DatabasePath 'F:\NTDS' -LogPath 'F:\NTDS' -SysvolPath 'F:\SYSVOL' -SafeModeAdministratorPassword $dsrm -NoRebootOnCompletion -Force
    if ($result.Status -ne 'Success') {{ throw "Install-ADDSForest: $($result.Status) $($result.Message)" }}
  }}
}} else {{
  # Wait until the domain answers: its DC locator record, and AD Web Services (9389) on a
  # partner domain controller.
  $deadline = (Get-Date).AddMinutes(20)
  $ready = $false
  while (-not $ready -and (Get-Date) -lt $deadline) {{
    $srv = Resolve-DnsName -Name ('_ldap._tcp.dc._msdcs.' + $domain) -Type SRV -Server $partners[0] -ErrorAction SilentlyContinue
    $ready = $srv -and (Test-NetConnection -ComputerName $partners[0] -Port 9389 -InformationLevel Quiet -WarningAction SilentlyContinue)
    if (-not $ready) {{ Start-Sleep -Seconds 30 }}
  }}
  if (-not $ready) {{ throw "the domain $domain does not answer from $($partners[0]) (DNS SRV record, AD Web Services 9389) after 20 minutes" }}
{credential}
  # One source for everything: the partner's name, the domain controller that replicates to
  # this one and that the site is checked on.
  $source = (Get-ADDomainController -Identity $partners[0] -Server $partners[0] -Credential $credential).HostName
  $options = @{{ DomainName = $domain; Credential = $credential; InstallDns = $true; DatabasePath = 'F:\NTDS'; LogPath = 'F:\NTDS'; SysvolPath = 'F:\SYSVOL'; SafeModeAdministratorPassword = $dsrm; ReplicationSourceDC = $source; NoRebootOnCompletion = $true; Force = $true }}
{site}
  if ($PSCmdlet.ShouldProcess($domain, 'Install-ADDSDomainController')) {{
    $result = Install-ADDSDomainController @options
    if ($result.Status -ne 'Success') {{ throw "Install-ADDSDomainController: $($result.Status) $($result.Message)" }}
  }}
}}
# deploy.sh restarts the VM (a restart inside Run Command would leave the command hanging),
# then runs this again with -Mode Verify.
'akswin: promoted; restart required'
"#,
        domain = ad.domain,
        mode = mode.as_str(),
        what = match mode {
            AdMode::Replica => "a replica of the existing domain, in its own AD site",
            _ => "the first creates the new forest, the others join it",
        },
        kv = n.key_vault,
        identity = n.id_dc,
        roles = roles,
        domain_q = ps(&ad.domain),
        netbios_q = ps(&ad.netbios),
        kv_q = ps(&n.key_vault),
        partners = partners
            .iter()
            .map(|p| ps(p))
            .collect::<Vec<_>>()
            .join(", "),
        endpoints = endpoints,
        endpoints_start = ps(&endpoint_prefix_text(&endpoints)),
        dsrm = secret("safeModePassword"),
        credential = match mode {
            AdMode::Replica => format!(
                r#"  # DOMAIN\user:password of an account that may add domain controllers.
  $join = Get-VaultSecret {join}
  $plain = [System.Net.NetworkCredential]::new('', $join).Password
  $at = $plain.IndexOf(':')
  if ($at -lt 1) {{ throw 'the join credential is not DOMAIN\user:password' }}
  $credential = New-Object System.Management.Automation.PSCredential($plain.Substring(0, $at), (ConvertTo-SecureString -String $plain.Substring($at + 1) -AsPlainText -Force))
  $plain = $null"#,
                join = secret("joinCredential")
            ),
            _ => format!(
                r#"  # The new forest's administrator: the first DC's administrator account.
  $credential = New-Object System.Management.Automation.PSCredential(($netbios + '\akswindcadmin'), (Get-VaultSecret {admin}))"#,
                admin = secret("adminPassword")
            ),
        },
        site = match mode {
            AdMode::Replica => format!(
                r#"  # The Azure DCs' own AD site, with the Azure ranges as its subnets, so clients in Azure find
  # them first, in a site link so that it replicates. Each part is checked on its own; one
  # that cannot be made (it needs Enterprise Admins) stops here, before promotion: a domain
  # controller in a site no link includes would never replicate.
  $site = {site_q}
  $ad = @{{ Server = $source; Credential = $credential }}
  try {{
    if (-not (Get-ADReplicationSite -Filter "Name -eq '$site'" @ad) -and $PSCmdlet.ShouldProcess($site, 'New-ADReplicationSite')) {{
      New-ADReplicationSite -Name $site @ad
    }}
    foreach ($range in @({ranges})) {{
      $subnet = Get-ADReplicationSubnet -Filter "Name -eq '$range'" @ad
      if (-not $subnet -and $PSCmdlet.ShouldProcess($range, "New-ADReplicationSubnet in $site")) {{
        New-ADReplicationSubnet -Name $range -Site $site @ad
      }} elseif ($subnet -and $subnet.Site -notmatch ('^CN=' + [regex]::Escape($site) + ',')) {{
        # Clients in this range would look for domain controllers in that other site.
        throw "the subnet $range belongs to $($subnet.Site), not $site"
      }}
    }}
    $linked = Get-ADReplicationSiteLink -Filter * @ad | Where-Object {{ $_.SitesIncluded -match ('^CN=' + [regex]::Escape($site) + ',') }}
    if (-not $linked -and $PSCmdlet.ShouldProcess($SiteLink, "add the site $site")) {{
      Set-ADReplicationSiteLink -Identity $SiteLink -SitesIncluded @{{ Add = $site }} @ad
    }}
  }} catch {{
    throw "the AD site ${{site}} is not ready ($($_.Exception.Message)): an Enterprise Admin creates it with the subnets {ranges_text} and adds it to a site link (-SiteLink names one), then run this again"
  }}
  $options.SiteName = $site"#,
                site_q = ps(&site),
                ranges = ranges.iter().map(|r| ps(r)).collect::<Vec<_>>().join(", "),
                ranges_text = ranges.join(", "),
            ),
            _ => String::new(),
        },
    ))
}

/// The leading octets a private endpoint's address has in `prefix` (a /16 to /24 subnet):
/// `10.240.5.32/28` -> `10.240.5.`; the script checks the vault resolves inside it.
fn endpoint_prefix_text(prefix: &str) -> String {
    let Some((addr, len)) = prefix.split_once('/') else {
        return String::new();
    };
    let octets = match len.parse::<u8>().unwrap_or(32) {
        l if l >= 24 => 3,
        l if l >= 16 => 2,
        _ => 1,
    };
    let mut out: String = addr.split('.').take(octets).collect::<Vec<_>>().join(".");
    out.push('.');
    out
}

/// `scripts/jumpbox-init.sh` (`cluster.access.path: jumpBox`): run on the jump box by its
/// CustomScript extension (again whenever the script changes), it installs the Azure CLI from
/// Microsoft's package repository and kubectl and kubelogin with `az aks install-cli`. The
/// steps are retried for up to 45 minutes in all (the extension gives up after 90), and apt
/// waits for the package lock (unattended upgrades run at first boot). Its log is /var/log/akswin-jumpbox-init.log.
pub fn jump_box_init(spec: &Spec, n: &Names) -> String {
    format!(
        r#"#!/bin/bash
# The jump box of {name} ({vm}): the Azure CLI, kubectl and kubelogin, installed by its
# CustomScript extension (again whenever this script changes). Its egress goes through the
# hub firewall (the rule collection group jumpbox): the steps are retried for up to 45 minutes
# in all, and apt waits for the package lock. Log: /var/log/akswin-jumpbox-init.log
set -uo pipefail
exec > >(tee -a /var/log/akswin-jumpbox-init.log) 2>&1
export DEBIAN_FRONTEND=noninteractive
apt_get() {{
  apt-get -o DPkg::Lock::Timeout=600 "$@"
}}

# retry COMMAND...: run it until it succeeds, every 30 seconds, until a deadline 45 minutes
# after the start, shared by every step (the extension itself gives up after 90 minutes).
deadline=$((SECONDS + 2700))
retry() {{
  local i=1
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    echo "attempt $i failed: $*; retrying in 30 s"
    i=$((i + 1))
    sleep 30
  done
}}

install_azure_cli() {{
  apt_get update &&
    apt_get install -y ca-certificates curl gnupg lsb-release &&
    mkdir -p /etc/apt/keyrings &&
    curl -fsSL https://packages.microsoft.com/keys/microsoft.asc | gpg --dearmor --yes -o /etc/apt/keyrings/microsoft.gpg &&
    chmod go+r /etc/apt/keyrings/microsoft.gpg &&
    printf 'Types: deb\nURIs: https://packages.microsoft.com/repos/azure-cli/\nSuites: %s\nComponents: main\nArchitectures: %s\nSigned-by: /etc/apt/keyrings/microsoft.gpg\n' \
      "$(lsb_release -cs)" "$(dpkg --print-architecture)" > /etc/apt/sources.list.d/azure-cli.sources &&
    apt_get update &&
    apt_get install -y azure-cli
}}

if retry install_azure_cli && retry az aks install-cli --install-location /usr/local/bin/kubectl --kubelogin-install-location /usr/local/bin/kubelogin; then
  echo "akswin: the jump box is ready (az, kubectl, kubelogin)"
else
  echo "akswin: the tools could not be installed: check the firewall's jumpbox rules" >&2
  exit 1
fi
"#,
        name = spec.name,
        vm = n.jump_box,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a Front Door custom domain, the URL application proxy publishes and the AD DNS
    /// record must name the same host, or the connectors cannot resolve the internal URL.
    #[test]
    fn internal_url_and_dns_record_agree_without_a_custom_domain() {
        let Ok(mut loaded) = akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes()) else {
            panic!("baseline loads");
        };
        if let Some(fd) = loaded.spec.ingress.front_door.as_mut() {
            fd.custom_domains.clear();
        }
        for w in &mut loaded.spec.workloads {
            w.host = None;
            w.internal_host = None;
        }
        let spec = &loaded.spec;
        let plan = akswin_plan::plan(spec);
        let n = Names::new(spec);
        let publish = app_proxy(spec, &plan, &n).unwrap_or_default();
        let dns = dns_record(spec, &plan, &n).unwrap_or_default();
        let host = format!("{}-legacyweb.corp.contoso.com", n.prefix);
        assert!(
            publish.contains(&format!("InternalUrl = 'https://{host}/'")),
            "{publish}"
        );
        assert!(dns.contains(&format!("HostName = '{host}'")), "{dns}");
    }
}
