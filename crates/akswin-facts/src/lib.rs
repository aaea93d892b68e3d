//! Embedded, dated Azure facts: one data file per table under `data/`, each opening with `#`
//! lines that name its source and the day it was read. This crate parses them into typed rows
//! (the csv crate with serde; chrono dates) and is the only place they live: the planner, the
//! rules and the renderers read them from here. A malformed row is an error in
//! [`try_facts`], which the tests call, so a bad data file fails the test suite, never a
//! user's run.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub const VM_SIZES_CSV: &str = include_str!("../data/vm_sizes.csv");
pub const K8S_VERSIONS_CSV: &str = include_str!("../data/k8s_versions.csv");
pub const OS_SKUS_CSV: &str = include_str!("../data/os_skus.csv");
pub const ADMIN_NAMES_TXT: &str = include_str!("../data/windows_admin_names.txt");
/// The Azure region names akswin accepts, each with its source, and the day they were read.
pub const REGIONS_CSV: &str = include_str!("../data/regions.csv");
/// The day `regions.csv` was read (NAM004 names it).
pub const REGIONS_READ: &str = "2026-12-01";
pub const POLICY_CSV: &str = include_str!("../data/azure_policy_k8s.csv");
pub const EGRESS_CSV: &str = include_str!("../data/egress.csv");
pub const AZURE_NAMES_CSV: &str = include_str!("../data/azure_names.csv");
pub const FLOWS_CSV: &str = include_str!("../data/flows.csv");
/// The dated price table the cost model starts from (each row with its source).
pub const PRICES_JSON: &str = include_str!("../data/prices.json");

/// The pod annotation that records why a Windows workload runs as ContainerAdministrator:
/// `akswin render` writes it on IIS workloads, `akswin audit` (WIN008) accepts a pod that
/// carries a non-empty reason as a documented exception.
pub const CONTAINER_ADMINISTRATOR_REASON: &str = "akswin.io/container-administrator-reason";

/// The annotation on a role granting `use` of gMSA credential specs that says where those
/// credential specs come from when they are not among the manifests (akswin renders the role,
/// and `deploy.sh active-directory` writes the credential spec once Active Directory
/// answers): `akswin audit` (WIN006) then does not ask the set to define them.
pub const CREDENTIAL_SPEC_SOURCE: &str = "akswin.io/credential-spec-source";

/// The four Windows built-in policies the architecture names: no CPU and memory overcommit,
/// not as ContainerAdministrator, allowed user names, no HostProcess (docs/sources.md).
pub const WINDOWS_BUILTIN_POLICIES: [&str; 4] = [
    "a2abc456-f0ae-464b-bd3a-07a3cdbd7fb1",
    "5485eac0-7e8f-4964-998b-a44f4f0c1e75",
    "57dde185-5c62-4063-b965-afbb201e9c1c",
    "077f0ce1-86d6-4058-bc60-de05067e8622",
];
/// "Kubernetes clusters should use internal load balancers".
pub const INTERNAL_LB_POLICY: &str = "3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e";
/// "Kubernetes cluster containers should only use allowed images".
pub const ALLOWED_IMAGES_POLICY: &str = "febd0533-8e55-448f-b837-bd0e06f16469";

/// A subnet Azure names and sizes itself: the hub key it has in the spec, the name Azure
/// requires, and the largest prefix length (smallest subnet) Azure accepts
/// (docs/sources.md#azure-subnet-rules; the Bastion and gateway minimums are marked there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialSubnet {
    pub key: &'static str,
    pub azure_name: &'static str,
    pub min_prefix: u8,
}

/// `AzureFirewallSubnet`, /26 or larger.
pub const FIREWALL_SUBNET: SpecialSubnet = SpecialSubnet {
    key: "firewall",
    azure_name: "AzureFirewallSubnet",
    min_prefix: 26,
};
/// `AzureBastionSubnet`, /26 or larger.
pub const BASTION_SUBNET: SpecialSubnet = SpecialSubnet {
    key: "bastion",
    azure_name: "AzureBastionSubnet",
    min_prefix: 26,
};
/// `GatewaySubnet`, /27 or larger.
pub const GATEWAY_SUBNET: SpecialSubnet = SpecialSubnet {
    key: "gateway",
    azure_name: "GatewaySubnet",
    min_prefix: 27,
};
/// Azure Firewall, Bastion and the virtual network gateway subnets.
pub const SPECIAL_SUBNETS: [SpecialSubnet; 3] = [FIREWALL_SUBNET, BASTION_SUBNET, GATEWAY_SUBNET];

