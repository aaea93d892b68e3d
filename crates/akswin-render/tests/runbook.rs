//! The runbook's hand-offs work as written: what one step prints is what the next takes.
//! deploy.sh runs here against a stand-in `az` that records its arguments (no network).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::process::Command;

fn baseline_tree() -> akswin_render::Tree {
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let plan = akswin_plan::plan(&spec);
    akswin_render::render(&spec, &plan, "test")
}

/// Run `deploy.sh frontdoor` with AKSWIN_APP_PROXY_HOST_LEGACYWEB set to `host`; the stand-in az logs
/// every call. Returns (exit code, the az calls, stdout and stderr).
#[cfg(unix)]
fn frontdoor_stage(host: &str) -> (i32, String, String) {
    frontdoor_stage_with(host, false)
}

/// As [`frontdoor_stage`]; with `missing_cert`, the stand-in az finds no secret in a vault.
#[cfg(unix)]
fn frontdoor_stage_with(host: &str, missing_cert: bool) -> (i32, String, String) {
    let body = if missing_cert {
        "if [ \"$1 $2 $3\" = 'keyvault certificate show' ]; then echo 'CertificateNotFound' >&2; exit 3; fi\n"
    } else {
        ""
    };
    common::run_deploy_sh(
        &baseline_tree(),
        "frontdoor",
        body,
        &[("AKSWIN_APP_PROXY_HOST_LEGACYWEB", host)],
    )
}

#[test]
#[cfg(unix)]
fn deploy_sh_takes_what_publish_app_proxy_prints_as_a_bare_host() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh hand-off (no bash)");
        return;
    }
    // What Publish-AppProxy.ps1 prints, and the URL an operator might paste instead.
    let tree = baseline_tree();
    let publish = &tree.files["scripts/Publish-AppProxy.ps1"];
    assert!(publish.contains("\"$($a.Variable)=$(([uri]$publishedUrl).Host)\""));
    assert!(publish.contains("Variable = 'AKSWIN_APP_PROXY_HOST_LEGACYWEB'"));
    for given in [
        "legacyweb-contoso.msappproxy.net",
        "https://LegacyWeb-Contoso.msappproxy.net/",
        "https://legacyweb-contoso.msappproxy.net/app/",
    ] {
        let (code, calls, err) = frontdoor_stage(given);
        assert_eq!(code, 0, "{given}: {err}");
        let creates: Vec<&str> = calls
            .lines()
            .filter(|l| l.contains("arm/frontdoor.json"))
            .collect();
        assert_eq!(creates.len(), 2, "what-if and create: {calls}");
        for c in creates {
            assert!(
                c.contains("appProxyHostLegacyweb=legacyweb-contoso.msappproxy.net"),
                "{given}: {c}"
            );
        }
    }
    for bad in ["not a host", "https://", "-x.msappproxy.net"] {
        let (code, calls, err) = frontdoor_stage(bad);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(calls.is_empty(), "{bad}: nothing deployed, got {calls}");
        assert!(err.contains("is not a host name"), "{err}");
    }
}

#[test]
fn set_gmsa_stores_the_credential_before_it_changes_active_directory() {
    let tree = baseline_tree();
    let s = &tree.files["scripts/Set-Gmsa.ps1"];
    let at = |needle: &str| {
        s.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in Set-Gmsa.ps1"))
    };
    // Both ways to the vault (the Azure CLI by hand; the REST API with the domain controllers'
    // identity through Run Command) store the credential tagged pending, and tag it live apart.
    assert!(s.contains("    Save-Credential $Value 'pending'"));
    assert!(s.contains("@{ value = $Value; tags = @{ akswin = 'pending' } }"));
    assert!(s.contains("    Save-Credential $script:credential 'gmsa-standard-user'"));
    assert!(s.contains("@{ tags = @{ akswin = 'gmsa-standard-user' } }"));
    // By hand, through Azure Resource Manager: a securestring parameter from a file, never a
    // command line, and no data-plane call that needs the vault's private endpoint.
    assert!(s.contains("parameters = @{ value = @{ type = 'securestring' } }"));
    assert!(s.contains("--parameters \"@$parameters\""));
    assert!(!s.contains("az keyvault secret"), "{s}");
    // The vault is read, then written, and only then is the user created or reset; the tag
    // says live only once Active Directory has the password. Anything else (a placeholder, a
    // failed reset) is repaired on the next run.
    let reach = at("  $tag = Get-CredentialTag");
    let store = at("      Set-Credential (");
    let live = at("      Confirm-Credential\n");
    assert!(reach < store && store < at("New-ADUser") && store < at("Set-ADAccountPassword"));
    assert!(at("New-ADUser") < live && at("Set-ADAccountPassword") < live);
    assert!(s.contains("$tag -ne 'gmsa-standard-user'"), "{s}");
    // -WhatIf on a new domain: no group lookup that fails when the group is not there yet.
    assert!(
        s.contains("$member = $group -and $user -and (Get-ADGroupMember"),
        "{s}"
    );
    // And deploy.sh stores a placeholder first (tagged, so Set-Gmsa.ps1 replaces it): the
    // kubelet's read access is granted on the secret, which must exist before main.json.
    let deploy = &tree.files["deploy.sh"];
    let placeholder = deploy
        .find("--tags akswin=placeholder")
        .expect("deploy.sh creates the placeholder");
    assert!(placeholder < deploy.find("az deployment sub create").unwrap());
    assert!(tree.files["README.md"].contains("replacing the placeholder `deploy.sh` created"));
}

