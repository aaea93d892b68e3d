//! Embedded, dated Azure facts. Each table is a data file under `data/` whose `#` header names
//! its source and the day it was read; this module only parses them. Parsing happens once and
//! is tested, so a malformed data file fails the test suite, never a user's run.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A calendar date as days since 1970-01-01 (proleptic Gregorian), with helpers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

impl Date {
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Date {
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(m);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// Parse `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().split('-');
        let y: i64 = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        let date = Date::from_ymd(y, m, d);
        (date.ymd() == (y, m, d)).then_some(date)
    }

    /// Monday = 0 ... Sunday = 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.0 + 3).rem_euclid(7)) as u32
    }

    pub fn days_until(self, other: Date) -> i64 {
        other.0 - self.0
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Split a CSV line, honouring double quotes.
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Rows of a data file as maps from header to value, skipping `#` comments and blank lines.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let header = csv_fields(header);
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(csv_fields(l).into_iter().map(|v| v.trim().to_string()))
                .collect()
        })
        .collect()
}

fn get<'a>(row: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    row.get(k).map(String::as_str).unwrap_or("")
}

#[derive(Debug, Clone, PartialEq)]
pub struct VmSize {
    pub name: String,
    pub family: String,
    pub vcpus: u32,
    pub memory_gib: f64,
    pub temp_gib: u32,
    pub cache_gib: u32,
    pub nvme_gib: u32,
    pub burstable: bool,
}

impl VmSize {
    /// Where an ephemeral OS disk would go and how large it may be (facts.md §2.3: the cache
    /// disk when the size has one, otherwise the temp (resource) disk or NVMe).
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

#[derive(Debug, Clone)]
pub struct KubeMinor {
    pub minor: u32,
    pub aks_ga: Option<Date>,
    pub end_of_life: Option<Date>,
    pub platform_support_end: Option<Date>,
    pub lts_end: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct OsSkuFacts {
    pub sku: String,
    pub min_minor: Option<u32>,
    pub max_minor: Option<u32>,
    pub support_end: Option<Date>,
    pub images_removed: Option<Date>,
    pub requires_fips: bool,
}

#[derive(Debug, Clone)]
pub struct PolicyDef {
    pub kind: String,
    pub name: String,
    pub display_name: String,
    pub deprecated: bool,
}

/// All embedded facts.
#[derive(Debug)]
pub struct Facts {
    pub vm_sizes: BTreeMap<String, VmSize>,
    pub kube: Vec<KubeMinor>,
    pub os_skus: Vec<OsSkuFacts>,
    pub admin_names: Vec<String>,
    pub policies: BTreeMap<String, PolicyDef>,
}

pub const VM_SIZES_CSV: &str = include_str!("../data/vm_sizes.csv");
pub const K8S_VERSIONS_CSV: &str = include_str!("../data/k8s_versions.csv");
pub const OS_SKUS_CSV: &str = include_str!("../data/os_skus.csv");
pub const ADMIN_NAMES_TXT: &str = include_str!("../data/windows_admin_names.txt");
pub const POLICY_CSV: &str = include_str!("../data/azure_policy_k8s.csv");

/// The four Windows built-in policies the architecture names (facts.md §8).
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

fn num<T: std::str::FromStr + Default>(s: &str) -> T {
    s.parse().unwrap_or_default()
}

fn parse_facts() -> Facts {
    let vm_sizes = rows(VM_SIZES_CSV)
        .iter()
        .map(|r| {
            let v = VmSize {
                name: get(r, "name").to_string(),
                family: get(r, "family").to_string(),
                vcpus: num(get(r, "vcpus")),
                memory_gib: num(get(r, "memory_gib")),
                temp_gib: num(get(r, "temp_gib")),
                cache_gib: num(get(r, "cache_gib")),
                nvme_gib: num(get(r, "nvme_gib")),
                burstable: get(r, "burstable") == "true",
            };
            (v.name.to_ascii_lowercase(), v)
        })
        .collect();
    let kube = rows(K8S_VERSIONS_CSV)
        .iter()
        .filter_map(|r| {
            let minor = get(r, "minor").strip_prefix("1.")?.parse().ok()?;
            Some(KubeMinor {
                minor,
                aks_ga: Date::parse(get(r, "aks_ga")),
                end_of_life: Date::parse(get(r, "aks_end_of_life")),
                platform_support_end: Date::parse(get(r, "platform_support_end")),
                lts_end: Date::parse(get(r, "lts_end")),
            })
        })
        .collect();
    let os_skus = rows(OS_SKUS_CSV)
        .iter()
        .map(|r| OsSkuFacts {
            sku: get(r, "sku").to_string(),
            min_minor: get(r, "min_minor").parse().ok(),
            max_minor: get(r, "max_minor").parse().ok(),
            support_end: Date::parse(get(r, "support_end")),
            images_removed: Date::parse(get(r, "images_removed")),
            requires_fips: get(r, "requires_fips") == "true",
        })
        .collect();
    let admin_names = ADMIN_NAMES_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_ascii_lowercase)
        .collect();
    let policies = rows(POLICY_CSV)
        .iter()
        .map(|r| {
            let p = PolicyDef {
                kind: get(r, "kind").to_string(),
                name: get(r, "name").to_ascii_lowercase(),
                display_name: get(r, "displayName").to_string(),
                deprecated: get(r, "deprecated") == "true",
            };
            (p.name.clone(), p)
        })
        .collect();
    Facts {
        vm_sizes,
        kube,
        os_skus,
        admin_names,
        policies,
    }
}

/// The parsed facts (parsed on first use).
pub fn facts() -> &'static Facts {
    static FACTS: LazyLock<Facts> = LazyLock::new(parse_facts);
    &FACTS
}

impl Facts {
    pub fn vm_size(&self, name: &str) -> Option<&VmSize> {
        self.vm_sizes.get(&name.to_ascii_lowercase())
    }
    pub fn kube_minor(&self, minor: u32) -> Option<&KubeMinor> {
        self.kube.iter().find(|k| k.minor == minor)
    }
    pub fn os_sku(&self, sku: &str) -> Option<&OsSkuFacts> {
        self.os_skus.iter().find(|s| s.sku == sku)
    }
    /// The date the embedded Kubernetes table ends being trustworthy: its newest GA.
    pub fn newest_kube_minor(&self) -> Option<u32> {
        self.kube.iter().map(|k| k.minor).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-26", "2027-12-31"] {
            assert_eq!(Date::parse(s).map(|d| d.to_string()), Some(s.to_string()));
        }
        assert_eq!(Date::parse("2026-02-30"), None);
        // 2026-11-26 is a Thursday
        assert_eq!(Date::parse("2026-11-26").map(Date::weekday), Some(3));
    }

    #[test]
    fn data_files_parse_completely() {
        let f = facts();
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
        for id in WINDOWS_BUILTIN_POLICIES
            .iter()
            .chain([INTERNAL_LB_POLICY, ALLOWED_IMAGES_POLICY].iter())
        {
            assert!(f.policies.contains_key(*id), "{id}");
        }
    }
}