/// The special subnet with this spec key (`firewall`, `bastion`, `gateway`).
pub fn special_subnet(key: &str) -> Option<SpecialSubnet> {
    SPECIAL_SUBNETS.iter().copied().find(|s| s.key == key)
}

/// The smallest subnet Azure allows: /29.
pub const SMALLEST_SUBNET_PREFIX: u8 = 29;

/// An empty cell is `None`; anything else must be a `YYYY-MM-DD` date.
fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let s = String::deserialize(d)?;
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("`{s}` is not a YYYY-MM-DD date: {e}")))
}

/// `true` or `false` in any case (the policy index writes `True`); an empty cell is false.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let s = String::deserialize(d)?;
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(serde::de::Error::custom(format!(
            "`{s}` is not true or false"
        ))),
    }
}

/// An empty cell is `None`; anything else must be a whole number.
fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let s = String::deserialize(d)?;
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a whole number")))
}

/// `1.35` -> 35.
fn minor<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let s = String::deserialize(d)?;
    s.trim()
        .strip_prefix("1.")
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a 1.x Kubernetes minor")))
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VmSize {
    pub name: String,
    pub family: String,
    pub vcpus: u32,
    pub memory_gib: f64,
    pub temp_gib: u32,
    pub cache_gib: u32,
    pub nvme_gib: u32,
    #[serde(deserialize_with = "flag")]
    pub burstable: bool,
}

impl VmSize {
    /// Where an ephemeral OS disk would go and how large it may be: the cache disk when the
    /// size has one, otherwise the temp (resource) disk or NVMe (docs/sources.md#os-disks).
    pub fn ephemeral_capacity(&self) -> Option<(&'static str, u32)> {
        if self.cache_gib > 0 {
            Some(("cache disk", self.cache_gib))
        } else if self.temp_gib > 0 {
            Some(("temp disk", self.temp_gib))
        } else if self.nvme_gib > 0 {
            Some(("NVMe disk", self.nvme_gib))
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct KubeMinor {
    #[serde(deserialize_with = "minor")]
    pub minor: u32,
    #[serde(deserialize_with = "date")]
    pub aks_ga: Option<NaiveDate>,
    #[serde(rename = "aks_end_of_life", deserialize_with = "date")]
    pub end_of_life: Option<NaiveDate>,
    #[serde(deserialize_with = "date")]
    pub platform_support_end: Option<NaiveDate>,
    #[serde(deserialize_with = "date")]
    pub lts_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OsSkuFacts {
    pub sku: String,
    #[serde(deserialize_with = "opt_u32")]
    pub min_minor: Option<u32>,
    #[serde(deserialize_with = "opt_u32")]
    pub max_minor: Option<u32>,
    #[serde(deserialize_with = "date")]
    pub support_end: Option<NaiveDate>,
    #[serde(deserialize_with = "date")]
    pub images_removed: Option<NaiveDate>,
    #[serde(deserialize_with = "flag")]
    pub requires_fips: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PolicyDef {
    pub kind: String,
    pub name: String,
    #[serde(rename = "displayName")]
    pub display_name: String,
    #[serde(deserialize_with = "flag")]
    pub deprecated: bool,
}

/// What an egress row becomes: a firewall application rule, a firewall network rule, or a
/// port the Windows nodes (and others) need to the domain controllers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EgressKind {
    Fqdn,
    Network,
    Port,
}

/// A transport protocol as the egress table writes it: `Https`, `Http` (application rules),
/// `TCP`, `UDP`, `ICMP` (network rules and ports; ICMP with port `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EgressProtocol {
    Http,
    Https,
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "ICMP")]
    Icmp,
}

impl EgressProtocol {
    /// Firewall application rule `protocolType`, network rule `ipProtocols`.
    pub fn as_str(self) -> &'static str {
        match self {
            EgressProtocol::Http => "Http",
            EgressProtocol::Https => "Https",
            EgressProtocol::Tcp => "TCP",
            EgressProtocol::Udp => "UDP",
            EgressProtocol::Icmp => "ICMP",
        }
    }
}

