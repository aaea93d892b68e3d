//! The cost model: a monthly estimate per component, Windows licensing shown apart from compute.
//!
//! Prices come from the embedded, dated table (`data/prices.json`, each row with its source and
//! whether a Microsoft text confirms it) or from a file the user exports from the Azure Retail
//! Prices API ([`PriceBook::merge_retail`]); rows from the file win. Nothing here touches the
//! network. A component without a price is listed as unpriced, never guessed, and left out of
//! the totals, which say so.
//!
//! VM prices: the file's exact `armSkuName` rows (Linux rows have a `productName` ending in
//! "Series", Windows rows in "Series Windows"), otherwise the embedded per-vCPU rate of the
//! size's family (D-series prices are linear in vCPUs within a family). The Windows licence is
//! the Windows price minus the Linux price of the same size; Azure Hybrid Benefit
//! (`cluster.windowsProfile.azureHybridBenefit`) removes it for the cluster's Windows pools.

use crate::hot_spare::HotSparePlan;
use akswin_spec::Spec;
use akswin_spec::spec::{AcrSku, Os, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Azure's hours per month.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Days per month (730 / 24).
pub const DAYS_PER_MONTH: f64 = HOURS_PER_MONTH / 24.0;

const EMBEDDED: &str = akswin_facts::PRICES_JSON;

/// Where a price came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub key: String,
    pub unit_price: f64,
    pub unit: String,
    pub source: String,
    /// Whether a Microsoft text confirms the value (rows from a Retail Prices export: true).
    pub confirmed: bool,
    /// ISO currency code of `unitPrice`.
    #[serde(default)]
    pub currency: String,
    /// `embedded` or `file`.
    #[serde(default)]
    pub origin: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Table {
    compiled_on: String,
    currency: String,
    region: String,
    about: String,
    prices: Vec<Price>,
}

/// The prices the model uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceBook {
    pub currency: String,
    /// Region the embedded prices are for.
    pub region: String,
    /// The day the embedded table was compiled (its rows' sources carry their own dates).
    pub compiled_on: String,
    pub about: String,
    /// The Retail Prices export merged in, if any, and what it contributed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retail_file: Option<RetailImport>,
    #[serde(skip)]
    prices: BTreeMap<String, Price>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetailImport {
    pub path: String,
    pub region: String,
    pub items: usize,
    /// Keys the file priced (they override the embedded table).
    pub matched: Vec<String>,
    /// Items skipped: another region, not pay-as-you-go, Spot / Low Priority, or no meter akswin uses.
    pub ignored: usize,
    /// Regions the file's items are for (to explain an export of the wrong region).
    pub regions_in_file: Vec<String>,
}

impl PriceBook {
    /// The embedded table. It is parsed by a unit test, so a malformed table fails the build's
    /// tests, not a user's run; this still never panics.
    pub fn embedded() -> PriceBook {
        let t: Table = serde_json::from_str(EMBEDDED).unwrap_or(Table {
            compiled_on: String::new(),
            currency: "USD".into(),
            region: String::new(),
            about: "embedded price table unreadable".into(),
            prices: Vec::new(),
        });
        let currency = t.currency.clone();
        PriceBook {
            currency: t.currency,
            region: t.region,
            compiled_on: t.compiled_on,
            about: t.about,
            retail_file: None,
            prices: t
                .prices
                .into_iter()
                .map(|mut p| {
                    p.currency.clone_from(&currency);
                    p.origin = "embedded".into();
                    (p.key.clone(), p)
                })
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Price> {
        self.prices.get(key)
    }

    pub fn len(&self) -> usize {
        self.prices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Merge a response (or a JSON array of responses, or of items) of the Azure Retail Prices
    /// API. Only pay-as-you-go (`type: Consumption`) items of `region` in `currency` are used;
    /// of a tiered meter, the first tier with a price above 0 (a free grant is not the price).
    pub fn merge_retail(
        &mut self,
        path: &str,
        text: &str,
        region: &str,
        currency: &str,
    ) -> Result<(), String> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("{path}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
        let mut items = Vec::new();
        collect_items(&v, &mut items, path)?;
        if items.is_empty() {
            return Err(format!(
                "{path}: no price items: expected the Azure Retail Prices API's response ({{\"Items\": [...]}}), a JSON array of responses, or an array of items"
            ));
        }
        // key -> (tierMinimumUnits, price)
        let mut best: BTreeMap<String, (f64, Price)> = BTreeMap::new();
        let mut ignored = 0;
        let mut other_currency = BTreeMap::<String, usize>::new();
        let mut regions = std::collections::BTreeSet::new();
        for item in &items {
            if let Some(r) = item_str(item, "armRegionName") {
                regions.insert(r.to_string());
            }
            let Some((key, price, unit)) = retail_key(item, region) else {
                ignored += 1;
                continue;
            };
            let cur = item_str(item, "currencyCode").unwrap_or("USD");
            if cur != currency {
                *other_currency.entry(cur.to_string()).or_default() += 1;
                ignored += 1;
                continue;
            }
            let tier = item
                .get("tierMinimumUnits")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0);
            let price_row = Price {
                key: key.clone(),
                unit_price: price,
                unit,
                source: format!(
                    "Azure Retail Prices API export {path}: {} / {} / {} ({region}, effective {})",
                    item_str(item, "productName").unwrap_or(""),
                    item_str(item, "meterName").unwrap_or(""),
                    item_str(item, "skuName").unwrap_or(""),
                    item_str(item, "effectiveStartDate").unwrap_or("?")
                ),
                confirmed: true,
                currency: cur.to_string(),
                origin: "file".into(),
            };
            let better = match best.get(&key) {
                None => true,
                // Prefer a priced tier over a free grant, then the lowest priced tier.
                Some((t, p)) => price > 0.0 && (tier < *t || p.unit_price == 0.0),
            };
            if better {
                best.insert(key, (tier, price_row));
            }
        }
        if best.is_empty() && !other_currency.is_empty() {
            let found: Vec<String> = other_currency.keys().cloned().collect();
            return Err(format!(
                "{path}: the prices for {region} are in {}, the spec's cost.currency is {currency}; export with currencyCode='{currency}', or set cost.currency",
                found.join(", ")
            ));
        }
        let keys: Vec<String> = best.keys().cloned().collect();
        self.prices
            .extend(best.into_iter().map(|(k, (_, p))| (k, p)));
        self.retail_file = Some(RetailImport {
            path: path.to_string(),
            region: region.to_string(),
            items: items.len(),
            matched: keys,
            ignored,
            regions_in_file: regions.into_iter().collect(),
        });
        Ok(())
    }
}

fn collect_items<'a>(
    v: &'a serde_json::Value,
    out: &mut Vec<&'a serde_json::Value>,
    path: &str,
) -> Result<(), String> {
    match v {
        serde_json::Value::Object(o) if o.contains_key("Items") => match o.get("Items") {
            Some(serde_json::Value::Array(a)) => {
                out.extend(a.iter());
                Ok(())
            }
            _ => Err(format!("{path}: `Items` is not an array")),
        },
        serde_json::Value::Object(o) if o.contains_key("retailPrice") => {
            out.push(v);
            Ok(())
        }
        serde_json::Value::Array(a) => a.iter().try_for_each(|x| collect_items(x, out, path)),
        _ => Err(format!(
            "{path}: not a Retail Prices API response: expected an object with `Items`"
        )),
    }
}

fn item_str<'a>(item: &'a serde_json::Value, k: &str) -> Option<&'a str> {
    item.get(k).and_then(serde_json::Value::as_str)
}

