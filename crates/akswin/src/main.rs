//! The akswin command line: the only crate that touches files, the environment, stdout and
//! exit codes. Each command loads input, calls the libraries, and prints a view of the result.
//!
//! Exit codes: 0 clean, 1 findings of error severity (or warnings with `--deny-warnings`),
//! 2 the tool could not run (bad arguments, unreadable or invalid spec, internal error).

mod io;

/// mimalloc instead of the system allocator: `audit` parses files on every core, and glibc's
/// malloc spent a fifth of the run in allocation and free under that load (perf, 10,000
/// documents); mimalloc's per-thread heaps remove most of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use akswin_pipeline::views::plan;

use akswin_diag::render::{self, HumanOptions};
use akswin_diag::{Report, Severity, Source};
use akswin_spec::types::PriceSource;
use akswin_spec::{BASELINE_NAME, BASELINE_YAML, LoadError, Loaded};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "akswin",
    version,
    about = "Plan, check and render the Azure \"Windows containers on AKS\" architecture from one spec",
    long_about = "akswin turns one declarative spec (akswin.yaml) into the reference architecture \
\"Windows containers on AKS\": hub-spoke network, AKS with Linux system, Linux user and Windows \
user pools on Azure CNI, Front Door Premium with WAF, Microsoft Entra application proxy, an internal \
load balancer, Azure Firewall egress, AD domain controllers and gMSA.\n\n\
Start with `akswin init` (writes the baseline spec), edit it, then `akswin check` and `akswin plan`. \
`akswin explain CODE` documents every finding.",
    after_help = "Exit codes: 0 clean, 1 error findings (or warnings with --deny-warnings), 2 akswin could not run.\n\
Without SPEC, commands read ./akswin.yaml, or the built-in baseline when there is none."
)]
struct Cli {
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec against every rule of the architecture and of Azure.
    ///
    /// When the rules find no error, check also renders everything in memory and verifies it
    /// with akswin's own validators (the manifest rules of `audit`, the ARM expression check):
    /// a problem there is a finding (RND001-RND005) at the spec field that causes it, so check
    /// passes exactly what `render` renders. Findings point at file:line:col and carry a JSON
    /// pointer and a hint. `akswin explain CODE` documents each code. Exit 0: no errors;
    /// 1: errors (or warnings with --deny-warnings); 2: the spec could not be read.
    Check(CheckArgs),
    /// Plan the landing zone: pools, the address plan (every `auto` subnet resolved, with
    /// demand and headroom at min / max / max + surge), assigned addresses, firewall rules,
    /// workloads, scale-out times, the hot-spare week, the Windows node image upgrade calendar,
    /// the monthly cost and a rule summary.
    ///
    /// Scale-out: for each Windows workload, the minutes to add `scaleOutReplicas` replicas on
    /// the existing nodes (with and without pre-pull), with autoscaler nodes, and with the hot
    /// spare; inputs are the spec's measurements, or defaults whose source is printed. The
    /// hot-spare week (nodes per UTC hour, node-hours added) is the week of `--today`; the
    /// calendar lists the next 12 maintenance windows from `--today`, each with its days after
    /// Patch Tuesday. Cost: per component, Windows licences apart, at the autoscaler's min,
    /// expected (min plus hot-spare hours) and max, priced from the embedded dated table or
    /// `--prices FILE`. `akswin plan network` shows only the address plan. `--out plan.json`
    /// writes the plan artifact (schemaVersion 3: the spec as loaded, the resolved model, the
    /// findings and the models) that `akswin render --plan` renders from. The exit code is 0 even with
    /// findings: plan shows, check judges.
    #[command(args_conflicts_with_subcommands = true)]
    Plan {
        #[command(subcommand)]
        view: Option<PlanView>,
        #[command(flatten)]
        args: PlanArgs,
    },
    /// Render the deployable artifacts: ARM templates (bootstrap, main, Front Door) and their
    /// parameters, deploy.sh, Kubernetes manifests, GitHub Actions workflows (node image
    /// upgrade, hot spare), PowerShell for gMSA, application proxy and the internal DNS
    /// record, and a README with every step in order.
    ///
    /// Refuses (exit 1) while `check` reports errors; what it writes is the tree `check`
    /// verified. `--plan plan.json` renders from a plan artifact (`akswin plan --out`) alone,
    /// byte for byte what rendering its spec gives, and refuses an artifact whose check had
    /// errors. Writes atomically: a failed render leaves DIR as it was. Deploy with
    /// `DIR/deploy.sh` (what-if first, then create).
    Render(RenderArgs),
    /// Write the planning report: one self-contained HTML page (no scripts, no external
    /// assets; open it offline or attach it to a change request) with the topology diagram
    /// (ingress path, hub and spokes, every subnet with its prefix and utilisation, pools by
    /// OS, domain controllers, firewall), scale-out times, the hot-spare week chart, the cost
    /// breakdown, subnet headroom, the upgrade calendar and every finding with its explanation.
    ///
    /// `--format json` writes every number on the page (the `plan --format json` document
    /// plus the findings with their explanations). Without `-o`, writes to stdout. The exit
    /// code is 0 even with findings.
    Report(ReportArgs),
    /// Audit Kubernetes manifests (files, directories, `-` for stdin; YAML, JSON, kind: List,
    /// Helm output) against the Windows rules (WIN001-WIN025) and removed APIs (K8S001).
    ///
    /// With --spec (an akswin spec) or --cluster (the JSON of `az aks show`) the rules know
    /// the pools; without, the rules that need them say so once. A document that does not
    /// parse is a K8S000 finding and the audit goes on.
    Audit(AuditArgs),
    /// Compare the cluster a spec renders with a deployed one: drift, for a scheduled
    /// workflow that watches production.
    ///
    /// `--cluster` is the JSON of `az aks show --resource-group RG --name CLUSTER --output
    /// json`; `--maintenance`, optional, that of `az aks maintenanceconfiguration list
    /// --resource-group RG --cluster-name CLUSTER --output json`. What `render` would deploy is
    /// compared field by field: the Kubernetes version; every pool (mode, OS and OS SKU, VM
    /// size, autoscaler bounds or count, max pods, OS disk, zones, max surge, subnet,
    /// host encryption, FIPS, labels, taints, version, health) and any pool the spec does not
    /// declare; Windows node images older than 105 days (a missed Patch Tuesday, allowing for
    /// the release and rollout lag); the tier and the network profile; private API server,
    /// local accounts and Azure RBAC; upgrade channels; add-ons, workload identity and the
    /// Windows profile (licence, gMSA); the maintenance windows, and any the spec does not
    /// declare; with `--vnet` and `--rule-collection-groups`, the spoke VNet (address space,
    /// DNS servers, subnets, the peering to the hub) and akswin's firewall rule collection
    /// groups rule by rule. `none`, `false` and absent count as the same. Field names are matched without regard to case (the CLI and the REST API spell
    /// them differently). The SPEC must be yours: diff never falls back to the built-in
    /// baseline. Exit 0: no drift; 1: drift; 2: an input could not be read.
    Diff(DiffArgs),
    /// Compare the environments of a spec (`environments`: dev, test, prod as JSON Merge
    /// Patches, RFC 7386, over the rest of the file): each is checked, planned and priced as
    /// `check --env NAME` and `plan --env NAME` would, shown side by side (findings,
    /// Kubernetes version, tier, address spaces, pools, cost), then every value that differs
    /// between them. `--format html -o FILE` writes one self-contained page. Exit 0: no
    /// environment has errors; 1: one has; 2: the spec or an environment could not be read.
    Envs(EnvsArgs),
    /// A local web designer: the spec in an editor, checked as you type, with the findings at
    /// their line and column, the topology, the address plan, cost, scale-out and the upgrade
    /// calendar, all from the same pipeline as `check` and `plan`.
    ///
    /// Listens on 127.0.0.1 only and prints the URL to open, with this run's token in it: the
    /// server answers only requests for its own host and port, from its own page, carrying the
    /// token (another site in the browser, a rebound DNS name or another local user get
    /// nothing), and the page loads nothing from anywhere else. With `--write` it saves to SPEC
    /// (atomically) and to no other file. Without SPEC it opens the built-in baseline and
    /// cannot save. "Download the rendered tree" gives the files `render` writes, as a zip. This
    /// first increment is a plain editor; the schema-aware editor, presets, diff and share
    /// links are not built yet (docs/serve.md). Stop it with
    /// Ctrl-C.
    Serve(ServeArgs),
    /// akswin's Windows rules in the cluster, at admission: the manifest rules that can be
    /// judged from the one object the API server admits, as Gatekeeper ConstraintTemplates
    /// (their Rego) and Constraints, or as Azure Policy custom definitions with an initiative
    /// for the AKS Azure Policy add-on (which runs Gatekeeper).
    ///
    /// `render` already puts the definitions, the initiative and its assignment into
    /// `arm/main.json` (`policy.admission` in the spec sets the effects); `policy export` is
    /// for clusters akswin did not deploy. `policy list` shows which rules are enforced and
    /// why the others are not (they need other objects of the cluster, or the API server
    /// enforces them itself): check those in CI with `akswin audit`.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write the built-in baseline spec (with comments) to a file.
    Init(InitArgs),
    /// Print the documentation of a rule or input-error code (e.g. POOL004, SPEC002).
    Explain {
        /// The code, case-insensitive.
        code: String,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print the JSON Schema of the spec (for editor completion).
    ///
    /// In akswin.yaml: `# yaml-language-server: $schema=schema/akswin.schema.json`
    ///
    /// `--format markdown` writes the spec reference instead (docs/spec-reference.md): every
    /// key with its type, default and description, generated from the same schema.
    Schema {
        /// Write to FILE (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
        format: SchemaFormat,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// List every manifest rule: enforced at admission (with its constraint kind and
    /// parameters) or not, and why.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Write the admission rules to a directory, atomically.
    ///
    /// `--format gatekeeper`: `templates/*.yaml` (ConstraintTemplates), `constraints/*.yaml`
    /// and a README with the order to apply them. `--format azure-policy`: `azure-policy.json`,
    /// a subscription-scope ARM template with one custom definition per rule and the
    /// initiative (`az deployment sub create --location LOCATION --template-file
    /// azure-policy.json`), `assignment.parameters.json` with this cluster's parameters, and a
    /// README with the assignment command.
    ///
    /// The rules' parameters (whether the cluster has Windows pools, the allowed registries)
    /// come from --spec or --cluster, like `audit`.
    Export(PolicyExportArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PolicyFormat {
    Gatekeeper,
    AzurePolicy,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EffectChoice {
    /// Admit and report (Gatekeeper `warn`, Azure Policy `Audit`).
    Audit,
    /// Refuse the object.
    Deny,
    /// Deny for rules of error severity, audit for the others.
    BySeverity,
}

#[derive(Args)]
struct PolicyExportArgs {
    #[arg(long, value_enum)]
    format: PolicyFormat,
    /// The directory to write (replaced atomically with --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace DIR if it exists and is not empty.
    #[arg(long)]
    force: bool,
    /// An akswin spec: the parameters come from it, and the effects from its
    /// `policy.admission` unless --effect is given.
    #[arg(long, value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The JSON of `az aks show --output json`: whether the cluster has Windows pools.
    #[arg(long, value_name = "AKS_JSON", conflicts_with = "spec")]
    cluster: Option<PathBuf>,
    /// An allowed registry host for WIN012 (repeatable; default from --spec; none: WIN012
    /// allows every registry).
    #[arg(long = "allowed-registry", value_name = "HOST")]
    allowed_registries: Vec<String>,
    /// The effect of every rule (default: the spec's `policy.admission`, else audit).
    #[arg(long, value_enum)]
    effect: Option<EffectChoice>,
}

#[derive(Args)]
struct SpecArg {
    /// The spec file (`-` for stdin). Default: ./akswin.yaml, else the built-in baseline.
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// Judge dates (retirements, support windows) and start the upgrade calendar as of this day,
    /// YYYY-MM-DD. Default: today.
    #[arg(long, value_name = "DATE", env = "AKSWIN_TODAY")]
    today: Option<String>,
    /// One environment of the spec (`environments.NAME`, merged over the rest of the file);
    /// `akswin envs` compares them all.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
}

/// A deployed cluster as the spec's `cluster` section.
#[derive(Args)]
struct ClusterSource {
    /// Take the spec's `cluster` section from a deployed cluster: the JSON of `az aks show
    /// --output json` (pools, OS SKUs, sizes, versions, identities, names). The spec then has
    /// no `cluster` section of its own; `render` writes only what goes into the cluster
    /// (`--only k8s,workflows,scripts`).
    #[arg(long = "cluster", value_name = "AKS_JSON")]
    cluster: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    spec: SpecArg,
    #[command(flatten)]
    from: ClusterSource,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    prices: PricesArg,
}

#[derive(Args)]
struct PlanArgs {
    #[command(flatten)]
    spec: SpecArg,
    #[command(flatten)]
    from: ClusterSource,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    /// Also write the plan artifact (JSON) to FILE, atomically.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    prices: PricesArg,
}

#[derive(Args)]
struct PricesArg {
    /// Price the cost model from FILE, a response of the Azure Retail Prices API (or a JSON
    /// array of its pages), e.g. saved from
    /// `https://prices.azure.com/api/retail/prices?$filter=armRegionName eq 'eastus2'`.
    /// Rows of the spec's region override the embedded, dated table. Default: the spec's
    /// `cost.prices`, else the embedded table. Never uses the network.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
}

#[derive(Args)]
struct ReportArgs {
    #[command(flatten)]
    spec: SpecArg,
    #[command(flatten)]
    from: ClusterSource,
    /// Write the report to FILE (atomically) instead of stdout, e.g. -o report.html.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    #[command(flatten)]
    prices: PricesArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Html,
    Json,
}

#[derive(Args)]
struct ServeArgs {
    /// The spec to open (created on the first save when it does not exist yet). Default: the
    /// built-in baseline, read-only.
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The port on 127.0.0.1 (0: any free port, printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Let the page save to SPEC (and only SPEC).
    #[arg(long)]
    write: bool,
    /// Judge dates and start the upgrade calendar as of this day, YYYY-MM-DD. Default: today.
    #[arg(long, value_name = "DATE", env = "AKSWIN_TODAY")]
    today: Option<String>,
}

#[derive(Args)]
struct EnvsArgs {
    /// The spec file with `environments` (`-` for stdin; default ./akswin.yaml).
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// Judge dates as of this day, YYYY-MM-DD. Default: today.
    #[arg(long, value_name = "DATE", env = "AKSWIN_TODAY")]
    today: Option<String>,
    #[arg(long, value_enum, default_value_t = EnvsFormat::Human)]
    format: EnvsFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EnvsFormat {
    Human,
    Json,
    Html,
}

#[derive(Subcommand)]
enum PlanView {
    /// Only the address plan: VNet, subnet, prefix, usable, demand, headroom.
    Network(PlanArgs),
    /// Plan a Windows Server version migration of one pool (e.g. Windows2022 to Windows2025).
    ///
    /// A pool's Windows version cannot change in place. The plan adds a new pool beside the
    /// old one, checks that intermediate spec with every rule (both pools' addresses at max +
    /// surge in their subnet, the new SKU's requirements such as the FIPS image for
    /// Windows2025), lists the workloads whose images must be rebuilt for the new ltsc, and
    /// writes the runbook: add the pool (`az aks nodepool add` with the old pool's settings),
    /// rebuild the images, pre-pull, move the workloads, drain, remove the old pool, each step
    /// with the check, audit or diff that proves it. Exit 1 when the intermediate spec has
    /// errors (the runbook says which).
    Migration(MigrationArgs),
}

#[derive(Args)]
struct MigrationArgs {
    #[command(flatten)]
    spec: SpecArg,
    /// The Windows pool to migrate.
    #[arg(long, value_name = "POOL")]
    pool: String,
    /// The Windows OS SKU to move to.
    #[arg(long, value_name = "OS_SKU", value_parser = ["Windows2019", "Windows2022", "Windows2025"])]
    to: String,
    /// The new pool's name (default: win + the year's last two digits, e.g. win25).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
    /// Write the runbook (Markdown) to FILE, atomically, as well.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct RenderArgs {
    #[command(flatten)]
    spec: SpecArg,
    #[command(flatten)]
    from: ClusterSource,
    /// Render from a plan artifact written by `akswin plan --out FILE`, instead of a spec.
    #[arg(long, value_name = "FILE", conflicts_with = "spec")]
    plan: Option<PathBuf>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace DIR when it exists and is not empty.
    #[arg(long)]
    force: bool,
    /// Write only these parts of the tree (comma-separated): `arm` (templates), `k8s`
    /// (manifests), `workflows` (GitHub Actions), `scripts` (PowerShell and shell), `docs`
    /// (README.md and deploy.sh), `policy` (for a cluster that exists already: its Azure Policy
    /// assignments, `policy/assignments.json`). For a cluster that exists already:
    /// `--cluster aks.json --only k8s,workflows,scripts,policy` (its templates and runbook are
    /// not akswin's to write). Default: all.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PARTS")]
    only: Vec<RenderPart>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RenderPart {
    Arm,
    K8s,
    Workflows,
    Scripts,
    Docs,
    Policy,
}

impl RenderPart {
    fn holds(self, file: &str) -> bool {
        match self {
            RenderPart::Arm => file.starts_with("arm/"),
            RenderPart::K8s => file.starts_with("k8s/"),
            RenderPart::Workflows => file.starts_with(".github/workflows/"),
            RenderPart::Scripts => file.starts_with("scripts/"),
            RenderPart::Docs => file == "README.md" || file == "deploy.sh",
            RenderPart::Policy => file.starts_with("policy/"),
        }
    }
}

/// The files of the parts asked for (all without `--only`); an error when none is left.
fn only_parts(
    files: std::collections::BTreeMap<String, String>,
    parts: &[RenderPart],
) -> Result<std::collections::BTreeMap<String, String>, Fatal> {
    if parts.is_empty() {
        return Ok(files);
    }
    let kept: std::collections::BTreeMap<String, String> = files
        .into_iter()
        .filter(|(f, _)| parts.iter().any(|p| p.holds(f)))
        .collect();
    if kept.is_empty() {
        return Err(Fatal::new(
            "--only leaves nothing to write: this spec renders no file of those parts",
            Some("akswin render --out DIR (everything) lists what there is"),
        ));
    }
    Ok(kept)
}

#[derive(Args)]
struct AuditArgs {
    /// Files or directories (searched recursively for .yaml, .yml, .json), or `-` for stdin.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// An akswin spec: pools, Kubernetes version and allowed registries come from it.
    #[arg(long, value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The JSON of `az aks show` (agentPoolProfiles, version).
    #[arg(long, value_name = "FILE", conflicts_with = "spec")]
    cluster: Option<PathBuf>,
    /// Target Kubernetes version for K8S001 (e.g. 1.35).
    #[arg(long, value_name = "VERSION")]
    k8s_version: Option<String>,
    /// An allowed registry host for WIN012 (repeatable; default from --spec).
    #[arg(long = "allowed-registry", value_name = "HOST")]
    allowed_registries: Vec<String>,
    #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
    format: AuditFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Leave out the files matching GLOB (repeatable; `**/testdata/**`, `*-values.yaml`).
    /// Helm chart directories (with `Chart.yaml`) are handled without it: their metadata,
    /// values and unrendered templates are skipped with a note.
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
    /// A waiver file: one waiver a line, `allow CODE[, CODE] in GLOB until YYYY-MM-DD:
    /// reason` (GLOB matches an input's name as printed; `#` starts a comment). A waived
    /// finding is listed apart and counts toward no exit code (SARIF: a suppression of kind
    /// external); a malformed or expired waiver is a WVR001 error at its line.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// The day waivers are judged against (default: today's UTC date).
    #[arg(long, value_name = "DATE", env = "AKSWIN_TODAY")]
    today: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuditFormat {
    Human,
    Json,
    Sarif,
    Junit,
}

#[derive(Args)]
struct DiffArgs {
    #[command(flatten)]
    spec: SpecArg,
    /// The JSON of `az aks show --output json` for the deployed cluster.
    #[arg(long, value_name = "FILE")]
    cluster: PathBuf,
    /// The JSON of `az aks maintenanceconfiguration list --output json` (without it the
    /// maintenance windows are not compared).
    #[arg(long, value_name = "FILE")]
    maintenance: Option<PathBuf>,
    /// The JSON of `az network vnet show --output json` for the spoke VNet: its address space,
    /// DNS servers, subnets (prefix, NSG, route table, and any the spec does not declare) and
    /// its peering to the hub are compared.
    #[arg(long, value_name = "FILE")]
    vnet: Option<PathBuf>,
    /// The JSON of `az network firewall policy rule-collection-group list --output json` for
    /// the hub's firewall policy: akswin's rule collection groups, their collections and each
    /// rule's sources, destinations, ports and protocols are compared.
    #[arg(long, value_name = "FILE")]
    rule_collection_groups: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Args)]
struct InitArgs {
    /// Where to write the spec.
    #[arg(short, long, value_name = "FILE", default_value = "akswin.yaml")]
    output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    /// The rule reference as one Markdown document (committed as docs/rules.md).
    Markdown,
}

/// A failure that ends the run with exit code 2 and a message (not a finding).
#[derive(Debug)]
struct Fatal {
    message: String,
    hint: Option<String>,
}

impl Fatal {
    fn new(message: impl Into<String>, hint: Option<&str>) -> Self {
        Fatal {
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    match run(cli.command, color) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("  hint: {h}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Command, color: bool) -> Result<u8, Fatal> {
    match cmd {
        Command::Check(a) => check(a, color),
        Command::Plan { view, args } => match view {
            Some(PlanView::Network(a)) => plan_cmd(a, color, true),
            Some(PlanView::Migration(a)) => migration_cmd(a, color),
            None => plan_cmd(args, color, false),
        },
        Command::Render(a) => render_cmd(a, color),
        Command::Report(a) => report_cmd(a, color),
        Command::Audit(a) => audit_cmd(a, color),
        Command::Diff(a) => diff_cmd(a, color),
        Command::Envs(a) => envs_cmd(a, color),
        Command::Serve(a) => serve_cmd(a),
        Command::Init(a) => init(a),
        Command::Explain { code } => explain(&code),
        Command::Rules { format } => rules(format),
        Command::Policy(PolicyCommand::List { format }) => policy_list(format),
        Command::Policy(PolicyCommand::Export(a)) => policy_export(a),
        Command::Schema { output, format } => schema(output, format),
    }
}

/// The day akswin judges dates for: `--today` (or `AKSWIN_TODAY`), else today's UTC date.
fn serve_cmd(a: ServeArgs) -> Result<u8, Fatal> {
    let today = today(a.today.as_deref())?;
    if a.write && a.spec.is_none() {
        return Err(Fatal::new(
            "--write needs the SPEC file to save to".to_string(),
            Some("akswin serve akswin.yaml --write"),
        ));
    }
    if a.spec.as_deref() == Some(std::path::Path::new("-")) {
        return Err(Fatal::new(
            "serve opens a file, not stdin".to_string(),
            Some("give the spec's path, or no SPEC for the baseline"),
        ));
    }
    akswin_serve::run_blocking(a.port, a.spec, a.write, today, VERSION, |url| {
        eprintln!("akswin designer: open {url}\n(127.0.0.1 only; the token in the URL is this run's; Ctrl-C stops it)");
    })
    .map_err(|e| {
        Fatal::new(
            format!("cannot serve: {e}"),
            Some("another process may hold the port: try --port 0"),
        )
    })?;
    Ok(0)
}

fn today(arg: Option<&str>) -> Result<NaiveDate, Fatal> {
    use chrono::Datelike;
    match arg {
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=9999).contains(&d.year()))
            .ok_or_else(|| {
                Fatal::new(
                    format!("`{s}` is not a date between 1900-01-01 and 9999-12-31"),
                    Some("use YYYY-MM-DD, e.g. --today 2026-11-26"),
                )
            }),
        None => Ok(chrono::Utc::now().date_naive()),
    }
}

/// Read and load the spec named on the command line (or the default), printing where it
/// came from when it is the baseline. Load errors come back as a report to print.
/// The price book: `--prices`, else the spec's `cost.prices` (relative to the spec file), else
/// the embedded table.
fn price_book(
    loaded: &Loaded,
    spec: &SpecArg,
    arg: &PricesArg,
) -> Result<akswin_plan::cost::PriceBook, Fatal> {
    let mut book = akswin_plan::cost::PriceBook::embedded();
    let from_spec = &loaded.spec.cost.prices;
    let path = match (&arg.prices, from_spec) {
        (Some(p), _) => p.clone(),
        (None, PriceSource::Embedded) => return Ok(book),
        (None, PriceSource::File(rel)) => match &spec.spec {
            Some(s) if s.as_os_str() != "-" => s
                .parent()
                .map_or_else(|| PathBuf::from(rel), |d| d.join(rel)),
            _ => PathBuf::from(rel),
        },
    };
    let bytes = io::read_prices(&path)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Fatal::new(
            format!("`{}` is not UTF-8 text", path.display()),
            Some("give the JSON the Azure Retail Prices API returns"),
        )
    })?;
    book.merge_retail(
        &path.display().to_string(),
        &text,
        loaded.spec.location.as_str(),
        &loaded.spec.cost.currency,
    )
    .map_err(|e| {
        Fatal::new(
            e,
            Some("save the API's response as is: {\"BillingCurrency\": ..., \"Items\": [...], \"NextPageLink\": ...}"),
        )
    })?;
    Ok(book)
}

/// Load the spec, or print its input errors in `format` and give the exit code (2).
fn load_or_exit(arg: &SpecArg, format: Format, color: bool) -> Result<Result<Loaded, u8>, Fatal> {
    load_or_exit_from(arg, None, format, color)
}

/// [`load_or_exit`], with the `cluster` section from a deployed cluster (`--cluster`).
fn load_or_exit_from(
    arg: &SpecArg,
    cluster: Option<&Path>,
    format: Format,
    color: bool,
) -> Result<Result<Loaded, u8>, Fatal> {
    let loaded = match cluster {
        None => load_spec(arg)?,
        Some(path) => {
            if arg.env.is_some() {
                return Err(Fatal::new(
                    "--env and --cluster together are not supported yet: an environment's cluster is its own",
                    Some(
                        "take one environment's spec, or the deployed cluster with a spec without environments",
                    ),
                ));
            }
            let aks = read_az_json(path, "az aks show")?;
            let (name, bytes) = spec_input(arg, true)?;
            akswin_pipeline::existing_cluster::load_with_cluster(
                &name,
                &bytes,
                &path.display().to_string(),
                &aks,
            )
            .map_err(|e| {
                Fatal::new(
                    e,
                    Some("akswin check SPEC --cluster aks.json, with a spec that has no `cluster` section"),
                )
            })?
        }
    };
    if let Ok(l) = &loaded
        && arg.env.is_none()
        && !l.spec.environments.is_empty()
    {
        eprintln!(
            "note: {} has environments ({}): this is the base without them; --env NAME for one, `akswin envs` for all",
            l.source.name,
            l.spec
                .environments
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(loaded.map_err(|e| {
        print_report(&Report::new(e.input, e.findings), format, color);
        2
    }))
}

fn load_spec(arg: &SpecArg) -> Result<Result<Loaded, LoadError>, Fatal> {
    let (name, bytes) = spec_input(arg, false)?;
    Ok(match &arg.env {
        Some(env) => akswin_spec::load_environment(&name, &bytes, env),
        None => akswin_spec::load(&name, &bytes),
    })
}

/// The spec's name and bytes: the file, stdin, ./akswin.yaml, or the built-in baseline (never
/// with `--cluster`: the baseline describes a cluster of its own).
fn spec_input(arg: &SpecArg, with_cluster: bool) -> Result<(String, Vec<u8>), Fatal> {
    let (name, bytes) = match &arg.spec {
        Some(p) if p.as_os_str() == "-" => ("<stdin>".to_string(), io::read_stdin()?),
        Some(p) => (p.display().to_string(), io::read_file(p)?),
        None => {
            let default = PathBuf::from("akswin.yaml");
            if default.exists() {
                ("akswin.yaml".to_string(), io::read_file(&default)?)
            } else if with_cluster {
                return Err(Fatal::new(
                    "--cluster gives the spec's `cluster` section, and there is no spec for the rest: no SPEC given and ./akswin.yaml not found",
                    Some(
                        "akswin check akswin.yaml --cluster aks.json (the spec without a `cluster` section)",
                    ),
                ));
            } else {
                eprintln!(
                    "note: no SPEC given and ./akswin.yaml not found: using the built-in baseline \
                     (`akswin init` writes it to a file)"
                );
                (BASELINE_NAME.to_string(), BASELINE_YAML.as_bytes().to_vec())
            }
        }
    };
    Ok((name, bytes))
}

fn print_report(report: &Report, format: Format, color: bool) {
    match format {
        Format::Human => out(&render::human(report, HumanOptions { color })),
        Format::Json => out(&format!("{}\n", pretty(&render::json(report, VERSION)))),
        Format::Sarif => out(&format!(
            "{}\n",
            pretty(&render::sarif(report, &all_metas(), VERSION))
        )),
    }
}

/// Write to stdout. A closed pipe (`akswin check | head`) is not an error worth a panic:
/// stop writing quietly.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to standard output: {e}");
    }
}

/// Write to standard output through `write`; a closed pipe is not an error.
fn out_with(write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = write(&mut stdout)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to standard output: {e}");
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

fn check(a: CheckArgs, color: bool) -> Result<u8, Fatal> {
    let today = today(a.spec.today.as_deref())?;
    let loaded = match load_or_exit_from(&a.spec, a.from.cluster.as_deref(), a.format, color)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    // The rules, then the render verified in memory (RND codes): check passes what render renders.
    let book = price_book(&loaded, &a.spec, &a.prices)?;
    let findings = akswin_pipeline::check_priced(&loaded, today, VERSION, &book).findings;
    let report = Report::new(loaded.source, findings);
    print_report(&report, a.format, color);
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    Ok(u8::from(errors > 0 || (a.deny_warnings && warnings > 0)))
}

fn plan_cmd(a: PlanArgs, color: bool, network_only: bool) -> Result<u8, Fatal> {
    let today = today(a.spec.today.as_deref())?;
    let format = match a.format {
        ListFormat::Human => Format::Human,
        ListFormat::Json => Format::Json,
    };
    let loaded = match load_or_exit_from(&a.spec, a.from.cluster.as_deref(), format, color)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    // One price book for the rules (COST001) and the cost model.
    let book = price_book(&loaded, &a.spec, &a.prices)?;
    let checked = akswin_pipeline::check_priced(&loaded, today, VERSION, &book);
    let (network, findings) = (&checked.plan, &checked.findings);
    let models = || -> Result<plan::Models, Fatal> {
        Ok(plan::Models::of_checked(
            &loaded,
            &checked,
            book.clone(),
            today,
        ))
    };
    let artifact = |models: &plan::Models| {
        let full = plan::json(
            &loaded,
            &checked.plan,
            &checked.findings,
            models,
            VERSION,
            today,
        );
        let models_json = serde_json::json!({
            "hotSpare": full["hotSpare"],
            "upgradeCalendar": full["upgradeCalendar"],
            "scaleOut": full["scaleOut"],
            "cost": full["cost"],
            "prices": full["prices"],
        });
        akswin_pipeline::artifact::PlanArtifact::new(&loaded, &checked, today, models_json, VERSION)
    };
    if let Some(path) = &a.out {
        let art = artifact(&models()?);
        let text = serde_json::to_string_pretty(&art)
            .map_err(|e| Fatal::new(format!("cannot serialise the plan: {e}"), None))?;
        io::write_atomic(path, format!("{text}\n").as_bytes())?;
        eprintln!("wrote the plan artifact to {}", path.display());
    }
    match (a.format, network_only) {
        (ListFormat::Human, false) => {
            out(&plan::human(&loaded, network, findings, &models()?, today))
        }
        (ListFormat::Human, true) => out(&plan::network_human(network, findings)),
        (ListFormat::Json, false) => out(&format!(
            "{}\n",
            pretty(&plan::json(
                &loaded,
                network,
                findings,
                &models()?,
                VERSION,
                today
            ))
        )),
        (ListFormat::Json, true) => {
            let art = serde_json::to_value(artifact(&models()?)).unwrap_or_default();
            out(&format!("{}\n", pretty(&art)))
        }
    }
    Ok(0)
}

fn report_cmd(a: ReportArgs, color: bool) -> Result<u8, Fatal> {
    let today = today(a.spec.today.as_deref())?;
    let format = match a.format {
        ReportFormat::Html => Format::Human,
        ReportFormat::Json => Format::Json,
    };
    let loaded = match load_or_exit_from(&a.spec, a.from.cluster.as_deref(), format, color)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let book = price_book(&loaded, &a.spec, &a.prices)?;
    let checked = akswin_pipeline::check_priced(&loaded, today, VERSION, &book);
    let models = plan::Models::of_checked(&loaded, &checked, book, today);
    let network = checked.plan;
    let findings = Report::new(loaded.source.clone(), checked.findings).findings;
    let metas = all_metas();
    let shown: Vec<akswin_render::report::ReportFinding> = findings
        .iter()
        .map(|f| akswin_render::report::ReportFinding {
            code: f.code.clone(),
            severity: f.severity.as_str().to_string(),
            message: match &f.waived {
                Some(w) => format!("{} ({w})", f.message),
                None => f.message.clone(),
            },
            location: f.span.map_or_else(
                || format!("{} {}", loaded.source.name, f.pointer),
                |s| format!("{}:{}:{} {}", loaded.source.name, s.line, s.col, f.pointer),
            ),
            help: f.help.clone(),
            explanation: metas
                .iter()
                .find(|m| m.code == f.code)
                .map_or_else(String::new, |m| m.doc.trim().to_string()),
        })
        .collect();
    let day = today;
    let text = match a.format {
        ReportFormat::Json => {
            let mut v = plan::json(&loaded, &network, &findings, &models, VERSION, day);
            // schemaVersion 2: findings take the one shape of every JSON output (a location
            // object, the pointer apart), plus the rule's explanation.
            v["schemaVersion"] = serde_json::json!(2);
            v["findings"] = serde_json::Value::Array(
                findings
                    .iter()
                    .zip(&shown)
                    .map(|(f, s)| {
                        let mut j = render::finding_json(f, Some(&loaded.source.name));
                        j["explanation"] = serde_json::json!(s.explanation);
                        j
                    })
                    .collect(),
            );
            format!("{}\n", pretty(&v))
        }
        ReportFormat::Html => {
            let hs = plan::hot_spare(&loaded, day);
            let cal = plan::calendar(&loaded, day);
            let flows: Vec<akswin_render::report::ReportFlow> =
                models.flows.iter().map(|f| f.report()).collect();
            akswin_render::report::html(&akswin_render::report::ReportInput {
                spec: &loaded.spec,
                network: &network,
                scale_out: &models.scale_out,
                cost: &models.cost,
                hot_spare: hs.as_ref(),
                calendar: cal.as_ref(),
                findings: &shown,
                flows: &flows,
                source: &loaded.source.name,
                version: VERSION,
                today: &day.to_string(),
            })
        }
    };
    match &a.output {
        Some(path) => {
            io::write_atomic(path, text.as_bytes())?;
            eprintln!("wrote the report to {}", path.display());
        }
        None => out(&text),
    }
    Ok(0)
}

fn render_cmd(a: RenderArgs, color: bool) -> Result<u8, Fatal> {
    if let Some(plan) = &a.plan {
        if a.from.cluster.is_some() {
            return Err(Fatal::new(
                "--cluster reads a spec's `cluster` section, and --plan renders a plan artifact: give one",
                Some(
                    "akswin render SPEC --cluster aks.json --only k8s,workflows,scripts --out DIR",
                ),
            ));
        }
        return render_from_plan(plan, &a.out, a.force, &a.only, color);
    }
    let today = today(a.spec.today.as_deref())?;
    let loaded = match load_or_exit_from(&a.spec, a.from.cluster.as_deref(), Format::Human, color)?
    {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    // An existing cluster gets only what goes into it: its templates and runbook are not
    // akswin's to write.
    if loaded.spec.cluster.existing.is_some() {
        let wants = |p: RenderPart| a.only.is_empty() || a.only.contains(&p);
        if wants(RenderPart::Arm) || wants(RenderPart::Docs) {
            return Err(Fatal::new(
                "the cluster exists (cluster.existing, or --cluster): akswin renders only what goes into it, not its templates or runbook",
                Some("add --only k8s,workflows,scripts,policy"),
            ));
        }
    }
    // The same pipeline as `check`: the rules, then the render verified in memory. What
    // fails verification is a finding (RND001-RND005) at the spec field, never a half-written
    // tree.
    // The spec's own `cost.prices` (render has no --prices): findings read as in `check`.
    let book = price_book(&loaded, &a.spec, &PricesArg { prices: None })?;
    let checked = akswin_pipeline::check_priced(&loaded, today, VERSION, &book);
    let tree = checked.tree;
    let report = Report::new(loaded.source.clone(), checked.findings);
    let Some(tree) = tree.filter(|_| report.count(Severity::Error) == 0) else {
        print_report(&report, Format::Human, color);
        eprintln!("error: not rendering: fix the errors above first (`akswin check` shows them)");
        return Ok(1);
    };
    let mut files = only_parts(tree.files, &a.only)?;
    // A cluster akswin did not deploy: what the parts assume of it, read from az aks show.
    if let Some(path) = &a.from.cluster {
        let aks = read_az_json(path, "az aks show")?;
        let plan = akswin_plan::plan(&loaded.spec);
        files.insert(
            "EXISTING-CLUSTER.md".into(),
            akswin_pipeline::existing_cluster::prerequisites(&aks, &loaded.spec, &plan.names),
        );
    }
    io::write_tree_atomic(&a.out, &files, a.force)?;
    if report.count(Severity::Warning) > 0 {
        eprintln!(
            "note: {} (`akswin check` shows them)",
            render::summary_line(&report)
        );
    }
    rendered_note(files.len(), &a.out, None, !a.only.is_empty());
    Ok(0)
}

/// What render wrote and what to do next.
fn rendered_note(count: usize, dir: &Path, plan: Option<&Path>, subset: bool) {
    let from = plan.map_or(String::new(), |p| format!(" from the plan {}", p.display()));
    if subset {
        eprintln!(
            "rendered {count} files (--only){from} into {}; the other parts of the tree are not there",
            dir.display()
        );
    } else {
        eprintln!(
            "rendered {count} files{from} into {}; next: read {}/README.md, then run {}/deploy.sh",
            dir.display(),
            dir.display(),
            dir.display()
        );
    }
}

/// `render --plan FILE`: render from a plan artifact alone.
fn render_from_plan(
    path: &Path,
    dir: &Path,
    force: bool,
    only: &[RenderPart],
    color: bool,
) -> Result<u8, Fatal> {
    use akswin_pipeline::artifact::{PlanArtifact, render_artifact};
    let bytes = io::read_plan(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Fatal::new(format!("`{}` is not UTF-8 text", path.display()), None))?;
    let art = PlanArtifact::from_json(&text).map_err(|e| {
        Fatal::new(
            format!("`{}`: {e}", path.display()),
            Some("write it with `akswin plan SPEC --out FILE`"),
        )
    })?;
    if art.has_errors() {
        let codes: Vec<String> = art
            .findings
            .iter()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["code"].as_str().map(str::to_string))
            .collect();
        eprintln!(
            "error: not rendering: the plan was made from a spec with errors ({}); fix them, then `akswin plan --out` again",
            codes.join(", ")
        );
        return Ok(1);
    }
    let tree = match render_artifact(&art, VERSION) {
        Ok(t) => t,
        Err(findings) => {
            let report = Report::new(Source::new(path.display().to_string(), ""), findings);
            print_report(&report, Format::Human, color);
            eprintln!("error: not rendering: what the plan renders fails akswin's own checks");
            return Ok(1);
        }
    };
    let files = only_parts(tree.files, only)?;
    io::write_tree_atomic(dir, &files, force)?;
    rendered_note(files.len(), dir, Some(path), !only.is_empty());
    Ok(0)
}

/// Spec rules, manifest rules and render checks, for SARIF descriptors, `rules` and `explain`.
fn all_metas() -> Vec<akswin_diag::RuleMeta> {
    akswin_pipeline::views::all_metas()
}

fn envs_cmd(a: EnvsArgs, color: bool) -> Result<u8, Fatal> {
    let arg = SpecArg {
        spec: a.spec.clone(),
        today: a.today.clone(),
        env: None,
    };
    if a.spec.is_none() && !Path::new("akswin.yaml").exists() {
        return Err(Fatal::new(
            "envs compares the environments of your spec: no SPEC given and ./akswin.yaml not found",
            Some("akswin envs akswin.yaml (a spec with `environments`)"),
        ));
    }
    let day = today(a.today.as_deref())?;
    let (name, bytes) = spec_input(&arg, false)?;
    // The embedded prices, or the spec's own `cost.prices` file (read through the base).
    let base = match akswin_spec::load(&name, &bytes) {
        Ok(l) => l,
        Err(e) => {
            print_report(&Report::new(e.input, e.findings), Format::Human, color);
            return Ok(2);
        }
    };
    if base.spec.environments.is_empty() {
        return Err(Fatal::new(
            format!("{name} has no `environments` to compare"),
            Some(
                "add `environments: { dev: { ...what differs... }, prod: {} }` (docs: README, Environments)",
            ),
        ));
    }
    let book = price_book(&base, &arg, &PricesArg { prices: None })?;
    let cmp = match akswin_pipeline::environments::compare(&name, &bytes, day, VERSION, &book) {
        Ok(c) => c,
        Err(e) => {
            print_report(&Report::new(e.input, e.findings), Format::Human, color);
            return Ok(2);
        }
    };
    let text = match a.format {
        EnvsFormat::Human => cmp.human(),
        EnvsFormat::Json => format!(
            "{}\n",
            pretty(&serde_json::to_value(&cmp).unwrap_or_default())
        ),
        EnvsFormat::Html => cmp.html(VERSION),
    };
    match &a.output {
        Some(p) => {
            io::write_atomic(p, text.as_bytes())?;
            eprintln!("wrote the comparison to {}", p.display());
        }
        None => out(&text),
    }
    Ok(u8::from(cmp.has_errors()))
}

/// Read one JSON input of `diff`, with its line and column on a parse error.
fn read_az_json(path: &std::path::Path, what: &str) -> Result<serde_json::Value, Fatal> {
    let bytes = io::read_cluster(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Fatal::new(
            format!(
                "{}:{}:{}: not JSON: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
            Some(&format!("pass the output of `{what} --output json`")),
        )
    })
}

fn migration_cmd(a: MigrationArgs, color: bool) -> Result<u8, Fatal> {
    let loaded = match load_or_exit(&a.spec, Format::Human, color)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let day = today(a.spec.today.as_deref())?;
    let to = match a.to.as_str() {
        "Windows2019" => akswin_spec::spec::OsSku::Windows2019,
        "Windows2022" => akswin_spec::spec::OsSku::Windows2022,
        _ => akswin_spec::spec::OsSku::Windows2025,
    };
    let plan = akswin_pipeline::migration::plan_migration(
        &loaded,
        &a.pool,
        to,
        a.name.as_deref(),
        day,
        VERSION,
    )
    .map_err(|e| {
        Fatal::new(
            e,
            Some("akswin plan migration SPEC --pool win22 --to Windows2025"),
        )
    })?;
    let md = plan.markdown();
    if let Some(p) = &a.out {
        io::write_atomic(p, md.as_bytes())?;
    }
    match a.format {
        ListFormat::Json => out(&format!(
            "{}\n",
            pretty(&serde_json::to_value(&plan).unwrap_or_default())
        )),
        ListFormat::Human => out(&md),
    }
    Ok(u8::from(plan.blocked()))
}

fn diff_cmd(a: DiffArgs, color: bool) -> Result<u8, Fatal> {
    if a.spec.spec.is_none() && !std::path::Path::new("akswin.yaml").exists() {
        return Err(Fatal::new(
            "diff compares your spec with a cluster: no SPEC given and ./akswin.yaml not found",
            Some("akswin diff akswin.yaml --cluster aks.json"),
        ));
    }
    let loaded = match load_or_exit(&a.spec, Format::Human, color)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let day = today(a.spec.today.as_deref())?;
    let aks = read_az_json(&a.cluster, "az aks show")?;
    let maintenance = match &a.maintenance {
        Some(p) => Some(read_az_json(p, "az aks maintenanceconfiguration list")?),
        None => None,
    };
    let vnet = match &a.vnet {
        Some(p) => Some(read_az_json(p, "az network vnet show")?),
        None => None,
    };
    let rcgs = match &a.rule_collection_groups {
        Some(p) => Some(read_az_json(
            p,
            "az network firewall policy rule-collection-group list",
        )?),
        None => None,
    };
    let plan = akswin_plan::plan(&loaded.spec);
    let around = akswin_pipeline::drift::Around {
        vnet: vnet.as_ref(),
        rule_collection_groups: rcgs.as_ref(),
    };
    let report = akswin_pipeline::drift::drift_around(
        &loaded.spec,
        &plan,
        &aks,
        maintenance.as_ref(),
        around,
        day,
    )
    .map_err(|e| {
        Fatal::new(
            format!("`{}`: {e}", a.cluster.display()),
            Some("pass the output of `az aks show --output json` for one cluster"),
        )
    })?;
    match a.format {
        ListFormat::Json => out(&format!(
            "{}\n",
            pretty(&serde_json::to_value(&report).unwrap_or_default())
        )),
        ListFormat::Human => {
            let mut t = String::new();
            let name = if report.cluster == "absent" {
                a.cluster.display().to_string()
            } else {
                report.cluster.clone()
            };
            if report.drift.is_empty() {
                t.push_str(&format!(
                    "no drift between {} and {name}\n",
                    loaded.source.name
                ));
            } else {
                t.push_str(&format!(
                    "drift between {} and {name}:\n",
                    loaded.source.name
                ));
                for d in &report.drift {
                    t.push_str(&format!(
                        "  {}: {}\n      spec:    {}\n      cluster: {}\n      field:   {}\n",
                        d.area, d.field, d.spec, d.cluster, d.pointer
                    ));
                    if let Some(n) = &d.note {
                        t.push_str(&format!("      note:    {n}\n"));
                    }
                }
                t.push_str(&format!("{} difference(s)\n", report.drift.len()));
            }
            t.push_str(&format!("compared: {}\n", report.compared.join("; ")));
            for n in &report.not_compared {
                t.push_str(&format!("not compared: {n}\n"));
            }
            out(&t);
        }
    }
    Ok(u8::from(!report.drift.is_empty()))
}

/// What the manifest rules know of the cluster: from an akswin spec (returned too), from the
/// JSON of `az aks show`, or nothing. None when the spec could not be read (its findings are
/// printed; the command exits 2).
fn cluster_context(
    spec: Option<&Path>,
    cluster: Option<&Path>,
    color: bool,
) -> Result<Option<(akswin_audit::Context, Option<akswin_spec::Spec>)>, Fatal> {
    Ok(Some(match (spec, cluster) {
        (Some(p), _) => {
            let bytes = io::read_file(p)?;
            match akswin_spec::load(&p.display().to_string(), &bytes) {
                Ok(l) => (akswin_audit::Context::from_spec(&l.spec), Some(l.spec)),
                Err(e) => {
                    print_report(&Report::new(e.input, e.findings), Format::Human, color);
                    return Ok(None);
                }
            }
        }
        (None, Some(p)) => {
            let bytes = io::read_cluster(p)?;
            let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                Fatal::new(
                    format!("`{}` is not JSON: {e}", p.display()),
                    Some("pass the output of `az aks show --output json`"),
                )
            })?;
            let cx = akswin_audit::Context::from_aks_show(&json)
                .map_err(|e| Fatal::new(format!("`{}`: {e}", p.display()), None))?;
            (cx, None)
        }
        (None, None) => (akswin_audit::Context::default(), None),
    }))
}

fn audit_cmd(a: AuditArgs, color: bool) -> Result<u8, Fatal> {
    let Some((mut cx, _)) = cluster_context(a.spec.as_deref(), a.cluster.as_deref(), color)? else {
        return Ok(2);
    };
    if let Some(v) = &a.k8s_version {
        let parsed: akswin_spec::types::KubeVersion = v
            .parse()
            .map_err(|e: String| Fatal::new(e, Some("e.g. --k8s-version 1.35")))?;
        cx.k8s_minor = Some(parsed.minor);
    }
    if !a.allowed_registries.is_empty() {
        cx.allowed_registries = a.allowed_registries.clone();
    }
    // Waivers written in the manifests are judged against this day.
    cx.today = Some(today(a.today.as_deref())?);
    let cx = cx.finish();
    let mut globs = globset::GlobSetBuilder::new();
    for g in &a.exclude {
        globs.add(globset::Glob::new(g).map_err(|e| {
            Fatal::new(
                format!("--exclude {g}: {e}"),
                Some("a glob such as **/testdata/** or *-values.yaml"),
            )
        })?);
    }
    let globs = globs
        .build()
        .map_err(|e| Fatal::new(format!("--exclude: {e}"), None))?;
    let manifests = io::collect_manifests(&a.paths, &globs)?;
    for s in &manifests.skipped {
        eprintln!("note: skipped {s}");
    }
    let mut result = akswin_audit::audit(&manifests, &cx);
    if let Some(p) = &a.waivers {
        let day = cx.today.unwrap_or_default();
        let bytes = io::read_file(p)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let names: Vec<String> = result.sources.iter().map(|s| s.name.clone()).collect();
        let own = akswin_pipeline::waivers::apply_file(
            &p.display().to_string(),
            &text,
            &names,
            &mut result.findings,
            day,
        );
        let at = result.sources.len();
        result
            .sources
            .push(akswin_diag::Source::new(p.display().to_string(), text));
        // The file's own findings come before the notes about the whole run.
        let notes = result.findings.iter().position(|(i, _)| *i == usize::MAX);
        let own: Vec<(usize, akswin_diag::Finding)> = own.into_iter().map(|f| (at, f)).collect();
        match notes {
            Some(n) => {
                result.findings.splice(n..n, own);
            }
            None => result.findings.extend(own),
        }
    }
    let multi = render::Multi {
        sources: &result.sources,
        findings: &result.findings,
    };
    match a.format {
        AuditFormat::Human => {
            out(&render::multi_human(&multi, HumanOptions { color }));
            eprintln!(
                "audited {} documents ({} objects) in {} inputs",
                result.documents,
                result.objects,
                result.sources.len()
            );
        }
        // Streamed: tens of thousands of findings are never one document in memory.
        AuditFormat::Json => out_with(|w| render::write_multi_json(w, &multi, VERSION)),
        AuditFormat::Sarif => {
            out_with(|w| render::write_multi_sarif(w, &multi, &all_metas(), VERSION));
        }
        AuditFormat::Junit => out(&render::multi_junit(&multi)),
    }
    let errors = multi.count(Severity::Error);
    let warnings = multi.count(Severity::Warning);
    Ok(u8::from(errors > 0 || (a.deny_warnings && warnings > 0)))
}

/// The built-in baseline's `nameSuffix`, which `init` replaces.
const BASELINE_NAME_SUFFIX: &str = "x4k9";

/// Four random lowercase letters and digits (the process's hash seed and the clock: unique
/// enough to keep two deployments' global names apart, not a secret).
fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut v = h.finish();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::new();
    for _ in 0..4 {
        out.push(char::from(alphabet[(v % 36) as usize]));
        v /= 36;
    }
    out
}

fn init(a: InitArgs) -> Result<u8, Fatal> {
    if a.output.exists() && !a.force {
        return Err(Fatal::new(
            format!("{} already exists", a.output.display()),
            Some("pass --force to overwrite it, or -o to write elsewhere"),
        ));
    }
    // A fresh suffix for the globally unique names, so that two specs written by init never
    // collide on a Key Vault or registry name (NAM002).
    let text = BASELINE_YAML.replacen(
        &format!("nameSuffix: {BASELINE_NAME_SUFFIX}"),
        &format!("nameSuffix: {}", random_suffix()),
        1,
    );
    io::write_atomic(&a.output, text.as_bytes())?;
    eprintln!(
        "wrote {} (the built-in baseline); next: edit it, then `akswin check {}`",
        a.output.display(),
        a.output.display()
    );
    Ok(0)
}

fn explain(code: &str) -> Result<u8, Fatal> {
    if let Some(text) = akswin_pipeline::views::explain(code) {
        out(&text);
        return Ok(0);
    }
    let metas = all_metas();
    let mut codes: Vec<&str> = metas.iter().map(|m| m.code).collect();
    codes.extend(akswin_spec::INPUT_ERRORS.iter().map(|(c, _, _)| *c));
    let upper = code.to_ascii_uppercase();
    let hint = akswin_spec::did_you_mean(&upper, &codes)
        .map(|s| format!("did you mean {s}? `akswin rules` lists every code"))
        .unwrap_or_else(|| "`akswin rules` lists every code".into());
    Err(Fatal::new(format!("unknown code `{code}`"), Some(&hint)))
}

fn policy_list(format: ListFormat) -> Result<u8, Fatal> {
    let rows: Vec<serde_json::Value> = akswin_audit::registry()
        .iter()
        .filter_map(|r| {
            let m = r.meta();
            Some(match akswin_admission::admission(m.code)? {
                akswin_admission::Admission::Rego {
                    rego,
                    targets,
                    params,
                } => {
                    let e = akswin_admission::Exported {
                        meta: m,
                        rego,
                        targets,
                        params,
                    };
                    serde_json::json!({
                        "code": m.code, "summary": m.summary, "enforced": true,
                        "constraintKind": e.kind(), "policyDefinition": e.resource_name(),
                        "kinds": targets.kinds().into_iter().flat_map(|(_, k)| k).collect::<Vec<_>>(),
                        "parameters": params.iter().map(|p| p.name).collect::<Vec<_>>(),
                        // what `policy export --effect by-severity` gives it (assignments and
                        // the initiative's defaults are Audit unless the spec says otherwise)
                        "effectBySeverity": akswin_admission::Effect::by_severity(m).azure_policy(),
                    })
                }
                akswin_admission::Admission::NotAtAdmission { reason } => serde_json::json!({
                    "code": m.code, "summary": m.summary, "enforced": false, "reason": reason,
                }),
            })
        })
        .collect();
    match format {
        ListFormat::Json => out(&format!(
            "{}\n",
            pretty(&serde_json::json!({ "rules": rows }))
        )),
        ListFormat::Human => {
            let mut t = String::new();
            for r in &rows {
                let code = r["code"].as_str().unwrap_or_default();
                if r["enforced"] == true {
                    let params: Vec<&str> = r["parameters"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|p| p.as_str()).collect())
                        .unwrap_or_default();
                    t.push_str(&format!(
                        "{code:<8} enforced  {:<14} {}{}\n",
                        r["constraintKind"].as_str().unwrap_or_default(),
                        r["summary"].as_str().unwrap_or_default(),
                        if params.is_empty() {
                            String::new()
                        } else {
                            format!(" (parameters: {})", params.join(", "))
                        }
                    ));
                } else {
                    t.push_str(&format!(
                        "{code:<8} not at admission: {}\n",
                        r["reason"].as_str().unwrap_or_default()
                    ));
                }
            }
            let n = rows.iter().filter(|r| r["enforced"] == true).count();
            t.push_str(&format!(
                "\n{n} of {} manifest rules are enforced at admission; `akswin audit` checks all of them in CI.\n",
                rows.len()
            ));
            out(&t);
        }
    }
    Ok(0)
}

fn policy_export(a: PolicyExportArgs) -> Result<u8, Fatal> {
    use akswin_admission::Effect;
    let Some((mut cx, spec)) = cluster_context(a.spec.as_deref(), a.cluster.as_deref(), false)?
    else {
        return Ok(2);
    };
    let admission = spec.map(|s| s.policy.admission);
    if !a.allowed_registries.is_empty() {
        cx.allowed_registries = a.allowed_registries.clone();
    }
    if cx.pools.is_none() {
        eprintln!(
            "note: no --spec or --cluster: the constraints assume the cluster has Windows pools (WIN002), and WIN004 and WIN018 judge only what each pod says (no pools given)"
        );
        cx.assume_windows_pools = true;
    }
    if cx.allowed_registries.is_empty() {
        eprintln!(
            "note: no allowed registries: WIN012 allows every registry (--allowed-registry HOST)"
        );
    }
    let choice = a.effect;
    let effect = |r: &akswin_admission::Exported| -> Option<Effect> {
        match (choice, &admission) {
            (Some(EffectChoice::Audit), _) => Some(Effect::Audit),
            (Some(EffectChoice::Deny), _) => Some(Effect::Deny),
            (Some(EffectChoice::BySeverity), _) => Some(Effect::by_severity(r.meta)),
            (None, Some(adm)) => akswin_render::admission::spec_effect(adm, r.meta.code),
            (None, None) => Some(Effect::Audit),
        }
    };
    let files = match a.format {
        PolicyFormat::Gatekeeper => akswin_render::admission::gatekeeper(&cx, &effect),
        PolicyFormat::AzurePolicy => akswin_render::admission::azure_policy_export(&cx, &effect),
    };
    io::write_tree_atomic(&a.out, &files, a.force)?;
    eprintln!("wrote {} files to {}", files.len(), a.out.display());
    Ok(0)
}

fn rules(format: RulesFormat) -> Result<u8, Fatal> {
    let metas = all_metas();
    match format {
        RulesFormat::Markdown => out(&akswin_pipeline::views::rules_markdown(&metas)),
        RulesFormat::Human => {
            let mut text = String::new();
            for m in &metas {
                text.push_str(&format!(
                    "{:<8} {}  {:<38} {}\n",
                    m.code,
                    m.severity.letter(),
                    m.name,
                    m.summary
                ));
            }
            text.push_str("\nInput errors (the spec could not be read; exit code 2):\n");
            for (code, name, doc) in akswin_spec::INPUT_ERRORS {
                let what = doc.split("\n\n").next().unwrap_or_default();
                text.push_str(&format!("{code:<8} E  {name:<38} {what}\n"));
            }
            text.push_str(&format!(
                "\n{} rules and {} input errors. `akswin explain CODE` for details.\n",
                metas.len(),
                akswin_spec::INPUT_ERRORS.len()
            ));
            out(&text);
        }
        RulesFormat::Json => {
            let rules: Vec<serde_json::Value> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "severity": m.severity,
                        "summary": m.summary,
                        "doc": akswin_rules::doc_text(m),
                    })
                })
                .collect();
            let input: Vec<serde_json::Value> = akswin_spec::INPUT_ERRORS
                .iter()
                .map(|(code, name, doc)| serde_json::json!({ "code": code, "name": name, "doc": doc }))
                .collect();
            out(&format!(
                "{}\n",
                pretty(
                    &serde_json::json!({ "schemaVersion": 1, "rules": rules, "inputErrors": input })
                )
            ));
        }
    }
    Ok(0)
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaFormat {
    /// The JSON Schema (editor completion and validation).
    Json,
    /// The spec reference, in Markdown.
    Markdown,
}

fn schema(output: Option<PathBuf>, format: SchemaFormat) -> Result<u8, Fatal> {
    let text = match format {
        SchemaFormat::Json => format!("{}\n", pretty(&akswin_spec::json_schema())),
        SchemaFormat::Markdown => akswin_spec::reference_markdown(),
    };
    match output {
        Some(p) => io::write_atomic(&p, text.as_bytes())?,
        None => out(&text),
    }
    Ok(0)
}