/// `$name:` is a drive-qualified variable in PowerShell (`$env:PATH`): `"cannot reach
/// $keyVault: ..."` is a parse error that stops the whole script. Only scope and drive prefixes
/// may be followed by a colon; anything else must be written `${name}:`.
#[test]
fn rendered_powershell_has_no_colon_after_a_plain_variable() {
    const SCOPES: [&str; 8] = [
        "env", "script", "global", "local", "using", "private", "variable", "function",
    ];
    for (name, text) in common::scenario_specs() {
        let spec = common::load(&text);
        let plan = akswin_plan::plan(&spec);
        let tree = akswin_render::render(&spec, &plan, "test");
        for (file, body) in tree.files.iter().filter(|(k, _)| k.ends_with(".ps1")) {
            for (n, line) in body.lines().enumerate() {
                let b = line.as_bytes();
                for (i, _) in line.match_indices('$') {
                    let ident: String = line[i + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    let after = i + 1 + ident.len();
                    let colon = b.get(after) == Some(&b':') && b.get(after + 1) != Some(&b':');
                    assert!(
                        ident.is_empty()
                            || !colon
                            || SCOPES.contains(&ident.to_ascii_lowercase().as_str()),
                        "{name}/{file}:{}: `${ident}:` is a drive-qualified variable; write `${{{ident}}}:`\n{line}",
                        n + 1
                    );
                }
            }
        }
    }
}

#[test]
#[cfg(unix)]
fn deploy_sh_frontdoor_stops_before_deploying_when_a_certificate_is_missing() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh frontdoor (no bash)");
        return;
    }
    let spec = common::load(akswin_spec::BASELINE_YAML);
    let n = akswin_plan::names::Names::new(&spec);
    let (code, calls, err) = frontdoor_stage_with("legacyweb-contoso.msappproxy.net", true);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "legacy-contoso-tls is not in {}",
            n.key_vault_front_door
        )),
        "{err}"
    );
    assert!(
        calls.contains(&format!(
            "keyvault certificate show --vault-name {} --name legacy-contoso-tls",
            n.key_vault_front_door
        )),
        "{calls}"
    );
    assert!(
        !calls.contains("arm/frontdoor.json"),
        "nothing deployed: {calls}"
    );
}

/// Run `deploy.sh frontdoor` of the mixed-auth scenario with a stand-in az whose behaviour
/// `az_body` (shell, after logging) decides. Returns (exit code, the az calls, stdout+stderr).
#[cfg(unix)]
fn mixed_frontdoor_stage(az_body: &str) -> (i32, String, String) {
    let spec = common::scenario_spec("mixed-auth");
    let plan = akswin_plan::plan(&spec);
    let tree = akswin_render::render(&spec, &plan, "test");
    common::run_deploy_sh(
        &tree,
        "frontdoor",
        az_body,
        &[(
            "AKSWIN_APP_PROXY_HOST_LEGACYWEB",
            "legacyweb-contoso.msappproxy.net",
        )],
    )
}