/// The price-book key, price and unit of a Retail Prices item, if akswin uses that meter.
fn retail_key(item: &serde_json::Value, region: &str) -> Option<(String, f64, String)> {
    let s = |k| item_str(item, k).unwrap_or("");
    if !s("armRegionName").eq_ignore_ascii_case(region) || s("type") != "Consumption" {
        return None;
    }
    let price = item
        .get("retailPrice")
        .and_then(serde_json::Value::as_f64)
        .filter(|p| p.is_finite() && *p >= 0.0)?;
    let (service, product, meter, sku, unit) = (
        s("serviceName"),
        s("productName"),
        s("meterName"),
        s("skuName"),
        s("unitOfMeasure"),
    );
    let hour = unit == "1 Hour";
    if service == "Virtual Machines" {
        if !hour
            || [sku, meter]
                .iter()
                .any(|x| x.contains("Spot") || x.contains("Low Priority"))
        {
            return None;
        }
        let os = if product.ends_with("Windows") {
            "windows"
        } else if product.ends_with("Series") {
            "linux"
        } else {
            return None;
        };
        return Some((
            format!("vm/{os}/{}", s("armSkuName")),
            price,
            unit.to_string(),
        ));
    }
    let key = match service {
        "Azure Firewall" if hour && meter.contains("Standard Deployment") => "firewall/Standard",
        "Azure Firewall" if hour && meter.contains("Premium Deployment") => "firewall/Premium",
        "Azure Firewall" if hour && meter.contains("Basic Deployment") => "firewall/Basic",
        "Azure Firewall" if unit == "1 GB" && meter.contains("Standard Data Processed") => {
            "firewall-data/Standard"
        }
        "Azure Firewall" if unit == "1 GB" && meter.contains("Premium Data Processed") => {
            "firewall-data/Premium"
        }
        "Azure Firewall" if unit == "1 GB" && meter.contains("Basic Data Processed") => {
            "firewall-data/Basic"
        }
        // Gateways: the meter names the SKU (`VpnGw1AZ`, `ErGw1AZ ...`).
        "VPN Gateway" if hour && meter.starts_with("VpnGw") => {
            let sku = meter.split_whitespace().next().unwrap_or_default();
            return Some((format!("vpn-gateway/{sku}"), price, unit.to_string()));
        }
        "ExpressRoute" if hour && meter.starts_with("ErGw") => {
            let sku = meter.split_whitespace().next().unwrap_or_default();
            return Some((format!("er-gateway/{sku}"), price, unit.to_string()));
        }
        "Azure Bastion" if hour && meter.contains("Standard Gateway") => "bastion/Standard",
        "Azure Bastion" if hour && meter.contains("Basic Gateway") => "bastion/Basic",
        "Azure Kubernetes Service" if hour && meter.contains("Standard") => "aks-tier/Standard",
        "Azure Kubernetes Service" if hour && meter.contains("Premium") => "aks-tier/Premium",
        "Container Registry" if unit == "1/Day" && meter.contains("Premium Registry Unit") => {
            "acr/Premium"
        }
        "Container Registry" if unit == "1/Day" && meter.contains("Standard Registry Unit") => {
            "acr/Standard"
        }
        "Container Registry" if unit == "1/Day" && meter.contains("Basic Registry Unit") => {
            "acr/Basic"
        }
        // Analytics Logs pay-as-you-go only: not Basic or Auxiliary logs, not commitment tiers.
        "Log Analytics"
            if unit == "1 GB"
                && (meter == "Analytics Logs Data Ingestion"
                    || meter == "Pay-as-you-go Data Ingestion") =>
        {
            "loganalytics-ingestion"
        }
        "Virtual Network" if hour && meter.contains("Standard IPv4 Static Public IP") => {
            "public-ip/Standard"
        }
        "Azure Front Door Service" | "Azure Front Door"
            if meter.contains("Premium") && meter.contains("Base") =>
        {
            "frontdoor/Premium"
        }
        _ => return None,
    };
    Some((key.to_string(), price, unit.to_string()))
}