/// One row of `data/egress.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EgressRow {
    /// `aks`, `aks-public`, `windows`, `monitoring`, `policy`, `keyvault` or `ad`.
    pub set: String,
    pub kind: EgressKind,
    /// An FQDN (possibly `*.`), a service tag, or `domainControllers`; `<location>` stands for
    /// the region.
    pub destination: String,
    pub protocol: EgressProtocol,
    /// A port, a `low-high` range, or `*` (ICMP).
    pub port: String,
    pub note: String,
}

/// Which characters a name may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameChars {
    Alnum,
    LowerAlnum,
    AlnumHyphen,
    AlnumHyphenUnderscore,
    AlnumHyphenUnderscorePeriod,
    AlnumHyphenUnderscorePeriodParens,
    /// Anything but `# < > % & : \ ? /` and control characters (policy assignments).
    Policy,
    Any,
}

impl NameChars {
    fn allows(self, c: char) -> bool {
        let alnum = c.is_ascii_alphanumeric();
        match self {
            NameChars::Alnum => alnum,
            NameChars::LowerAlnum => c.is_ascii_lowercase() || c.is_ascii_digit(),
            NameChars::AlnumHyphen => alnum || c == '-',
            NameChars::AlnumHyphenUnderscore => alnum || c == '-' || c == '_',
            NameChars::AlnumHyphenUnderscorePeriod => alnum || "-_.".contains(c),
            NameChars::AlnumHyphenUnderscorePeriodParens => alnum || "-_.()".contains(c),
            NameChars::Policy => !c.is_control() && !"#<>%&:\\?/".contains(c),
            NameChars::Any => true,
        }
    }
    fn describe(self) -> &'static str {
        match self {
            NameChars::Alnum => "letters and digits",
            NameChars::LowerAlnum => "lowercase letters and digits",
            NameChars::AlnumHyphen => "letters, digits and hyphens",
            NameChars::AlnumHyphenUnderscore => "letters, digits, hyphens and underscores",
            NameChars::AlnumHyphenUnderscorePeriod => {
                "letters, digits, hyphens, underscores and periods"
            }
            NameChars::AlnumHyphenUnderscorePeriodParens => {
                "letters, digits, hyphens, underscores, periods and parentheses"
            }
            NameChars::Policy => "any character but # < > % & : \\ ? /",
            NameChars::Any => "any character",
        }
    }
}

/// What the first or last character of a name must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameEdge {
    Letter,
    Alnum,
    AlnumUnderscore,
    NotPeriod,
    NotHyphen,
    NotPeriodSpace,
    Any,
}

impl NameEdge {
    fn allows(self, c: char) -> bool {
        match self {
            NameEdge::Letter => c.is_ascii_alphabetic(),
            NameEdge::Alnum => c.is_ascii_alphanumeric(),
            NameEdge::AlnumUnderscore => c.is_ascii_alphanumeric() || c == '_',
            NameEdge::NotPeriod => c != '.',
            NameEdge::NotHyphen => c != '-',
            NameEdge::NotPeriodSpace => c != '.' && c != ' ',
            NameEdge::Any => true,
        }
    }
    fn describe(self) -> &'static str {
        match self {
            NameEdge::Letter => "a letter",
            NameEdge::Alnum => "a letter or digit",
            NameEdge::AlnumUnderscore => "a letter, digit or underscore",
            NameEdge::NotPeriod => "anything but a period",
            NameEdge::NotHyphen => "anything but a hyphen",
            NameEdge::NotPeriodSpace => "anything but a period or space",
            NameEdge::Any => "anything",
        }
    }
}

/// The naming rule of one resource type (or name-like property: `TYPE#properties.path`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NameRule {
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Where the name must be unique; `global` is all of Azure.
    pub scope: String,
    pub min: usize,
    pub max: usize,
    pub chars: NameChars,
    pub start: NameEdge,
    pub end: NameEdge,
    /// A substring the name may not hold (`--` for Key Vault).
    #[serde(deserialize_with = "opt_string")]
    pub forbid: Option<String>,
}

fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.trim().is_empty()).then(|| s.trim().to_string()))
}

impl NameRule {
    /// Whether `name` follows the rule; the error says what it breaks.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let len = name.chars().count();
        if len < self.min || len > self.max {
            return Err(format!(
                "is {len} characters; {} names take {}-{}",
                self.resource_type, self.min, self.max
            ));
        }
        if let Some(c) = name.chars().find(|c| !self.chars.allows(*c)) {
            return Err(format!(
                "holds `{c}`; {} names take {}",
                self.resource_type,
                self.chars.describe()
            ));
        }
        if let Some(c) = name.chars().next().filter(|c| !self.start.allows(*c)) {
            return Err(format!(
                "starts with `{c}`; {} names start with {}",
                self.resource_type,
                self.start.describe()
            ));
        }
        if let Some(c) = name.chars().last().filter(|c| !self.end.allows(*c)) {
            return Err(format!(
                "ends with `{c}`; {} names end with {}",
                self.resource_type,
                self.end.describe()
            ));
        }
        if let Some(f) = self.forbid.as_deref().filter(|f| name.contains(f)) {
            return Err(format!(
                "holds `{f}`, which {} names may not",
                self.resource_type
            ));
        }
        Ok(())
    }
    /// Whether the name must be unique across all of Azure.
    pub fn global(&self) -> bool {
        self.scope == "global"
    }
}

/// Whether a flow must pass or must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowExpect {
    Allow,
    Deny,
}

/// One row of `data/flows.csv`: traffic the architecture needs, or must refuse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FlowRow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub protocol: String,
    pub port: String,
    pub when: String,
    pub expect: FlowExpect,
    pub field: String,
    pub why: String,
    pub source: String,
}

/// All embedded facts.
#[derive(Debug)]
pub struct Facts {
    /// Keyed by lowercased name.
    pub vm_sizes: BTreeMap<String, VmSize>,
    pub kube: Vec<KubeMinor>,
    pub os_skus: Vec<OsSkuFacts>,
    /// Lowercased.
    pub admin_names: Vec<String>,
    /// Keyed by lowercased definition name (the GUID).
    pub policies: BTreeMap<String, PolicyDef>,
    pub egress: Vec<EgressRow>,
    /// Keyed by lowercased type (or `type#property`).
    pub names: BTreeMap<String, NameRule>,
    pub flows: Vec<FlowRow>,
    pub regions: Vec<RegionRow>,
}

/// An Azure region name and where akswin read it (`regions.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct RegionRow {
    pub name: String,
    /// `policy`, `learn` or `third-party` (the file's header says what each is).
    pub source: String,
}

/// Typed rows of one CSV table (`#` lines are comments; extra columns are ignored). The error
/// names the table, the line and the field.
fn table<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<Vec<T>, String> {
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    r.deserialize()
        .map(|row| row.map_err(|e| format!("{name}: {e}")))
        .collect()
}

/// Parse every table, reporting the first malformed row.
pub fn try_facts() -> Result<Facts, String> {
    let vm_sizes = table::<VmSize>("vm_sizes.csv", VM_SIZES_CSV)?
        .into_iter()
        .map(|v| (v.name.to_ascii_lowercase(), v))
        .collect();
    let kube = table::<KubeMinor>("k8s_versions.csv", K8S_VERSIONS_CSV)?;
    let os_skus = table::<OsSkuFacts>("os_skus.csv", OS_SKUS_CSV)?;
    let admin_names = ADMIN_NAMES_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_ascii_lowercase)
        .collect();
    let policies = table::<PolicyDef>("azure_policy_k8s.csv", POLICY_CSV)?
        .into_iter()
        .map(|mut p| {
            p.name = p.name.to_ascii_lowercase();
            (p.name.clone(), p)
        })
        .collect();
    let egress = table::<EgressRow>("egress.csv", EGRESS_CSV)?;
    let names = table::<NameRule>("azure_names.csv", AZURE_NAMES_CSV)?
        .into_iter()
        .map(|r| (r.resource_type.to_ascii_lowercase(), r))
        .collect();
    let flows = table::<FlowRow>("flows.csv", FLOWS_CSV)?;
    let regions = table::<RegionRow>("regions.csv", REGIONS_CSV)?;
    Ok(Facts {
        flows,
        regions,
        names,
        vm_sizes,
        kube,
        os_skus,
        admin_names,
        policies,
        egress,
    })
}

