//! The pipeline the CLI and the fuzz targets share: load (in `akswin-spec`), plan, check,
//! render. `check` does not stop at the rules: when they find no error it renders the tree in
//! memory and verifies it with akswin's own validators (what `render` cannot do, the manifest
//! rules of `audit` on the Kubernetes output, the ARM expression linter, the strict type check
//! against Microsoft's resource type data), reporting each
//! problem as a finding located at the spec field that causes it. So `check` passes exactly
//! the specs `render` renders, and `render` refuses with the same findings.
//!
//! The verification codes (RND001-RND004) are documented like rules ([`metas`]) and shown by
//! `akswin explain`, `akswin rules` and SARIF.

pub mod artifact;
pub mod drift;
pub mod environments;
pub mod existing_cluster;
pub mod flows;
pub mod migration;
pub mod views;
pub use akswin_spec::waivers;

use akswin_diag::{Finding, RuleMeta, Severity, declare_rule};
use akswin_plan::NetworkPlan;
use akswin_render::Tree;
use akswin_spec::Loaded;

declare_rule! {
    /// ## What it checks
    /// Spec features `akswin render` does not render yet, found before anything is written:
    /// a `parameter:` secret reference for a password (the templates read secrets from Key
    /// Vault only), new domain controllers without a hub subnet for them, or a pre-pulled image
    /// built for a Windows version no Windows pool runs.
    ///
    /// ## Why it matters
    /// Rendering them anyway would produce templates that fail at deployment, or pre-pull
    /// DaemonSets whose pods never start. akswin says so instead, at the field.
    ///
    /// ## How to fix
    /// Follow the hint: use `{ keyVaultSecret: NAME }`, add `domainControllers: auto` under
    /// `network.hub.subnets`, or rebuild the image for the pool's Windows version.
    ///
    /// ## References
    /// - ARCHITECTURE.md ("Rendering is staged like the deployment")
    /// - https://learn.microsoft.com/virtualization/windowscontainers/deploy-containers/version-compatibility
    pub struct Rnd001 {
        code: "RND001",
        name: "not-renderable-yet",
        severity: Error,
        summary: "A spec feature akswin render does not render yet",
    }
}

declare_rule! {
    /// ## What it checks
    /// The Kubernetes manifests `akswin render` would write, audited in memory with akswin's
    /// manifest rules (`akswin audit`, with the spec as cluster context). Each error is
    /// reported at the spec field that produced the manifest (the workload, or
    /// `scaling.prepull` for the pre-pull DaemonSets), with the manifest rule's code and
    /// message.
    ///
    /// ## Why it matters
    /// A manifest the API server or the cluster refuses fails `kubectl apply` after the whole
    /// Azure deployment has run, or leaves pods Pending. The spec rules (WRK001, WRK002) catch
    /// the known causes; this check is the net under them, so `check` can never pass what
    /// `render` breaks.
    ///
    /// ## How to fix
    /// Follow the manifest rule named in the message (`akswin explain WIN0xx`), at the spec
    /// field shown.
    ///
    /// ## References
    /// - docs/rules.md (the WIN and K8S manifest rules)
    pub struct Rnd002 {
        code: "RND002",
        name: "rendered-manifest-refused",
        severity: Error,
        summary: "A rendered Kubernetes manifest fails akswin's manifest rules",
    }
}

declare_rule! {
    /// ## What it checks
    /// The ARM templates `akswin render` would write: every file parses as JSON and every
    /// expression passes akswin's expression check (brackets, parameters and variables,
    /// `dependsOn` targets, `resourceId` targets).
    ///
    /// ## Why it matters
    /// A template that fails here fails `az deployment`. This is akswin's own output, so a
    /// finding is an akswin bug, reported rather than written to disk.
    ///
    /// ## How to fix
    /// Report it with the spec (it holds no secret values: akswin never writes them into the
    /// spec or the templates). Changing the field shown may avoid it meanwhile.
    ///
    /// ## References
    /// - ARCHITECTURE.md ("ARM is checked three ways")
    pub struct Rnd003 {
        code: "RND003",
        name: "rendered-template-invalid",
        severity: Error,
        summary: "A rendered ARM template does not parse or fails akswin's expression check (an akswin bug)",
    }
}