/// A workload behind Front Door's Private Link origin: deploy.sh refuses to deploy before its
/// Private Link Service exists, and afterwards approves only Front Door's own request.
#[test]
#[cfg(unix)]
fn deploy_sh_frontdoor_waits_for_the_private_link_service_and_approves_front_doors_request() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh frontdoor (no bash)");
        return;
    }
    // No Private Link Service yet: nothing is deployed.
    let (code, calls, out) = mixed_frontdoor_stage(
        "case \"$*\" in *'private-link-service show'*'--query id'*) exit 3 ;; esac\n",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("pls-contoso-legacy-orders does not exist yet"),
        "{out}"
    );
    assert!(!calls.contains("arm/frontdoor.json"), "{calls}");
    // The service exists and Front Door's request is pending: it is approved, after the create.
    let (code, calls, out) = mixed_frontdoor_stage(
        "case \"$*\" in *\"status=='Pending'\"*afd-contoso-legacy*) echo fd-request-1 ;; esac\n",
    );
    assert_eq!(code, 0, "{out}");
    let create = calls
        .find("deployment group create")
        .expect("Front Door is created");
    let approve = calls
        .find("private-link-service connection update")
        .expect("the request is approved");
    assert!(create < approve, "{calls}");
    assert!(
        calls[approve..].contains(
            "--service-name pls-contoso-legacy-orders --name fd-request-1 --connection-status Approved"
        ),
        "{calls}"
    );
    assert!(calls.contains("appProxyHostLegacyweb=legacyweb-contoso.msappproxy.net"));
}

/// `deploy.sh domain-controllers` in the baseline (replicas): it refuses while the VPN is not
/// connected, then promotes each DC in turn through Run Command with the role and the
/// identity's client id, and nothing else, on the command line; a DC whose script did not
/// finish stops the stage.
#[test]
#[cfg(unix)]
fn deploy_sh_promotes_the_domain_controllers_with_no_secret_on_any_command_line() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh domain-controllers (no bash)");
        return;
    }
    let tree = baseline_tree();
    let run = |az_body: &str| common::run_deploy_sh(&tree, "domain-controllers", az_body, &[]);
    // The link is down: nothing runs on the DCs.
    let (code, calls, out) = run("case \"$*\" in *vpn-connection*) echo Connecting ;; esac\n");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not Connected"), "{out}");
    assert!(!calls.contains("run-command"), "{calls}");
    // Connected, and each script reports its promotion.
    // Connected; each DC is promoted, restarted from deploy.sh, then verified before the next.
    let ok = concat!(
        "case \"$*\" in *vpn-connection*) echo Connected ;; *'identity show'*) echo 11111111-2222-3333-4444-555555555555 ;;\n",
        "  *get-instance-view*) echo Ready ;;\n",
        "  *Mode=Verify*) echo 'akswin: already a domain controller' ;;\n",
        "  *run-command*) echo 'akswin: promoted; restart required' ;;\n",
        "esac\n"
    );
    let (code, calls, out) = run(ok);
    assert_eq!(code, 0, "{out}");
    let steps: Vec<String> = calls
        .lines()
        .filter(|l| l.contains("run-command invoke") || l.starts_with("vm restart"))
        .map(|l| {
            let vm = l
                .split("--name ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or("");
            let what = if l.starts_with("vm restart") {
                "restart"
            } else if l.contains("Mode=Verify") {
                "verify"
            } else {
                "promote"
            };
            format!("{what} {vm}")
        })
        .collect();
    assert_eq!(
        steps,
        [
            "promote contosolegdc1",
            "restart contosolegdc1",
            "verify contosolegdc1",
            "promote contosolegdc2",
            "restart contosolegdc2",
            "verify contosolegdc2"
        ],
        "{calls}"
    );
    for r in calls.lines().filter(|l| l.contains("run-command invoke")) {
        let params = r.split("--parameters").nth(1).unwrap_or_default();
        assert!(
            params.starts_with(
                " Role=Replica IdentityClientId=11111111-2222-3333-4444-555555555555 Mode="
            ),
            "only the role, the client id and the mode: {r}"
        );
    }
    // Run Command's way out is opened before the first promotion and closed after the last.
    let lines: Vec<&str> = calls.lines().collect();
    let opened = lines
        .iter()
        .position(|l| l.contains("--template-file arm/promotion-egress.json"))
        .expect("the promotion egress is deployed");
    let first = lines
        .iter()
        .position(|l| l.contains("run-command invoke"))
        .unwrap();
    let last = lines
        .iter()
        .rposition(|l| l.contains("run-command invoke"))
        .unwrap();
    let closed = lines
        .iter()
        .rposition(|l| {
            l.starts_with("resource delete --ids") && l.contains("/ruleCollectionGroups/promotion")
        })
        .expect("the promotion egress is removed");
    assert!(opened < first && last < closed, "{calls}");
    assert!(tree.files.contains_key("arm/promotion-egress.json"));
    assert!(
        !tree.files["arm/main.json"].contains("azurecloud-443"),
        "main.json never opens it"
    );
    // A script that failed (no marker) stops the stage before the next DC, and the way out
    // is closed all the same.
    let failing = "case \"$*\" in *vpn-connection*) echo Connected ;; *run-command*) echo 'Install-ADDSDomainController: access denied' ;; esac\n";
    let (code, calls, out) = run(failing);
    assert_eq!(code, 1, "{out}");
    assert_eq!(calls.matches("run-command invoke").count(), 1, "{calls}");
    assert!(
        calls
            .lines()
            .last()
            .unwrap_or_default()
            .contains("/ruleCollectionGroups/promotion"),
        "{calls}"
    );
}