/// One row of the estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostLine {
    pub component: String,
    /// `compute`, `windows-licence`, `platform`, `network`, `ingress`, `registry`, `monitoring`.
    pub category: &'static str,
    /// What is counted, e.g. "2 nodes x 730 h + 956.6 hot-spare node-hours".
    pub quantity: String,
    /// The expected month (autoscaler min plus hot-spare hours); None when unpriced.
    pub monthly: Option<f64>,
    /// The month at the autoscaler's minimum (no hot spare), when it differs from `monthly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_at_min: Option<f64>,
    /// The month at the autoscaler's maximum, when it differs from `monthly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_at_max: Option<f64>,
    /// Price keys used, with their sources.
    pub prices: Vec<Price>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowsLicence {
    pub azure_hybrid_benefit: bool,
    /// Licence cost of the cluster's Windows pools at expected node-hours, pay-as-you-go.
    pub payg_monthly: Option<f64>,
    /// What Hybrid Benefit leaves of it (0: the licence is brought, not bought).
    pub with_hybrid_benefit_monthly: f64,
    /// What the Windows pools pay for licences as the spec stands.
    pub as_specified_monthly: Option<f64>,
    /// The domain controllers' Windows licences (the rendered DC VMs do not use Hybrid Benefit).
    pub domain_controllers_monthly: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AcrStorage {
    pub images_gi_b: f64,
    pub replicas: u32,
    /// Storage billed: images x (1 + geo-replicas) (docs/sources.md#container-registry-tiers: billed per replica).
    pub billed_gi_b: f64,
    /// The tier's included storage, counted once for the registry and its replicas
    /// (UNCONFIRMED: the sources only say the tier's storage *limits* count once).
    pub included_gi_b: f64,
    pub extra_gi_b: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostEstimate {
    pub currency: String,
    pub spec_region: String,
    /// Region of the embedded table.
    pub embedded_price_region: String,
    pub price_book_compiled_on: String,
    pub hours_per_month: f64,
    pub lines: Vec<CostLine>,
    /// Sum of priced lines, expected month.
    pub total_monthly: f64,
    pub total_monthly_at_min: f64,
    pub total_monthly_at_max: f64,
    /// Components without a price (left out of the totals).
    pub unpriced: Vec<String>,
    /// Components priced from the embedded table although the spec deploys to another region.
    pub priced_from_another_region: Vec<String>,
    pub windows_licence: WindowsLicence,
    pub acr_storage: AcrStorage,
    pub not_modelled: Vec<&'static str>,
    pub warnings: Vec<String>,
}

pub const NOT_MODELLED: [&str; 8] = [
    "data transfer (internet egress, cross-zone, hub-spoke peering, Front Door requests and edge transfer)",
    "private endpoints, Private Link Service and private DNS zones",
    "Key Vault operations",
    "managed disks (the domain controllers' disks, and OS disks of pools with osDisk.type Managed)",
    "Microsoft Entra ID P1/P2 licences that application proxy requires",
    "reservations and savings plans",
    "Log Analytics retention beyond the included 31 days, and Basic or Auxiliary logs",
    "managed Prometheus ingestion and queries (billed per sample ingested and processed; price not confirmed)",
];

/// ACR included storage per tier, GiB (docs/sources.md).
pub fn acr_included_gib(sku: AcrSku) -> f64 {
    match sku {
        AcrSku::Basic => 10.0,
        AcrSku::Standard => 100.0,
        AcrSku::Premium => 500.0,
    }
}

/// ACR storage: images x (1 + replicas) against the tier's included storage.
pub fn acr_storage(spec: &Spec) -> AcrStorage {
    let images: f64 = spec
        .registry
        .images
        .iter()
        .filter_map(|i| i.size_gi_b)
        .sum();
    let replicas = spec.registry.geo_replicas.len() as u32;
    let billed = images * (1.0 + f64::from(replicas));
    let included = acr_included_gib(spec.registry.sku);
    AcrStorage {
        images_gi_b: images,
        replicas,
        billed_gi_b: billed,
        included_gi_b: included,
        extra_gi_b: (billed - included).max(0.0),
    }
}

fn money(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Prices the estimate may use: in the spec's currency only.
struct Book<'a> {
    book: &'a PriceBook,
    currency: &'a str,
}

impl Book<'_> {
    fn get(&self, key: &str) -> Option<&Price> {
        self.book.get(key).filter(|p| p.currency == self.currency)
    }
}

/// Linux hourly price and Windows licence per hour of a VM size, with the prices used. The
/// licence is the Windows row minus the Linux row only when both come from the same source;
/// otherwise the embedded per-vCPU licence rate is used and a warning says why.
fn vm_rates(
    book: &Book<'_>,
    size: &str,
    vm: Option<&(u32, String)>,
    warnings: &mut Vec<String>,
) -> (Option<f64>, Option<f64>, Vec<Price>) {
    let mut used = Vec::new();
    let exact_linux = book.get(&format!("vm/linux/{size}"));
    let linux = match exact_linux {
        Some(p) => {
            used.push(p.clone());
            Some(p.unit_price)
        }
        None => vm.and_then(|(vcpus, family)| {
            book.get(&format!("vm-linux-vcpu/{family}")).map(|p| {
                used.push(p.clone());
                p.unit_price * f64::from(*vcpus)
            })
        }),
    };
    let per_vcpu = |used: &mut Vec<Price>| {
        vm.and_then(|(vcpus, _)| {
            book.get("windows-licence-vcpu").map(|p| {
                used.push(p.clone());
                p.unit_price * f64::from(*vcpus)
            })
        })
    };
    let licence = match (book.get(&format!("vm/windows/{size}")), exact_linux, linux) {
        (Some(w), Some(l), Some(lp)) if w.origin == l.origin => {
            used.push(w.clone());
            if w.unit_price < lp {
                warnings.push(format!(
                    "{size}: the Windows price {} is below the Linux price {lp}; the licence is taken as 0",
                    w.unit_price
                ));
            }
            Some((w.unit_price - lp).max(0.0))
        }
        (Some(_), _, _) => {
            warnings.push(format!(
                "{size}: a Windows price without a Linux price of the same source; the licence uses the embedded per-vCPU rate"
            ));
            per_vcpu(&mut used)
        }
        _ => per_vcpu(&mut used),
    };
    (linux, licence, used)
}

/// The monthly estimate. `vm` resolves a VM size to (vCPUs, family).
pub fn estimate(
    spec: &Spec,
    book: &PriceBook,
    hot_spare: Option<&HotSparePlan>,
    vm: &dyn Fn(&str) -> Option<(u32, String)>,
) -> CostEstimate {
    let currency = spec.cost.currency.as_str();
    let b = Book { book, currency };
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let h = HOURS_PER_MONTH;
    let ahb = spec
        .cluster
        .windows_profile
        .as_ref()
        .is_some_and(|w| w.azure_hybrid_benefit);
    let mut licence_payg: Option<f64> = Some(0.0);
    let differs = |a: f64, b: f64| ((a - b).abs() > 0.005).then_some(money(b));

    // Node pools: compute at the Linux rate; the Windows licence on its own line.
    for p in &spec.cluster.node_pools {
        let info = vm(&p.vm_size);
        let (linux, licence, used) = vm_rates(&b, &p.vm_size, info.as_ref(), &mut warnings);
        let (min, max) = (f64::from(p.min_nodes()), f64::from(p.max_nodes()));
        // A hot-spare pool runs the simulated week's node-hours (offPeakNodes all week plus the
        // peaks), scaled to a 730-hour month.
        let week = hot_spare.filter(|hs| hs.pool == p.name);
        let (expected_hours, quantity) = match week {
            Some(hs) => (
                hs.node_hours_per_week * h / 168.0,
                format!(
                    "hot-spare week of {:.1} node-hours x {h}/168 ({}-{} nodes)",
                    hs.node_hours_per_week,
                    p.min_nodes(),
                    p.max_nodes()
                ),
            ),
            None => (
                min * h,
                format!("{} nodes x {h} h (up to {})", p.min_nodes(), p.max_nodes()),
            ),
        };
        lines.push(CostLine {
            component: format!("node pool {} ({:?}, {})", p.name, p.os, p.vm_size),
            category: "compute",
            quantity: quantity.clone(),
            monthly: linux.map(|r| money(r * expected_hours)),
            monthly_at_min: linux.and_then(|r| differs(r * expected_hours, r * min * h)),
            monthly_at_max: linux.and_then(|r| differs(r * expected_hours, r * max * h)),
            prices: used
                .iter()
                .filter(|x| !x.key.contains("windows"))
                .cloned()
                .collect(),
            note: if linux.is_some() {
                String::new()
            } else if info.is_none() {
                format!(
                    "{} is not in akswin's size table and the prices have no row for it",
                    p.vm_size
                )
            } else {
                format!("no {currency} price for {}", p.vm_size)
            },
        });
        if p.os == Os::Windows {
            licence_payg = licence_payg
                .zip(licence)
                .map(|(a, l)| a + l * expected_hours);
            let pay = if ahb { Some(0.0) } else { licence };
            lines.push(CostLine {
                component: format!("Windows licence, pool {}", p.name),
                category: "windows-licence",
                quantity,
                monthly: pay.map(|r| money(r * expected_hours)),
                monthly_at_min: pay.and_then(|r| differs(r * expected_hours, r * min * h)),
                monthly_at_max: pay.and_then(|r| differs(r * expected_hours, r * max * h)),
                prices: used
                    .into_iter()
                    .filter(|x| x.key.contains("windows"))
                    .collect(),
                note: match (ahb, licence) {
                    (true, Some(l)) => format!(
                        "Azure Hybrid Benefit on: licences brought; pay-as-you-go would add {:.2}",
                        l * expected_hours
                    ),
                    (true, None) => "Azure Hybrid Benefit on: licences brought".into(),
                    (false, _) => {
                        "pay-as-you-go Windows minus the Linux price of the same size".into()
                    }
                },
            });
        }
    }

    // Domain controllers: Windows VMs without Hybrid Benefit (the rendered VMs set no licenseType).
    let mut dc_licence = None;
    let dcs = spec
        .identity
        .active_directory
        .as_ref()
        .map(|a| &a.domain_controllers);
    if let Some(dc) = dcs
        && let Some(n) = dc.count.filter(|n| *n > 0)
    {
        let info = vm(dc.size());
        let (linux, licence, used) = vm_rates(&b, dc.size(), info.as_ref(), &mut warnings);
        let hours = f64::from(n) * h;
        let quantity = format!("{n} VMs x {h} h");
        lines.push(CostLine {
            component: format!("domain controllers ({n} x {})", dc.size()),
            category: "compute",
            quantity: quantity.clone(),
            monthly: linux.map(|l| money(l * hours)),
            monthly_at_min: None,
            monthly_at_max: None,
            prices: used
                .iter()
                .filter(|x| !x.key.contains("windows"))
                .cloned()
                .collect(),
            note: String::new(),
        });
        dc_licence = licence.map(|l| money(l * hours));
        lines.push(CostLine {
            component: "Windows licence, domain controllers".into(),
            category: "windows-licence",
            quantity,
            monthly: dc_licence,
            monthly_at_min: None,
            monthly_at_max: None,
            prices: used
                .into_iter()
                .filter(|x| x.key.contains("windows"))
                .collect(),
            note: "pay-as-you-go: the rendered DC VMs do not use Hybrid Benefit".into(),
        });
    }

    // The operators' jump box: one Linux VM (its disk is a managed disk of the image's size).
    if spec.cluster.access.path == akswin_spec::spec::AccessPath::JumpBox
        && spec.network.hub.subnets.jump_box.is_some()
    {
        let size = spec.cluster.access.vm_size.as_str();
        let info = vm(size);
        let (linux, _, used) = vm_rates(&b, size, info.as_ref(), &mut warnings);
        lines.push(CostLine {
            component: format!("jump box (1 x {size})"),
            category: "compute",
            quantity: format!("1 VM x {h} h"),
            monthly: linux.map(|l| money(l * h)),
            monthly_at_min: None,
            monthly_at_max: None,
            prices: used
                .into_iter()
                .filter(|x| !x.key.contains("windows"))
                .collect(),
            note: "Linux; stop it (az vm deallocate) when nobody needs it to pay for its disk only"
                .into(),
        });
    }

    let mut fixed =
        |component: String, category, quantity: String, key: &str, units: f64, note: String| {
            let p = b.get(key).cloned();
            lines.push(CostLine {
                component,
                category,
                quantity,
                monthly: p.as_ref().map(|p| money(p.unit_price * units)),
                monthly_at_min: None,
                monthly_at_max: None,
                prices: p.into_iter().collect(),
                note,
            });
        };

    let tier = match spec.cluster.tier {
        Tier::Free => "Free",
        Tier::Standard => "Standard",
        Tier::Premium => "Premium",
    };
    fixed(
        format!("AKS control plane ({tier} tier)"),
        "platform",
        format!("1 cluster x {h} h"),
        &format!("aks-tier/{tier}"),
        h,
        String::new(),
    );
    let h_month = h;
    let fw = &spec.egress.firewall;
    let fw_sku = format!("{:?}", fw.sku);
    // An existing hub's firewall (and whatever else is in it) is the platform team's bill; the
    // data this spoke sends through it is still counted when the spec gives a volume.
    if spec.network.existing_hub().is_none() {
        fixed(
            format!("Azure Firewall {fw_sku}"),
            "network",
            format!("1 firewall x {h} h"),
            &format!("firewall/{fw_sku}"),
            h,
            String::new(),
        );
        fixed(
            format!("firewall public IPs ({})", fw.public_ips),
            "network",
            format!("{} Standard public IPs x {h} h", fw.public_ips),
            "public-ip/Standard",
            f64::from(fw.public_ips) * h,
            String::new(),
        );
    } else {
        warnings.push("the existing hub's firewall, gateway and other resources are the platform team's: not counted (its data processing is, with cost.firewallDataGiBPerMonth, at this spec's firewall SKU)".into());
    }
    match spec.cost.firewall_data_gi_b_per_month {
        Some(gib) => fixed(
            format!("firewall data processed ({fw_sku})"),
            "network",
            format!("{gib} GiB per month (cost.firewallDataGiBPerMonth)"),
            &format!("firewall-data/{fw_sku}"),
            gib,
            String::new(),
        ),
        None => warnings.push(
            "firewall data processing not estimated: set cost.firewallDataGiBPerMonth".into(),
        ),
    }
    if spec.network.hub.subnets.bastion.is_some() {
        fixed(
            "Azure Bastion Standard".into(),
            "network",
            format!("1 host x {h} h"),
            "bastion/Standard",
            h,
            String::new(),
        );
    }
    if let Some(h) = &spec.network.hybrid
        && let Some(sku) = h.effective_sku()
    {
        let (kind, key, ips) = match h.gateway {
            akswin_spec::spec::GatewayKind::Vpn => ("VPN", "vpn-gateway", 2.0),
            _ => ("ExpressRoute", "er-gateway", 1.0),
        };
        fixed(
            format!("{kind} gateway {sku}"),
            "network",
            format!("1 gateway x {h} h", h = h_month),
            &format!("{key}/{sku}"),
            h_month,
            "connections and data transfer are billed on top (not modelled)".into(),
        );
        fixed(
            format!("gateway public IPs ({ips})"),
            "network",
            format!("{ips} Standard public IPs x {h_month} h"),
            "public-ip/Standard",
            ips * h_month,
            String::new(),
        );
    }
    if let Some(fd) = &spec.ingress.front_door {
        let sku = format!("{:?}", fd.sku);
        fixed(
            format!("Azure Front Door {sku} (base fee)"),
            "ingress",
            "1 profile x 1 month".into(),
            &format!("frontdoor/{sku}"),
            1.0,
            "requests and data transfer are billed on top (not modelled)".into(),
        );
    }
    let acr = acr_storage(spec);
    let acr_sku = format!("{:?}", spec.registry.sku);
    fixed(
        format!("Container Registry {acr_sku}"),
        "registry",
        format!("1 registry x {DAYS_PER_MONTH:.2} days"),
        &format!("acr/{acr_sku}"),
        DAYS_PER_MONTH,
        format!("includes {} GiB of storage", acr.included_gi_b),
    );
    if acr.replicas > 0 {
        if spec.registry.sku == AcrSku::Premium {
            fixed(
                format!("Container Registry geo-replicas ({})", acr.replicas),
                "registry",
                format!("{} replicas x {DAYS_PER_MONTH:.2} days", acr.replicas),
                "acr-replica",
                f64::from(acr.replicas) * DAYS_PER_MONTH,
                String::new(),
            );
        } else {
            warnings.push(format!(
                "registry.geoReplicas needs the Premium tier (docs/sources.md#container-registry-tiers); ACR {acr_sku} cannot replicate, so the replicas are not priced"
            ));
        }
    }
    if acr.extra_gi_b > 0.0 {
        fixed(
            "Container Registry storage above the included".into(),
            "registry",
            format!(
                "{:.1} GiB x {DAYS_PER_MONTH:.2} days ({:.1} GiB billed: images x {} copies)",
                acr.extra_gi_b,
                acr.billed_gi_b,
                u64::from(acr.replicas) + 1
            ),
            "acr-storage",
            acr.extra_gi_b * DAYS_PER_MONTH,
            "the included storage is counted once for all replicas (UNCONFIRMED)".into(),
        );
    }
    if spec.monitoring.container_insights {
        match spec.cost.log_analytics_gi_b_per_day {
            Some(gib) => fixed(
                "Log Analytics ingestion".into(),
                "monitoring",
                format!("{gib} GiB/day x {DAYS_PER_MONTH:.2} days (cost.logAnalyticsGiBPerDay)"),
                "loganalytics-ingestion",
                gib * DAYS_PER_MONTH,
                if spec.monitoring.retention_days > 31 {
                    format!(
                        "retention of {} days: the days beyond 31 are billed extra (not modelled)",
                        spec.monitoring.retention_days
                    )
                } else {
                    "31 days of retention included".into()
                },
            ),
            None => warnings.push(
                "Log Analytics ingestion not estimated: set cost.logAnalyticsGiBPerDay".into(),
            ),
        }
    }

    let unpriced: Vec<String> = lines
        .iter()
        .filter(|l| l.monthly.is_none())
        .map(|l| l.component.clone())
        .collect();
    let location = spec.location.as_str();
    let priced_from_another_region: Vec<String> = if book.region.eq_ignore_ascii_case(location) {
        Vec::new()
    } else {
        lines
            .iter()
            .filter(|l| l.monthly.is_some() && l.prices.iter().any(|p| p.origin == "embedded"))
            .map(|l| l.component.clone())
            .collect()
    };
    if !priced_from_another_region.is_empty() {
        warnings.push(format!(
            "{} of {} lines are priced from the embedded {} table, but the spec deploys to {location}: export {location}'s prices and pass --prices",
            priced_from_another_region.len(),
            lines.len(),
            book.region
        ));
    }
    if let Some(r) = &book.retail_file
        && r.matched.is_empty()
    {
        warnings.push(format!(
            "{} has no price akswin uses for {} in {currency} (regions in the file: {})",
            r.path,
            r.region,
            if r.regions_in_file.is_empty() {
                "none".to_string()
            } else {
                r.regions_in_file.join(", ")
            }
        ));
    }
    if currency != book.currency {
        warnings.push(format!(
            "cost.currency is {currency}; the embedded table is {}: only prices from a {currency} --prices export are used",
            book.currency
        ));
    }
    let sum = |f: &dyn Fn(&CostLine) -> Option<f64>| money(lines.iter().filter_map(f).sum());
    let total = sum(&|l| l.monthly);
    let at_min = sum(&|l| l.monthly_at_min.or(l.monthly));
    let at_max = sum(&|l| l.monthly_at_max.or(l.monthly));
    let has_windows = spec.cluster.node_pools.iter().any(|p| p.os == Os::Windows);
    CostEstimate {
        currency: currency.to_string(),
        spec_region: location.to_string(),
        embedded_price_region: book.region.clone(),
        price_book_compiled_on: book.compiled_on.clone(),
        hours_per_month: h,
        lines,
        total_monthly: total,
        total_monthly_at_min: at_min,
        total_monthly_at_max: at_max,
        unpriced,
        priced_from_another_region,
        windows_licence: WindowsLicence {
            azure_hybrid_benefit: ahb,
            payg_monthly: if has_windows {
                licence_payg.map(money)
            } else {
                Some(0.0)
            },
            with_hybrid_benefit_monthly: 0.0,
            as_specified_monthly: if ahb || !has_windows {
                Some(0.0)
            } else {
                licence_payg.map(money)
            },
            domain_controllers_monthly: dc_licence,
        },
        acr_storage: acr,
        not_modelled: NOT_MODELLED
            .into_iter()
            .filter(|m| {
                crate::alerts::prometheus_rendered(spec) || !m.starts_with("managed Prometheus")
            })
            .collect(),
        warnings,
    }
}