declare_rule! {
    /// ## What it checks
    /// Every resource of the ARM templates `akswin render` would write, at every depth,
    /// against Microsoft's resource type data for its type and api-version (the data the Bicep
    /// compiler type-checks with, generated from the Azure REST API specifications): unknown
    /// property names, JSON types, read-only and required properties, closed enums,
    /// discriminators, string patterns and lengths, integer ranges. Template expressions
    /// (`[...]`) are values ARM computes at deployment and pass.
    ///
    /// ## Why it matters
    /// The ARM JSON schemas accept properties they do not define, so a misspelled property
    /// validates and is silently ignored at deployment: the setting you wrote does nothing.
    /// A wrong type or enum value fails the deployment after earlier steps have run.
    ///
    /// ## How to fix
    /// A finding here is an akswin bug in the renderer, or a value from the spec that Azure
    /// refuses (a name too long for the resource type, for example): the message names the
    /// resource and the property. Report it with the spec.
    ///
    /// ## References
    /// - https://github.com/Azure/bicep-types-az (the type data; MIT)
    /// - https://learn.microsoft.com/azure/templates/
    pub struct Rnd004 {
        code: "RND004",
        name: "rendered-resource-type-mismatch",
        severity: Error,
        summary: "A rendered ARM resource fails the strict check against Microsoft's resource type data",
    }
}

declare_rule! {
    /// ## What it checks
    /// The name of every resource `akswin render` would deploy (and the name-like properties:
    /// the cluster's DNS prefix and node resource group, a VM's Windows computer name) against
    /// Azure's naming rules for its type: length, allowed characters, first and last character,
    /// and forbidden sequences (Key Vault: no `--`). akswin derives most names from the spec's
    /// `name` (`rg-<name>-hub`, `kv-<name>`, `aks-<name>`, ...), and the registry from
    /// `registry.name`; the finding points at the field the name comes from.
    ///
    /// ## Why it matters
    /// ARM refuses a name that breaks its type's rules when it reaches that resource, after the
    /// resources before it have deployed. A spec `name` of 85 characters gives resource group
    /// names over 90 characters; the deployment fails at its first step.
    ///
    /// ## How to fix
    /// Shorten or simplify the spec's `name` (letters, digits and hyphens, starting with a
    /// letter, at most about 20 characters keeps every derived name valid and unshortened), or
    /// fix `registry.name` (5-50 letters and digits, unique across Azure).
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
    /// - https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/resource-abbreviations
    /// - docs/sources.md#azure-resource-names
    pub struct Rnd005 {
        code: "RND005",
        name: "rendered-name-breaks-azure-rules",
        severity: Error,
        summary: "A rendered Azure resource name breaks its type's naming rules",
    }
}

declare_rule! {
    /// ## What it checks
    /// Every role assignment `akswin render` would deploy that grants a Key Vault data role
    /// (Administrator, Secrets Officer or User, Certificates Officer or Certificate User,
    /// Crypto Officer or User): it must be scoped to one secret, or be the operator's grant on
    /// a vault (Secrets or Certificates Officer, to set the secrets the deployment reads).
    /// A data role on a whole vault for anyone else, or on a resource group or subscription,
    /// is a finding.
    ///
    /// ## Why it matters
    /// The platform vault holds the domain controllers' administrator, DSRM and join
    /// passwords and the Windows nodes' administrator password. A vault-wide read for the
    /// kubelet identity lets any pod that reaches the node's metadata endpoint read a Domain
    /// Admins credential; Front Door's identity needs its certificates and nothing else.
    /// Secret-scoped assignments are what Microsoft recommends for least privilege.
    ///
    /// ## How to fix
    /// This is akswin's own output: report it with the spec. Each reader is meant to get Key
    /// Vault Secrets User on exactly the secrets it reads.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/key-vault/general/rbac-guide
    /// - https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
    pub struct Rnd006 {
        code: "RND006",
        name: "vault-wide-grant",
        severity: Error,
        summary: "A rendered role assignment grants a Key Vault data role beyond one secret to someone other than the operator",
    }
}