/// No rendered template passes a password to a VM extension: the domain controllers' only
/// extension prepares the disk and the roles, and promotion reads its secrets in the VM.
#[test]
fn no_vm_extension_carries_a_password() {
    for (name, tree) in common::scenarios() {
        for (file, text) in tree.files.iter().filter(|(f, _)| f.ends_with(".json")) {
            let v: serde_json::Value = serde_json::from_str(text).expect("json");
            let mut stack = vec![&v];
            while let Some(x) = stack.pop() {
                match x {
                    serde_json::Value::Object(m) => {
                        if m.get("type").and_then(|t| t.as_str())
                            == Some("Microsoft.Compute/virtualMachines/extensions")
                        {
                            let body = x.to_string();
                            assert!(
                                !body.to_ascii_lowercase().contains("password")
                                    && !body.contains("protectedSettings"),
                                "{name}/{file}: {body}"
                            );
                        }
                        stack.extend(m.values());
                    }
                    serde_json::Value::Array(a) => stack.extend(a.iter()),
                    _ => {}
                }
            }
        }
    }
}

/// `deploy.sh images` imports every image with a `source` into the deployed registry, as its
/// `ref`, with `az acr import` (management plane: the registry stays private), and passes
/// credentials only when both are given.
#[test]
#[cfg(unix)]
fn deploy_sh_images_imports_each_source_into_the_registry() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh images (no bash)");
        return;
    }
    let spec = common::scenario_spec("mixed-auth");
    let tree = akswin_render::render(&spec, &akswin_plan::plan(&spec), "test");
    let (code, calls, out) = common::run_deploy_sh(&tree, "images", "", &[]);
    assert_eq!(code, 0, "{out}");
    let imports: Vec<&str> = calls
        .lines()
        .filter(|l| l.starts_with("acr import"))
        .collect();
    assert_eq!(imports.len(), spec.registry.images.len(), "{calls}");
    for img in &spec.registry.images {
        let target = img.r#ref.strip_prefix("contosoacr.azurecr.io/").unwrap();
        let want = format!(
            "acr import --name contosoacr --source {} --image {target} --force --output none",
            img.source.as_deref().unwrap()
        );
        assert!(imports.contains(&want.as_str()), "{want}\n{calls}");
    }
    // A private source outside Azure: both variables, or the stage refuses.
    let (code, calls, _) = common::run_deploy_sh(
        &tree,
        "images",
        "",
        &[
            ("AKSWIN_IMPORT_USERNAME", "ci"),
            ("AKSWIN_IMPORT_PASSWORD", "pw"),
        ],
    );
    assert_eq!(code, 0);
    assert!(
        calls.contains("--force --username ci --password pw --output none"),
        "{calls}"
    );
    let (code, _, out) =
        common::run_deploy_sh(&tree, "images", "", &[("AKSWIN_IMPORT_USERNAME", "ci")]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("set AKSWIN_IMPORT_PASSWORD"), "{out}");
}