/// The parsed facts (parsed on first use). The tables are embedded and tested
/// (`data_files_parse_completely`); should one ever fail to parse, the facts are empty and
/// every rule that needs one says it is unknown, rather than the run panicking.
pub fn facts() -> &'static Facts {
    static FACTS: LazyLock<Facts> = LazyLock::new(|| {
        try_facts().unwrap_or_else(|_| Facts {
            vm_sizes: BTreeMap::new(),
            kube: Vec::new(),
            os_skus: Vec::new(),
            admin_names: Vec::new(),
            policies: BTreeMap::new(),
            egress: Vec::new(),
            names: BTreeMap::new(),
            flows: Vec::new(),
            regions: Vec::new(),
        })
    });
    &FACTS
}

impl Facts {
    /// Whether `name` is a region of `regions.csv`.
    pub fn is_region(&self, name: &str) -> bool {
        self.regions.iter().any(|r| r.name == name)
    }

    pub fn vm_size(&self, name: &str) -> Option<&VmSize> {
        self.vm_sizes.get(&name.to_ascii_lowercase())
    }
    pub fn kube_minor(&self, minor: u32) -> Option<&KubeMinor> {
        self.kube.iter().find(|k| k.minor == minor)
    }
    pub fn os_sku(&self, sku: &str) -> Option<&OsSkuFacts> {
        self.os_skus.iter().find(|s| s.sku == sku)
    }
    /// The naming rule of a resource type, or of `TYPE#properties.path`.
    pub fn name_rule(&self, resource_type: &str) -> Option<&NameRule> {
        self.names.get(&resource_type.to_ascii_lowercase())
    }
    /// The egress rows of one set (`aks`, `windows`, `ad`, ...).
    pub fn egress_set<'a>(&'a self, set: &'a str) -> impl Iterator<Item = &'a EgressRow> + 'a {
        self.egress.iter().filter(move |r| r.set == set)
    }
    /// The newest Kubernetes minor the embedded table knows.
    pub fn newest_kube_minor(&self) -> Option<u32> {
        self.kube.iter().map(|k| k.minor).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse_completely() {
        let f = try_facts().unwrap_or_else(|e| panic!("{e}"));
        assert!(f.vm_sizes.len() >= 30, "{}", f.vm_sizes.len());
        for v in f.vm_sizes.values() {
            assert!(v.vcpus > 0 && v.memory_gib > 0.0, "{v:?}");
        }
        let d8 = f.vm_size("Standard_D8ds_v5").expect("D8ds_v5");
        assert_eq!((d8.vcpus, d8.temp_gib), (8, 300));
        assert!(
            f.vm_size("standard_d4s_v5")
                .is_some_and(|v| v.ephemeral_capacity().is_none())
        );
        assert!(f.kube.len() >= 8);
        for k in &f.kube {
            assert!(k.aks_ga.is_some() && k.end_of_life.is_some(), "{k:?}");
        }
        assert_eq!(f.os_skus.len(), 3);
        assert!(f.admin_names.iter().any(|n| n == "administrator"));
        assert!(f.policies.len() > 100);
        assert!(f.egress.len() >= 40, "{}", f.egress.len());
        assert_eq!(f.egress_set("ad").count(), 14);
        assert!(
            f.egress
                .iter()
                .all(|r| r.kind != EgressKind::Port || r.set == "ad" || r.set == "dcsync")
        );
        assert!(serde_json::from_str::<serde_json::Value>(PRICES_JSON).is_ok());
        assert!(f.names.len() >= 25, "{}", f.names.len());
        assert!(f.flows.len() >= 15, "{}", f.flows.len());
        for fl in &f.flows {
            assert!(fl.source.starts_with("https://"), "{fl:?}");
            assert!(fl.field.starts_with('/'), "{fl:?}");
            if let Some(set) = fl.to.strip_prefix("egress:") {
                assert!(f.egress_set(set).count() > 0, "{fl:?}");
            }
        }
        for r in f.names.values() {
            assert!(r.min >= 1 && r.min <= r.max, "{r:?}");
        }
        // The index writes `True`: deprecated definitions are read as deprecated.
        assert!(f.policies.values().any(|p| p.deprecated));
        for id in WINDOWS_BUILTIN_POLICIES
            .iter()
            .chain([INTERNAL_LB_POLICY, ALLOWED_IMAGES_POLICY].iter())
        {
            assert!(f.policies.contains_key(*id), "{id}");
        }
    }

    #[test]
    fn name_rules_judge_length_characters_edges_and_substrings() {
        let f = try_facts().unwrap_or_else(|e| panic!("{e}"));
        let kv = f
            .name_rule("Microsoft.KeyVault/vaults")
            .expect("vault rule");
        assert!(kv.global());
        assert!(kv.check("kv-contoso-legacy").is_ok());
        assert!(kv.check("kv").is_err_and(|e| e.contains("3-24")));
        assert!(kv.check(&"k".repeat(25)).is_err());
        assert!(
            kv.check("1kv-contoso")
                .is_err_and(|e| e.contains("starts with"))
        );
        assert!(
            kv.check("kv-contoso-")
                .is_err_and(|e| e.contains("ends with"))
        );
        assert!(kv.check("kv--contoso").is_err_and(|e| e.contains("--")));
        assert!(
            kv.check("kv_contoso")
                .is_err_and(|e| e.contains("holds `_`"))
        );
        let rg = f
            .name_rule("microsoft.resources/resourcegroups")
            .expect("case-insensitive");
        assert!(rg.check(&format!("rg-{}-hub", "a".repeat(85))).is_err());
        assert!(rg.check("rg-(x).y").is_ok() && rg.check("rg.").is_err());
        let host = f
            .name_rule("Microsoft.Compute/virtualMachines#properties.osProfile.computerName")
            .expect("computer name");
        assert!(host.check("contosolegdc10").is_ok() && host.check("contosolegacydc1").is_err());
        let pol = f
            .name_rule("Microsoft.Authorization/policyAssignments")
            .expect("policy");
        assert!(pol.check("windows-no-overcommit").is_ok() && pol.check("a/b").is_err());
        assert!(
            f.name_rule("Microsoft.Insights/dataCollectionRules")
                .is_none()
        );
    }

    #[test]
    fn malformed_rows_fail_loudly_with_their_line() {
        let bad = "# c\nname,family,vcpus,memory_gib,temp_gib,cache_gib,nvme_gib,burstable\nStandard_X,X,eight,32,0,0,0,false\n";
        let e = table::<VmSize>("t.csv", bad).expect_err("vcpus is not a number");
        assert!(e.contains("t.csv") && e.contains("line: 3"), "{e}");
        let bad = "sku,min_minor,max_minor,support_end,images_removed,requires_fips\nWindows2022,,,2027-13-01,,false\n";
        let e = table::<OsSkuFacts>("o.csv", bad).expect_err("month 13");
        assert!(e.contains("YYYY-MM-DD"), "{e}");
        let bad = "sku,min_minor,max_minor,support_end,images_removed,requires_fips\nWindows2022,,,,,yes\n";
        assert!(table::<OsSkuFacts>("o.csv", bad).is_err());
        let bad = "set,kind,destination,protocol,port,note\naks,fqdn,x.example,Ftp,21,no\n";
        assert!(
            table::<EgressRow>("e.csv", bad).is_err(),
            "unknown protocol"
        );
        let bad =
            "type,scope,min,max,chars,start,end,forbid\nX,global,3,24,alnum-dot,letter,alnum,\n";
        assert!(
            table::<NameRule>("n.csv", bad).is_err(),
            "unknown character class"
        );
        let bad = "set,kind,destination,protocol,port,note\naks,rule,x.example,Https,443,no\n";
        assert!(table::<EgressRow>("e.csv", bad).is_err(), "unknown kind");
    }
}