declare_rule! {
    /// ## What it checks
    /// Every flow the architecture needs (and every flow it must refuse), from akswin's flow
    /// catalogue, walked through the network `akswin render` would deploy, as read from the
    /// ARM templates: the source subnet's NSG, its route table and the system routes (longest
    /// prefix), default outbound access of private subnets, the hub firewall's rules (network
    /// rules first, then application rules, FQDN tags included), and the destination subnet's
    /// NSG. The flows: AKS required egress from every node subnet; Windows Update and the
    /// Windows binaries from the Windows nodes; AD DS ports from the Windows nodes to every
    /// domain controller; DNS to the VNet's DNS servers; the application proxy connectors to
    /// their service, to the domain controllers (Kerberos) and to the internal load balancer;
    /// Windows Update, KMS and the runbook's endpoints from new domain controllers, and their
    /// replication; RDP from Bastion; the add-ons' egress (Container insights, Azure Policy,
    /// Key Vault); and, refused, SMB from the Linux nodes to the domain controllers. Every
    /// rule collection and NSG allow akswin renders is there for one of these flows (a test
    /// deletes each in turn), and the Windows node NSG denies the rest of the traffic to the
    /// domain controllers, so its allows mean something.
    ///
    /// ## Why it matters
    /// A flow the network drops fails after deployment, far from its cause: connectors that
    /// never register, Windows nodes that cannot fetch the gMSA password, domain controllers
    /// that never patch or activate. akswin's templates validate either way; only walking the
    /// traffic through routes, NSGs and firewall rules shows it.
    ///
    /// ## How to fix
    /// The message names the hop that drops the flow and why (a missing firewall rule, an NSG
    /// rule by name and priority, a private subnet with no way out). Fix the spec field the
    /// finding points at (your own NSG or firewall rules, `allowWindowsUpdate`,
    /// `allowActiveDirectory`), or report it if akswin's own rules are at fault.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
    /// - https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works
    /// - https://learn.microsoft.com/azure/firewall/rule-processing
    /// - https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access
    /// - docs/sources.md#network-flows
    pub struct Flw001 {
        code: "FLW001",
        name: "flow-dropped",
        severity: Error,
        summary: "A flow the architecture needs is dropped by the rendered network (or one it must refuse gets through)",
    }
}

declare_rule! {
    /// ## What it checks
    /// Flows of the catalogue whose fate the rendered templates cannot tell: a destination on
    /// premises (akswin renders no gateway yet, so the path depends on your hybrid
    /// connectivity), a service tag akswin cannot expand, or a route to an appliance that is
    /// not the hub firewall.
    ///
    /// ## Why it matters
    /// Unknown is not allowed: akswin does not count these flows as working. Each one is a
    /// path to check by hand (or with Network Watcher's connection troubleshoot once deployed).
    ///
    /// ## How to fix
    /// Make sure the path exists outside akswin: routes from the hub to on-premises through
    /// your gateway, and on-premises firewalls that allow AD DS and DNS from the spoke.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview
    /// - docs/sources.md#network-flows
    pub struct Flw002 {
        code: "FLW002",
        name: "flow-unknown",
        severity: Warning,
        summary: "A flow the architecture needs cannot be decided from the rendered templates",
    }
}