/// Every command and file the README's runbook names exists in the rendered tree: each
/// `./deploy.sh STAGE` is a stage deploy.sh knows, and each `scripts/…`, `arm/…`, `k8s/…` or
/// `.github/workflows/…` file it names is rendered (apart from those written at apply time:
/// the credential specs and the SecretProviderClasses, which the runbook says who writes).
#[test]
fn every_runbook_step_names_a_command_that_exists() {
    let mut named = 0;
    for (scenario, tree) in common::scenarios() {
        let readme = &tree.files["README.md"];
        let deploy = &tree.files["deploy.sh"];
        let code_spans: Vec<&str> = readme.split('`').skip(1).step_by(2).collect();
        for span in &code_spans {
            if let Some(rest) = span.strip_prefix("./deploy.sh") {
                named += 1;
                match rest.split_whitespace().next() {
                    None => {}
                    Some(stage) => assert!(
                        deploy.contains(&format!("if [ \"$stage\" = {stage} ]")),
                        "{scenario}: README runs ./deploy.sh {stage}, which deploy.sh does not know"
                    ),
                }
            }
            for word in span.split_whitespace() {
                let w = word.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | '.' | ';' | '@'));
                let file = w.strip_prefix("./").unwrap_or(w);
                let generated = file.contains('<')
                    || file.contains('*')
                    || file.starts_with("k8s/gmsa-credspec-")
                    || file.starts_with("k8s/tls-");
                let is_file = ["scripts/", "arm/", "k8s/", ".github/workflows/"]
                    .iter()
                    .any(|p| file.starts_with(p))
                    && [".ps1", ".json", ".yaml", ".yml"]
                        .iter()
                        .any(|e| file.ends_with(e));
                if is_file && !generated {
                    named += 1;
                    assert!(
                        tree.files.contains_key(file),
                        "{scenario}: README names {file}, which is not rendered"
                    );
                }
            }
        }
        // And every stage deploy.sh offers is a step of the runbook.
        let usage = deploy
            .lines()
            .find(|l| l.contains("unknown stage"))
            .expect("deploy.sh lists its stages");
        let list = usage
            .split("(use: ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap();
        for stage in list.split(", ").filter(|s| *s != "main") {
            assert!(
                readme.contains(&format!("./deploy.sh {stage}")),
                "{scenario}: deploy.sh offers `{stage}`, but no runbook step runs it"
            );
        }
    }
    assert!(named >= 40, "only {named} commands and files named");
}