declare_rule! {
    /// ## What it checks
    /// The waivers in the spec: comments `# akswin: allow CODE[, CODE] until YYYY-MM-DD:
    /// reason` on a finding's line (or alone on the line above it), each accepting those codes'
    /// findings on that line until the date; and the lines of `akswin audit --waivers FILE`,
    /// `allow CODE[, CODE] in GLOB until YYYY-MM-DD: reason`, each accepting those codes'
    /// findings in the inputs whose name matches GLOB. An error: a waiver without a reason,
    /// with codes, a glob or a date that do not parse, or past its date (the findings it
    /// accepted are back); a warning: a waiver that accepts nothing.
    ///
    /// ## Why it matters
    /// A team accepts a finding it has judged (a dev cluster in one zone) and keeps
    /// `--deny-warnings` on for everything else; the reason and the date keep the decision
    /// visible, and an expired waiver brings the finding back rather than hiding it for ever.
    /// Waived findings are listed apart, count toward no exit code, and are suppressions in
    /// SARIF (kind `inSource` for the spec's comments, `external` for audit's file, with the
    /// reason).
    ///
    /// ## How to fix
    /// Write the waiver as shown, with the finding's code, a date and a reason; renew or
    /// remove it when it ends.
    ///
    /// ## References
    /// - https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html (suppressions)
    pub struct Wvr001 {
        code: "WVR001",
        name: "waiver-invalid",
        severity: Error,
        summary: "A waiver (in the spec, or audit's waiver file) is malformed, expired, or accepts nothing",
    }
}

/// The verification codes' metadata, for SARIF descriptors, `akswin rules` and `explain`.
pub fn metas() -> Vec<RuleMeta> {
    vec![
        Wvr001::META,
        Flw001::META,
        Flw002::META,
        Rnd001::META,
        Rnd002::META,
        Rnd003::META,
        Rnd004::META,
        Rnd005::META,
        Rnd006::META,
    ]
}

/// What `check` found, with the plan it judged and, when the rules found no error, the tree
/// `render` writes.
#[derive(Debug, Clone)]
pub struct Checked {
    pub plan: NetworkPlan,
    pub findings: Vec<Finding>,
    pub tree: Option<Tree>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

fn finding(
    loaded: &Loaded,
    meta: &RuleMeta,
    pointer: &str,
    message: String,
    help: &str,
) -> Finding {
    Finding::new(meta.code, meta.severity, pointer, message)
        .with_span(loaded.index.span(pointer))
        .with_help(help)
}

/// Plan, run every rule, and when no rule finds an error, render in memory and verify the
/// render. `tree` is the verified render (None when there are errors).
pub fn check(loaded: &Loaded, today: akswin_rules::Date, tool_version: &str) -> Checked {
    check_priced(
        loaded,
        today,
        tool_version,
        &akswin_plan::cost::PriceBook::embedded(),
    )
}

/// [`check`], with rules that quote amounts quoting them from `prices` (what `plan` shows).
pub fn check_priced(
    loaded: &Loaded,
    today: akswin_rules::Date,
    tool_version: &str,
    prices: &akswin_plan::cost::PriceBook,
) -> Checked {
    let plan = akswin_plan::plan(&loaded.spec);
    let mut findings = akswin_rules::check_priced(loaded, &plan, today, prices);
    let mut tree = None;
    // Waivers in the spec accept findings (with a reason and an end date): a waived error does
    // not hold the render back. They are applied again once the render's findings are in.
    let blocking = |fs: &[Finding]| {
        fs.iter()
            .any(|f| f.severity == Severity::Error && f.waived.is_none())
    };
    waivers::apply(&loaded.source.text, &mut findings, today, Wvr001::META.code);
    if !blocking(&findings) {
        let (t, more) = render_verified(loaded, &plan, tool_version);
        findings.extend(more);
        tree = t;
    }
    let about = waivers::apply(&loaded.source.text, &mut findings, today, Wvr001::META.code);
    findings.extend(about);
    akswin_diag::sort_findings(&mut findings);
    let tree = tree.filter(|_| !blocking(&findings));
    Checked {
        plan,
        findings,
        tree,
    }
}

/// Render in memory and verify the result; the tree is returned only when it passed.
pub fn render_verified(
    loaded: &Loaded,
    plan: &NetworkPlan,
    tool_version: &str,
) -> (Option<Tree>, Vec<Finding>) {
    if let Err(akswin_render::RenderError::Unsupported {
        pointer,
        what,
        hint,
    }) = akswin_render::supported(&loaded.spec)
    {
        let f = finding(
            loaded,
            &Rnd001::META,
            &pointer,
            format!("{what} is not supported by `akswin render` yet"),
            &hint,
        );
        return (None, vec![f]);
    }
    let tree = akswin_render::render(&loaded.spec, plan, tool_version);
    let findings = verify(loaded, plan, &tree);
    // Warnings (a flow akswin cannot decide) do not hold the render back.
    let ok = !findings.iter().any(|f| f.severity == Severity::Error);
    (ok.then_some(tree), findings)
}

/// akswin's own validators on a rendered tree (RND002 manifests, RND003 templates, RND004
/// resource types, RND005 names), as findings at the spec fields the files come from.
pub fn verify(loaded: &Loaded, plan: &NetworkPlan, tree: &Tree) -> Vec<Finding> {
    let mut findings = manifest_findings(loaded, tree);
    // An existing cluster's templates are never rendered (only what goes into it is): its
    // templates and the flows through them are not akswin's to judge.
    if loaded.spec.cluster.existing.is_none() {
        findings.extend(template_findings(loaded, plan, tree));
        findings.extend(flow_findings(loaded, plan, tree));
    }
    findings
}

/// FLW001 for flows the rendered network gets wrong, FLW002 for flows it cannot decide: one
/// finding per flow and outcome, naming up to three of its destinations.
fn flow_findings(loaded: &Loaded, plan: &NetworkPlan, tree: &Tree) -> Vec<Finding> {
    use flows::Verdict;
    let results = flows::verify_flows(&loaded.spec, plan, tree);
    let mut groups: Vec<(String, &'static RuleMeta, String, String, Vec<String>)> = Vec::new();
    // Flows the platform team's part of the network decides (an existing hub): one note.
    let mut platform: Vec<&str> = Vec::new();
    for r in results.iter().filter(|r| !r.ok()) {
        if let Verdict::Platform { .. } = r.verdict {
            if !platform.contains(&r.id.as_str()) {
                platform.push(&r.id);
            }
            continue;
        }
        let (meta, outcome) = match (&r.verdict, r.expect.as_str()) {
            (Verdict::Dropped { at, why }, _) => (&Flw001::META, format!("dropped at {at}: {why}")),
            (Verdict::Allowed { path }, _) => (
                &Flw001::META,
                format!("must be refused, but gets through ({})", path.join(" > ")),
            ),
            (Verdict::Unknown { what }, _) => (&Flw002::META, format!("cannot be decided: {what}")),
            (Verdict::Platform { .. }, _) => continue,
        };
        let key = format!("{} {}", r.id, outcome);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.4.push(format!("{} -> {}", r.from, r.to)),
            None => groups.push((
                key,
                meta,
                r.field.clone(),
                format!("flow `{}` ({}) {outcome}", r.id, r.why),
                vec![format!("{} -> {}", r.from, r.to)],
            )),
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    if !platform.is_empty() {
        let mut f = finding(
            loaded,
            &Flw002::META,
            "/network/hub/existing",
            format!(
                "{} flows cross the existing hub's part of the network, which the platform team runs (its firewall's rules or its own subnets): {}",
                platform.len(),
                platform.join(", ")
            ),
            "the rendered README's \"The platform team's part\" lists what each needs; `akswin plan --format json` shows each flow up to the hub",
        );
        f.severity = Severity::Info;
        out.push(f);
    }
    out.extend(groups
        .into_iter()
        .map(|(_, meta, field, message, probes)| {
            let shown: Vec<&str> = probes.iter().take(3).map(String::as_str).collect();
            let more = probes.len().saturating_sub(shown.len());
            let mut m = format!("{message}: {}", shown.join("; "));
            if more > 0 {
                m.push_str(&format!("; and {more} more"));
            }
            let help = if meta.code == "FLW001" {
                "fix the field this points at, or your own NSG and firewall rules; `akswin plan --format json` lists every flow with its path"
            } else {
                "check this path outside akswin (your gateway, on-premises routes and firewalls)"
            };
            finding(loaded, meta, &field, m, help)
        }));
    out
}

/// The spec field a rendered manifest comes from.
pub fn manifest_origin(loaded: &Loaded, file: &str, code: &str) -> String {
    let stem = file
        .strip_prefix("k8s/")
        .and_then(|f| f.strip_suffix(".yaml"))
        .unwrap_or("");
    if stem.starts_with("prepull-") || stem == "00-akswin-system" {
        return "/scaling/prepull".into();
    }
    match loaded
        .spec
        .workloads
        .iter()
        .position(|w| akswin_render::k8s::k8s_name(&w.name) == stem)
    {
        Some(i) => {
            let field = match code {
                "WIN004" | "WIN001" | "WIN013" | "WIN012" | "WIN015" => "/image",
                "WIN018" => "/pool",
                "WIN007" => "/resources",
                _ => "",
            };
            format!("/workloads/{i}{field}")
        }
        None => String::new(),
    }
}

/// akswin's manifest rules on the rendered Kubernetes objects, as findings at the spec.
fn manifest_findings(loaded: &Loaded, tree: &Tree) -> Vec<Finding> {
    let inputs = akswin_audit::inputs_under(&tree.files, "k8s/");
    if inputs.is_empty() {
        return Vec::new();
    }
    let cx = akswin_audit::Context::from_spec(&loaded.spec).finish();
    let r = akswin_audit::audit(&inputs, &cx);
    r.findings
        .iter()
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(i, f)| {
            let file = r.sources.get(*i).map_or("k8s/?", |s| s.name.as_str());
            let pointer = manifest_origin(loaded, file, &f.code);
            finding(
                loaded,
                &Rnd002::META,
                &pointer,
                format!("rendered {file} fails {}: {}", f.code, f.message),
                f.help
                    .as_deref()
                    .unwrap_or("see `akswin explain` for the manifest rule"),
            )
        })
        .collect()
}

/// The spec field a rendered name comes from: `registry.name` for the registry's own name
/// when the spec sets it, `name` for names built from it, else the document (akswin's own).
fn name_origin(loaded: &Loaded, plan: &NetworkPlan, name: &str) -> &'static str {
    let spec = &loaded.spec;
    if spec
        .registry
        .name
        .as_ref()
        .is_some_and(|r| r.as_str() == name)
    {
        return "/registry/name";
    }
    let prefix = &plan.names.prefix;
    let alnum: String = prefix.chars().filter(char::is_ascii_alphanumeric).collect();
    let short: String = alnum.chars().take(10).collect();
    let lower = name.to_ascii_lowercase();
    // An empty prefix (a `name` with no letter or digit) leaves names like `kv-`.
    if prefix.is_empty() || lower.contains(prefix.as_str()) || lower.contains(&short) {
        "/name"
    } else {
        ""
    }
}

/// Name-like properties judged by the naming table: (type, JSON pointer under the resource).
const NAME_PROPERTIES: [(&str, &str); 3] = [
    (
        "Microsoft.ContainerService/managedClusters",
        "/properties/dnsPrefix",
    ),
    (
        "Microsoft.ContainerService/managedClusters",
        "/properties/nodeResourceGroup",
    ),
    (
        "Microsoft.Compute/virtualMachines",
        "/properties/osProfile/computerName",
    ),
];

/// A rendered name that breaks its type's naming rule.
struct NameProblem {
    /// The spec field it comes from.
    origin: &'static str,
    text: String,
    /// Characters over the type's maximum length (0: not a length problem).
    overflow: usize,
}

/// Every literal resource name (its last segment) and name-like property against Azure's
/// naming rules for the type (RND005). Adds the problems (once per type and name) and
/// returns the resources they cover.
fn name_problems(
    loaded: &Loaded,
    plan: &NetworkPlan,
    rs: &[(String, &serde_json::Value)],
    seen: &mut std::collections::BTreeSet<(String, String)>,
    problems: &mut Vec<NameProblem>,
) -> Vec<String> {
    let facts = akswin_facts::facts();
    let mut covered = Vec::new();
    for (at, r) in rs {
        let Some(ty) = r["type"].as_str() else {
            continue;
        };
        let mut judge = |rule_type: String, what: &str, value: &str| {
            let Some(rule) = facts.name_rule(&rule_type) else {
                return;
            };
            if value.starts_with('[') {
                return; // an expression: ARM computes it
            }
            let Err(why) = rule.check(value) else { return };
            covered.push(at.clone());
            if seen.insert((rule_type.clone(), value.to_string())) {
                problems.push(NameProblem {
                    origin: name_origin(loaded, plan, value),
                    text: format!("{what} `{value}` {why}"),
                    overflow: value.chars().count().saturating_sub(rule.max),
                });
            }
        };
        if let Some(name) = r["name"].as_str() {
            let last = name.rsplit('/').next().unwrap_or(name);
            judge(ty.to_string(), &format!("{ty} name"), last);
        }
        for (pty, ptr) in NAME_PROPERTIES {
            if ty.eq_ignore_ascii_case(pty)
                && let Some(v) = r.pointer(ptr).and_then(|v| v.as_str())
            {
                let prop = ptr.trim_start_matches('/').replace('/', ".");
                judge(format!("{ty}#{prop}"), &format!("{ty} {prop}"), v);
            }
        }
    }
    covered
}

/// One RND005 finding per spec field: a long `name` breaks a dozen derived names at once, and
/// the reader needs the cause and the length that fits, not twenty findings.
fn name_findings(
    loaded: &Loaded,
    plan: &NetworkPlan,
    mut problems: Vec<NameProblem>,
) -> Vec<Finding> {
    problems.sort_by(|a, b| {
        b.overflow
            .cmp(&a.overflow)
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut origins: Vec<&'static str> = problems.iter().map(|p| p.origin).collect();
    origins.sort_unstable();
    origins.dedup();
    origins
        .into_iter()
        .map(|origin| {
            let mine: Vec<&NameProblem> = problems.iter().filter(|p| p.origin == origin).collect();
            let shown: Vec<&str> = mine.iter().take(3).map(|p| p.text.as_str()).collect();
            let more = mine.len().saturating_sub(shown.len());
            let mut message = if mine.len() == 1 {
                format!("rendered {}", shown.join(""))
            } else {
                format!("{} rendered names break Azure's naming rules: {}", mine.len(), shown.join("; "))
            };
            if more > 0 {
                message.push_str(&format!("; and {more} more"));
            }
            let worst = mine.iter().map(|p| p.overflow).max().unwrap_or(0);
            let help = match origin {
                "/name" if worst > 0 => {
                    let fits = plan.names.prefix.chars().count().saturating_sub(worst);
                    format!("shorten `name` to at most {fits} characters (letters, digits and hyphens, starting with a letter); akswin builds every resource name from it")
                }
                "/name" => "use letters, digits and hyphens in `name`, starting with a letter; akswin builds every resource name from it".to_string(),
                "/registry/name" => "a registry name is 5-50 letters and digits, unique across Azure".to_string(),
                _ => "this is an akswin bug; please report it with the spec".to_string(),
            };
            finding(loaded, &Rnd005::META, origin, message, &help)
        })
        .collect()
}

/// The strict type check of every rendered resource (RND004), and the naming rules (RND005).
/// A resource RND005 reports is not reported again by RND004 for its name.
fn type_findings(
    loaded: &Loaded,
    plan: &NetworkPlan,
    parsed: &[(String, serde_json::Value)],
) -> Vec<Finding> {
    let ix = akswin_render::armtypes::TypeIndex::embedded();
    let mut findings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for (file, t) in parsed {
        let mut rs = Vec::new();
        akswin_render::armtypes::template_resources(t, file, &mut rs);
        let covered = name_problems(loaded, plan, &rs, &mut seen, &mut problems);
        for (at, r) in rs {
            let ty = r["type"].as_str().unwrap_or_default();
            let name_problem = format!("{at} {ty}/name:");
            for problem in ix
                .check_resource(r, &at)
                .into_iter()
                .filter(|p| !(covered.contains(&at) && p.starts_with(&name_problem)))
            {
                findings.push(finding(
                    loaded,
                    &Rnd004::META,
                    "",
                    format!("rendered {problem}"),
                    "this is an akswin bug or a value Azure refuses; please report it with the spec",
                ));
            }
        }
    }
    findings.extend(name_findings(loaded, plan, problems));
    findings
}

/// Every rendered JSON file parses, every ARM expression passes the linter, and every
/// resource passes the strict type check.
fn template_findings(loaded: &Loaded, plan: &NetworkPlan, tree: &Tree) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut parsed = Vec::new();
    for (k, v) in tree.files.iter().filter(|(k, _)| k.ends_with(".json")) {
        match serde_json::from_str::<serde_json::Value>(v) {
            Ok(j) => {
                if !k.ends_with("parameters.json") {
                    parsed.push((k.clone(), j));
                }
            }
            Err(e) => findings.push(finding(
                loaded,
                &Rnd003::META,
                "",
                format!("rendered {k} is not valid JSON: {e}"),
                "this is an akswin bug; please report it with the spec",
            )),
        }
    }
    let refs: Vec<(&str, &serde_json::Value)> =
        parsed.iter().map(|(k, v)| (k.as_str(), v)).collect();
    findings.extend(type_findings(loaded, plan, &parsed));
    findings.extend(vault_grant_findings(loaded, &parsed));
    for problem in akswin_render::lint::lint(&refs) {
        findings.push(finding(
            loaded,
            &Rnd003::META,
            "",
            format!("rendered template fails akswin's expression check: {problem}"),
            "this is an akswin bug; please report it with the spec",
        ));
    }
    findings
}

/// Key Vault data-plane roles (Azure built-in roles, security category).
const KEY_VAULT_DATA_ROLES: &[(&str, &str)] = &[
    (
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Key Vault Administrator",
    ),
    (
        "a4417e6f-fecd-4de8-b567-7b0420556985",
        "Key Vault Certificates Officer",
    ),
    (
        "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
        "Key Vault Certificate User",
    ),
    (
        "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
        "Key Vault Crypto Officer",
    ),
    (
        "12338af0-0e69-4776-bea7-57ae8d297424",
        "Key Vault Crypto User",
    ),
    (
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Key Vault Secrets Officer",
    ),
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
    ),
];

/// RND006: every Key Vault data role granted beyond one secret, except the operator's
/// officer roles on a vault.
fn vault_grant_findings(loaded: &Loaded, parsed: &[(String, serde_json::Value)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (file, t) in parsed {
        let mut rs = Vec::new();
        akswin_render::armtypes::template_resources(t, file, &mut rs);
        for (at, r) in rs {
            if r["type"] != "Microsoft.Authorization/roleAssignments" {
                continue;
            }
            let role_id = r["properties"]["roleDefinitionId"].to_string();
            let Some((_, role)) = KEY_VAULT_DATA_ROLES
                .iter()
                .find(|(id, _)| role_id.contains(id))
            else {
                continue;
            };
            let scope = r["scope"].as_str().unwrap_or_default();
            let principal = r["properties"]["principalId"].to_string();
            let one_secret =
                scope.contains("Microsoft.KeyVault/vaults/secrets") || scope.contains("/secrets/");
            let vault = scope.contains("Microsoft.KeyVault/vaults");
            let operator =
                principal.contains("parameters('operatorObjectId')") && role.ends_with("Officer");
            if one_secret || (vault && operator) {
                continue;
            }
            let what = if vault {
                "a whole Key Vault"
            } else {
                "every Key Vault in its resource group or subscription"
            };
            findings.push(finding(
                loaded,
                &Rnd006::META,
                "",
                format!("{at}: {role} on {what} for {principal}: only one secret's scope, or the operator's officer role on a vault, is allowed"),
                "this is an akswin bug; please report it with the spec",
            ));
        }
    }
    findings
}