/// `deploy.sh active-directory` in the baseline: Set-Gmsa.ps1 and Set-InternalDnsRecord.ps1
/// run on the first new DC through Run Command with identities' ids and nothing secret on the
/// command line, inside the promotion's egress window (closed however the stage ends); the
/// credential specs are written from the forest, GUID and SID the script prints (with Windows
/// line ends), and a KDS root key too young or output without usable values stops the stage
/// with nothing written.
#[test]
#[cfg(unix)]
fn deploy_sh_active_directory_writes_the_credential_specs_from_the_domain_controller() {
    const KUBELET: &str = "0b2f5a3c-1d4e-4f60-8a7b-9c0d1e2f3a4b";
    const DOMAIN_GUID: &str = "8d1c7f4a-5b2e-4c3d-9e8f-0a1b2c3d4e5f";
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh active-directory (no bash)");
        return;
    }
    let tree = baseline_tree();
    let spec = common::scenario_spec("baseline");
    let gmsa_output = |body: &str| {
        format!(
            "case \"$*\" in\n  *'identity show'*) echo {KUBELET} ;;\n  *'account show'*) echo f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9 ;;\n  *Set-Gmsa.ps1*) {body} ;;\n  *Set-InternalDnsRecord.ps1*) printf 'akswin: internal DNS records done\\r\\n' ;;\n  *'resource delete'*) for f in k8s/gmsa-credspec-*.yaml; do if [ -e \"$f\" ]; then echo \"== $f\" >> \"$log\"; cat \"$f\" >> \"$log\"; fi; done ;;\nesac\n"
        )
    };
    let done = format!(
        "printf 'akswin: domain forest=corp.contoso.com;guid={DOMAIN_GUID};sid=S-1-5-21-1004336348-1177238915-682003330\\r\\nakswin: gmsa done\\r\\n'"
    );
    let (code, calls, out) =
        common::run_deploy_sh(&tree, "active-directory", &gmsa_output(&done), &[]);
    assert_eq!(code, 0, "{out}");
    // Order: the egress window, the gMSA script, the DNS script, the window closed.
    let pos = |needle: &str| {
        calls
            .find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in {calls}"))
    };
    assert!(pos("arm/promotion-egress.json") < pos("@scripts/Set-Gmsa.ps1"));
    assert!(pos("@scripts/Set-Gmsa.ps1") < pos("@scripts/Set-InternalDnsRecord.ps1"));
    assert!(pos("@scripts/Set-InternalDnsRecord.ps1") < pos("resource delete"));
    let gmsa_call = calls
        .lines()
        .find(|l| l.contains("@scripts/Set-Gmsa.ps1"))
        .unwrap();
    assert!(
        gmsa_call.contains("--name contosolegdc1 ")
            && gmsa_call.contains(&format!("IdentityClientId={KUBELET}"))
            && gmsa_call.contains(&format!("KubeletObjectId={KUBELET}"))
            && !gmsa_call.contains("ConnectorComputers"),
        "{gmsa_call}"
    );
    // The credential spec as the kubelet's CCG plugin reads it.
    let text = calls
        .split("== k8s/gmsa-credspec-legacyweb.yaml\n")
        .nth(1)
        .expect("the credential spec was written");
    let doc: serde_json::Value = serde_saphyr::from_str(text).expect("YAML");
    let config = &doc["credspec"];
    assert_eq!(doc["kind"], "GMSACredentialSpec");
    assert_eq!(config["DomainJoinConfig"]["Guid"], DOMAIN_GUID);
    assert_eq!(
        config["DomainJoinConfig"]["Sid"],
        "S-1-5-21-1004336348-1177238915-682003330"
    );
    assert_eq!(
        config["DomainJoinConfig"]["DnsTreeName"],
        "corp.contoso.com"
    );
    assert_eq!(config["DomainJoinConfig"]["NetBiosName"], "CORP");
    assert_eq!(
        config["ActiveDirectoryConfig"]["HostAccountConfig"]["PluginInput"],
        format!(
            "ObjectId={KUBELET};SecretUri=https://kv-contoso-legacy-x4k9.vault.azure.net/secrets/{}",
            spec.identity
                .gmsa
                .key_vault_secret
                .as_ref()
                .unwrap()
                .as_str()
        )
    );
    // The connectors' delegation, once they exist.
    let (code, calls, out) = common::run_deploy_sh(
        &tree,
        "active-directory",
        &gmsa_output(&done),
        &[("AKSWIN_CONNECTOR_COMPUTERS", "conn1,conn2")],
    );
    assert_eq!(code, 0, "{out}");
    assert!(calls.contains("ConnectorComputers=conn1,conn2"), "{calls}");
    // A KDS root key that is not usable yet, or output without usable values: the stage stops,
    // writes nothing, and still closes the egress window.
    for (body, says) in [
        (
            "printf 'akswin: the KDS root key is younger than 10 hours: run this again once every domain controller can use it\\r\\n'",
            "run ./deploy.sh active-directory again",
        ),
        (
            "printf 'akswin: domain forest=corp.contoso.com;guid=not-a-guid;sid=S-1-5-21-1-2-3\\r\\nakswin: gmsa done\\r\\n'",
            "no usable forest, domain GUID and SID",
        ),
        (
            "echo 'Get-ADDomain : Unable to contact the server' >&2",
            "did not finish on contosolegdc1",
        ),
    ] {
        let (code, calls, out) =
            common::run_deploy_sh(&tree, "active-directory", &gmsa_output(body), &[]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(says), "{out}");
        assert!(!calls.contains("== k8s/gmsa-credspec"), "{calls}");
        assert!(calls.contains("resource delete"), "{calls}");
        assert!(!calls.contains("Set-InternalDnsRecord"), "{calls}");
    }
}

/// The credential spec Set-Gmsa.ps1 writes by hand and the one `deploy.sh active-directory`
/// writes are one text: the same variables, from the same generator.
#[test]
fn both_ways_write_the_same_credential_spec() {
    let tree = baseline_tree();
    let ps1 = &tree.files["scripts/Set-Gmsa.ps1"];
    let deploy = &tree.files["deploy.sh"];
    let from_ps1 = ps1
        .split("-Value @\"\n")
        .nth(1)
        .and_then(|r| r.split("\"@").next())
        .expect("the here-string");
    let from_sh = deploy
        .split("cat > k8s/gmsa-credspec-legacyweb.yaml <<EOF\n")
        .nth(1)
        .and_then(|r| r.split_once('\n'))
        .and_then(|(_, r)| r.split("EOF\n").next())
        .expect("the here-document");
    assert_eq!(from_ps1, from_sh);
    for var in [
        "${forest}",
        "${domainGuid}",
        "${domainSid}",
        "${kubeletObjectId}",
    ] {
        assert!(from_sh.contains(var), "{var}");
    }
}

/// `deploy.sh frontdoor` tries again when the first deployment fails (Front Door's new
/// role on its certificates may not have applied yet), and ends by printing each custom
/// domain's public DNS records from the deployed profile: the TXT record with the validation
/// token and the CNAME to the endpoint.
#[test]
#[cfg(unix)]
fn deploy_sh_frontdoor_retries_once_and_prints_the_dns_records() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh frontdoor (no bash)");
        return;
    }
    let body = concat!(
        "case \"$*\" in\n",
        "  *'deployment group create'*) if [ ! -e \"$log.failed\" ]; then touch \"$log.failed\"; echo 'Forbidden' >&2; exit 1; fi ;;\n",
        "  *'afd endpoint show'*) echo fde-contoso-legacy-abc.z01.azurefd.net ;;\n",
        "  *'afd custom-domain show'*) echo token-123 ;;\n",
        "esac\n"
    );
    let (code, calls, out) = common::run_deploy_sh(
        &baseline_tree(),
        "frontdoor",
        body,
        &[
            (
                "AKSWIN_APP_PROXY_HOST_LEGACYWEB",
                "legacyweb-contoso.msappproxy.net",
            ),
            ("AKSWIN_RETRY_SECONDS", "0"),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        calls
            .lines()
            .filter(|l| l.starts_with("deployment group create"))
            .count(),
        2,
        "{calls}"
    );
    assert!(out.contains("retrying in 0 s (attempt 2 of 10)"), "{out}");
    assert!(
        out.contains("_dnsauth.legacy.contoso.com  TXT    token-123"),
        "{out}"
    );
    assert!(
        out.contains("legacy.contoso.com  CNAME  fde-contoso-legacy-abc.z01.azurefd.net"),
        "{out}"
    );
    assert!(
        calls.contains("--custom-domain-name legacy-contoso-com"),
        "{calls}"
    );
}

/// `deploy.sh` stops before anything is created when a name that must be unique across Azure
/// is taken: a deleted vault of the subscription still holding the vault's name (purge
/// protection), or a registry name held outside the subscription.
#[test]
#[cfg(unix)]
fn deploy_sh_stops_early_on_a_taken_global_name() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: deploy.sh preflight (no bash)");
        return;
    }
    let tree = baseline_tree();
    let env = [("AKSWIN_OPERATOR_IP", "203.0.113.10/32")];
    let (code, calls, out) = common::run_deploy_sh(
        &tree,
        "main",
        "case \"$*\" in *'list-deleted'*) echo kv-contoso-legacy-x4k9 ;; esac\n",
        &env,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("az keyvault recover --name kv-contoso-legacy-x4k9"),
        "{out}"
    );
    assert!(!calls.contains("group create"), "{calls}");
    let (code, calls, out) = common::run_deploy_sh(
        &tree,
        "main",
        "case \"$*\" in *'acr check-name'*) echo false ;; *'acr show'*) exit 3 ;; esac\n",
        &env,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("belongs to a registry outside rg-contoso-legacy-shared"),
        "{out}"
    );
    assert!(!calls.contains("group create"), "{calls}");
    // A live vault of that name elsewhere.
    let (code, calls, out) = common::run_deploy_sh(
        &tree,
        "main",
        "case \"$*\" in *'rest --method post'*) echo false ;; *'keyvault show'*) exit 3 ;; esac\n",
        &env,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("belongs to a vault outside rg-contoso-legacy-shared"),
        "{out}"
    );
    assert!(
        calls.contains("Microsoft.KeyVault/checkNameAvailability"),
        "{calls}"
    );
    assert!(!calls.contains("group create"), "{calls}");
    // The names are looked up in this deployment's own group: another group's registry of the
    // same subscription (another environment's) would fail the deployment, so it stops.
    assert!(
        calls.contains("--resource-group rg-contoso-legacy-shared"),
        "{calls}"
    );
    // The registry is ours (a second run): no stop.
    let (_, calls, out) = common::run_deploy_sh(
        &tree,
        "main",
        "case \"$*\" in *'acr check-name'*) echo false ;; *'feature show'*) echo Registered ;; esac\n",
        &env,
    );
    assert!(calls.contains("group create"), "{calls}\n{out}");
}
