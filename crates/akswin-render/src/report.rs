//! `akswin report`: one self-contained HTML page (no scripts, no external assets) with an SVG
//! topology diagram drawn from the network plan, charts, the scale-out and cost models, the
//! upgrade calendar and every finding with its explanation.
//!
//! The page is also well-formed XML (XHTML syntax in an HTML5 document), so tests parse it.
//!
//! ## Why labels cannot overlap
//! Every label is placed in a cell of its own: each subnet is a fixed-height row inside its VNet
//! box, each VNet box is a cell of a grid with gutters, each chart row has its own band, and the
//! ingress path is a row of fixed-width boxes. All text is monospace at a known size, so its
//! width is at most `chars x CHAR_W`; [`fit`] truncates every label to the width of its cell
//! (the full text stays in a `<title>` tooltip). Lines (peerings, arrows) run only in gutters.
//! `tests/report.rs` recomputes every text box from the SVG and checks none intersect.

use akswin_plan::calendar::Calendar;
use akswin_plan::cost::CostEstimate;
use akswin_plan::hot_spare::HotSparePlan;
use akswin_plan::scale_out::ScaleOutPlan;
use akswin_plan::{NetworkPlan, SubnetPlan, SubnetRole, VnetPlan};
use akswin_spec::Spec;
use akswin_spec::spec::{AuthMode, IngressPath, Os};
use std::fmt::Write as _;

/// Font size of diagram text, px.
pub const FONT: f64 = 11.0;
/// The widest advance of a monospace glyph at [`FONT`] (DejaVu Sans Mono: 0.602 em), rounded up.
pub const CHAR_W: f64 = 0.62 * FONT;
const FONT_FAMILY: &str = "'DejaVu Sans Mono', Menlo, Consolas, monospace";

const VNET_W: f64 = 360.0;
const PAD: f64 = 10.0;
const ROW_H: f64 = 42.0;
const HEAD_H: f64 = 46.0;
const GAP: f64 = 40.0;
const MAX_COLS: usize = 3;

/// One finding as the report shows it.
#[derive(Debug, Clone)]
pub struct ReportFinding {
    pub code: String,
    pub severity: String,
    pub message: String,
    pub location: String,
    pub help: Option<String>,
    /// The rule's documentation (what it checks, why, how to fix).
    pub explanation: String,
}

/// One flow of the catalogue through the rendered network, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFlow {
    pub id: String,
    /// The source role and subnet.
    pub from: String,
    /// Destination, protocol and port.
    pub to: String,
    /// `allow` or `deny`: what the architecture needs.
    pub expect: String,
    /// What the network does: the hops, or where and why it stops, or what is unknown.
    pub outcome: String,
    /// Whether the network does what the architecture needs.
    pub ok: bool,
}

/// Everything on the page.
pub struct ReportInput<'a> {
    pub spec: &'a Spec,
    pub network: &'a NetworkPlan,
    pub scale_out: &'a ScaleOutPlan,
    pub cost: &'a CostEstimate,
    pub hot_spare: Option<&'a HotSparePlan>,
    pub calendar: Option<&'a Calendar>,
    pub findings: &'a [ReportFinding],
    /// Every flow through the rendered network (empty when it cannot be rendered).
    pub flows: &'a [ReportFlow],
    pub source: &'a str,
    pub version: &'a str,
    pub today: &'a str,
}

/// Escape text for XML and HTML (text and attribute values).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Truncate `s` to what fits in `width` px at [`CHAR_W`] per character (with an ellipsis).
pub fn fit(s: &str, width: f64) -> String {
    let max = (width / CHAR_W).floor().max(1.0) as usize;
    let n = s.chars().count();
    if n <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A text element whose content fits `width`; the full text is its tooltip when truncated.
fn text(out: &mut String, x: f64, y: f64, width: f64, s: &str, class: &str, anchor: &str) {
    let shown = fit(s, width);
    let title = if shown == s {
        String::new()
    } else {
        format!("<title>{}</title>", esc(s))
    };
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" class="{class}" text-anchor="{anchor}">{title}{}</text>"#,
        esc(&shown)
    );
}

fn role_class(role: SubnetRole) -> &'static str {
    match role {
        SubnetRole::Firewall => "fw",
        SubnetRole::DomainControllers => "dc",
        SubnetRole::Nodes => "nodes",
        SubnetRole::InternalLoadBalancer | SubnetRole::PrivateLinkService => "lb",
        _ => "other",
    }
}

fn utilisation(s: &SubnetPlan) -> Option<f64> {
    let usable = s.usable.filter(|u| *u > 0)?;
    Some(s.demand.at_max_surge as f64 / usable as f64)
}

/// The second line of a subnet row: what lives there.
fn subnet_detail(spec: &Spec, net: &NetworkPlan, s: &SubnetPlan) -> String {
    let util = utilisation(s)
        .filter(|_| s.demand.at_max_surge > 0)
        .map_or(String::new(), |u| {
            format!("{:.0}% at max+surge; ", u * 100.0)
        });
    let what = match s.role {
        SubnetRole::Firewall => format!(
            "Azure Firewall {:?} {}",
            spec.egress.firewall.sku,
            net.addresses
                .firewall_private_ip
                .map_or(String::new(), |i| i.to_string())
        ),
        SubnetRole::DomainControllers => {
            if net.addresses.domain_controller_ips.is_empty() {
                format!(
                    "empty: the domain controllers are elsewhere ({})",
                    spec.identity
                        .active_directory
                        .as_ref()
                        .and_then(|a| a.domain_controllers.existing.as_ref())
                        .map_or("none".into(), |e| e
                            .dns_servers
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", "))
                )
            } else {
                let ips: Vec<String> = net
                    .addresses
                    .domain_controller_ips
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let what = match spec.identity.active_directory.as_ref().map(|a| a.mode()) {
                    Some(akswin_spec::spec::AdMode::Replica) => "replica DCs",
                    Some(akswin_spec::spec::AdMode::NewForest) => "new-forest DCs",
                    _ => "AD DS DCs",
                };
                format!("{what} {}", ips.join(", "))
            }
        }
        SubnetRole::Bastion => "Azure Bastion".into(),
        SubnetRole::JumpBox => match net.addresses.jump_box_ip {
            Some(ip) => format!("jump box {ip} (Bastion, Microsoft Entra ID sign-in)"),
            None => "empty: cluster.access.path is not jumpBox".into(),
        },
        SubnetRole::Gateway => match &net.hybrid {
            Some(h) => match h.kind {
                akswin_spec::spec::GatewayKind::Vpn => format!(
                    "VPN gateway {} ({})",
                    h.gateway,
                    h.sku.as_deref().unwrap_or("-")
                ),
                akswin_spec::spec::GatewayKind::ExpressRoute => format!(
                    "ExpressRoute gateway {} ({})",
                    h.gateway,
                    h.sku.as_deref().unwrap_or("-")
                ),
                akswin_spec::spec::GatewayKind::Existing => {
                    format!("existing gateway {}", h.gateway)
                }
            },
            None => "gateway subnet (no gateway: network.hybrid)".into(),
        },
        SubnetRole::InternalLoadBalancer => {
            let ips: Vec<String> = net
                .addresses
                .workload_load_balancer_ips
                .iter()
                .map(|w| w.ip.to_string())
                .collect();
            if ips.is_empty() {
                format!(
                    "internal LB {}",
                    net.addresses
                        .internal_load_balancer_ip
                        .map_or("-".into(), |i| i.to_string())
                )
            } else {
                format!("internal LB {}", ips.join(", "))
            }
        }
        SubnetRole::PrivateLinkService => {
            let n = net
                .ingress
                .iter()
                .filter(|r| r.private_link_service.is_some())
                .count();
            match n {
                0 => "Private Link Service (none published)".into(),
                1 => "Private Link Service (Front Door origin)".into(),
                n => format!("{n} Private Link Services (Front Door origins)"),
            }
        }
        SubnetRole::PrivateEndpoints => "private endpoints (ACR, Key Vault)".into(),
        SubnetRole::AppProxyConnectors => "Entra application proxy connectors".into(),
        SubnetRole::Pods => "pod subnet".into(),
        SubnetRole::Existing => "existing subnet (not deployed by akswin)".into(),
        SubnetRole::Nodes => {
            let pools: Vec<String> = s
                .pools
                .iter()
                .map(|p| {
                    let os = spec
                        .cluster
                        .node_pools
                        .iter()
                        .find(|n| &n.name == p)
                        .map_or("", |n| {
                            if n.os == Os::Windows {
                                "Windows"
                            } else {
                                "Linux"
                            }
                        });
                    if os.is_empty() {
                        p.clone()
                    } else {
                        format!("{p} ({os})")
                    }
                })
                .collect();
            format!("pools {}", pools.join(", "))
        }
    };
    format!("{util}{what}")
}

fn pool_os_class(spec: &Spec, s: &SubnetPlan) -> &'static str {
    let windows = s.pools.iter().any(|p| {
        spec.cluster
            .node_pools
            .iter()
            .any(|n| &n.name == p && n.os == Os::Windows)
    });
    if s.role != SubnetRole::Nodes {
        role_class(s.role)
    } else if windows {
        "win"
    } else {
        "linux"
    }
}

fn vnet_height(v: &VnetPlan) -> f64 {
    HEAD_H + ROW_H * v.subnets.len().max(1) as f64 + PAD
}

/// The on-premises side: its ranges, the domain controllers there, and how it is connected.
fn on_premises_rows(spec: &Spec, net: &NetworkPlan) -> Vec<(String, String, &'static str)> {
    let n = &spec.network;
    if n.on_premises.is_empty() {
        return Vec::new();
    }
    let mut rows = vec![(
        n.on_premises
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        "on-premises ranges (network.onPremises)".to_string(),
        "existing",
    )];
    if let Some(e) = spec
        .identity
        .active_directory
        .as_ref()
        .and_then(|a| a.domain_controllers.existing.as_ref())
    {
        let ips: Vec<String> = e
            .dns_servers
            .iter()
            .filter(|ip| n.is_on_premises(ip.0))
            .map(ToString::to_string)
            .collect();
        if !ips.is_empty() {
            rows.push((
                ips.join(", "),
                "AD DS domain controllers and DNS servers".into(),
                "dc",
            ));
        }
    }
    rows.push(match &net.hybrid {
        Some(h) => (
            format!(
                "{} {}",
                match h.kind {
                    akswin_spec::spec::GatewayKind::Vpn => "site-to-site VPN to",
                    akswin_spec::spec::GatewayKind::ExpressRoute => "ExpressRoute to",
                    akswin_spec::spec::GatewayKind::Existing => "existing gateway",
                },
                h.gateway
            ),
            "in the hub's GatewaySubnet; both directions through the firewall".into(),
            "lb",
        ),
        None => (
            "not connected".into(),
            "no network.hybrid: nothing routes to on-premises".into(),
            "fw",
        ),
    });
    rows
}

const INGRESS_TOP: f64 = 40.0;
const INGRESS_ROW_GAP: f64 = 14.0;
const INGRESS_LINE: f64 = 20.0;

/// The routes of the published workloads (those users reach from outside).
fn published_routes(net: &NetworkPlan) -> Vec<&akswin_plan::ingress::IngressRoute> {
    net.ingress
        .iter()
        .filter(|r| r.path != IngressPath::Internal)
        .collect()
}

/// The line under the ingress paths that names the workloads nobody reaches from outside.
fn internal_line(spec: &Spec, net: &NetworkPlan) -> Option<String> {
    let mut parts: Vec<String> = net
        .ingress
        .iter()
        .filter(|r| r.path == IngressPath::Internal)
        .map(|r| match r.ip {
            Some(ip) => format!("{} ({ip}:{})", r.workload, r.port),
            None => r.workload.clone(),
        })
        .collect();
    parts.extend(
        spec.workloads
            .iter()
            .filter(|w| w.port.is_none())
            .map(|w| format!("{} (no port)", w.name)),
    );
    (!parts.is_empty()).then(|| {
        format!(
            "Not published, reached only inside the network: {}",
            parts.join(", ")
        )
    })
}

/// The height of the ingress section: a title, a row per published workload, the lines below.
fn ingress_height(spec: &Spec, net: &NetworkPlan) -> f64 {
    let rows = published_routes(net).len() as f64;
    let lines =
        f64::from(u8::from(rows == 0.0)) + f64::from(u8::from(internal_line(spec, net).is_some()));
    INGRESS_TOP + rows * (72.0 + INGRESS_ROW_GAP) + lines * INGRESS_LINE + 8.0
}

/// The topology diagram: the ingress path, then the hub and each spoke as a box of subnets.
pub fn topology_svg(spec: &Spec, net: &NetworkPlan) -> String {
    let n = net.vnets.len().max(1);
    let cols = n.min(MAX_COLS);
    let ingress_h = ingress_height(spec, net);
    let grid_top = ingress_h + GAP;
    // Row heights of the VNet grid.
    let rows: Vec<f64> = net
        .vnets
        .chunks(cols)
        .map(|r| r.iter().map(vnet_height).fold(0.0, f64::max))
        .collect();
    let width = (cols as f64 * (VNET_W + GAP) + GAP).max(5.0 * 200.0 + 4.0 * 30.0 + 2.0 * GAP);
    let onprem = on_premises_rows(spec, net);
    let onprem_h = if onprem.is_empty() {
        0.0
    } else {
        HEAD_H + ROW_H * onprem.len() as f64 + PAD + GAP
    };
    let height = grid_top + rows.iter().map(|h| h + GAP).sum::<f64>() + onprem_h;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="topology" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_FAMILY}" font-size="{FONT}">"#
    );
    o.push_str("<title>Topology: ingress path, hub and spoke virtual networks, subnets with prefixes and utilisation at max + surge</title>");

    // Ingress paths: one row per published workload, on its real path (Front Door, then the
    // application proxy or Private Link, the workload's internal load balancer front end, its
    // pods); then the workloads that are not published.
    let fd = spec.ingress.front_door.as_ref();
    let app_proxy = &spec.ingress.app_proxy;
    let (bw, bh, bgap) = (200.0, 72.0, 30.0);
    text(
        &mut o,
        GAP,
        24.0,
        width - 2.0 * GAP,
        "Ingress paths",
        "h",
        "start",
    );
    let published = published_routes(net);
    for (row, r) in published.iter().enumerate() {
        let Some(w) = spec.workloads.get(r.index) else {
            continue;
        };
        let y0 = INGRESS_TOP + row as f64 * (bh + INGRESS_ROW_GAP);
        let sign_in = match (r.path, w.auth) {
            (IngressPath::AppProxy, AuthMode::Kerberos) => "pre-auth, Kerberos SSO",
            (IngressPath::AppProxy, _) => "Entra pre-auth",
            (_, AuthMode::Entra) => "Entra ID in the app",
            (_, AuthMode::Kerberos) => "Kerberos without the proxy",
            (_, AuthMode::None) => "no sign-in",
        };
        let front = match fd {
            Some(f) => (
                format!("Front Door {:?}", f.sku),
                f.waf
                    .as_ref()
                    .map_or("no WAF".to_string(), |w| format!("WAF {:?}", w.mode)),
                format!("route {}", r.front_door_route.as_deref().unwrap_or("-")),
                "edge",
            ),
            None => (
                "No Front Door".into(),
                "straight to the proxy".into(),
                String::new(),
                "edge",
            ),
        };
        let middle = match r.path {
            IngressPath::AppProxy => (
                "Entra app proxy".to_string(),
                r.app_proxy_app.clone().unwrap_or_default(),
                format!("{} connectors, KCD via gMSA", app_proxy.connectors),
                "edge",
            ),
            _ => (
                "Private Link Service".to_string(),
                r.private_link_service.clone().unwrap_or_default(),
                "approved by deploy.sh".to_string(),
                "lb",
            ),
        };
        let steps: Vec<(String, String, String, &str)> = vec![
            ("Users".into(), r.host.clone(), sign_in.into(), "user"),
            front,
            middle,
            (
                "Internal LB".into(),
                r.ip.map_or("no static IP".into(), |i| format!("{i}:{}", r.port)),
                "no ingress controller".into(),
                "lb",
            ),
            (
                "Pods".into(),
                format!("{} x{}", w.name, w.replicas),
                format!("{:?} pool {}", w.os, w.pool.as_deref().unwrap_or("-")),
                if w.os == Os::Windows { "win" } else { "nodes" },
            ),
        ];
        for (i, (title, sub, sub2, class)) in steps.iter().enumerate() {
            let x = GAP + i as f64 * (bw + bgap);
            let _ = write!(
                o,
                r#"<rect x="{x:.1}" y="{y0:.1}" width="{bw}" height="{bh}" rx="6" class="box {class}"/>"#
            );
            text(&mut o, x + 8.0, y0 + 22.0, bw - 16.0, title, "b", "start");
            text(&mut o, x + 8.0, y0 + 41.0, bw - 16.0, sub, "s", "start");
            if !sub2.is_empty() {
                text(&mut o, x + 8.0, y0 + 58.0, bw - 16.0, sub2, "s", "start");
            }
            if i + 1 < steps.len() {
                let (ax, ay) = (x + bw + 4.0, y0 + bh / 2.0);
                let _ = write!(
                    o,
                    r#"<path d="M{ax:.1},{ay:.1} L{:.1},{ay:.1}" class="arrow"/><path d="M{:.1},{:.1} L{:.1},{ay:.1} L{:.1},{:.1} Z" class="head"/>"#,
                    ax + bgap - 12.0,
                    ax + bgap - 12.0,
                    ay - 5.0,
                    ax + bgap - 6.0,
                    ax + bgap - 12.0,
                    ay + 5.0
                );
            }
        }
    }
    let internal = internal_line(spec, net);
    let mut y_text = INGRESS_TOP + published.len() as f64 * (bh + INGRESS_ROW_GAP) + 10.0;
    if published.is_empty() {
        text(
            &mut o,
            GAP,
            y_text,
            width - 2.0 * GAP,
            "No workload is published: nothing reaches the cluster from outside",
            "s",
            "start",
        );
        y_text += INGRESS_LINE;
    }
    if let Some(line) = internal {
        text(&mut o, GAP, y_text, width - 2.0 * GAP, &line, "s", "start");
    }

    // VNet grid. Peerings run only in gutters: a trunk in the left gutter, a bus in the gutter
    // above each row, and a tick from the bus down to each box (the hub's included).
    let mut y = grid_top;
    let trunk_x = GAP / 2.0;
    let first_bus = grid_top - GAP / 2.0;
    let mut last_bus = first_bus;
    for (r, chunk) in net.vnets.chunks(cols).enumerate() {
        let bus_y = y - GAP / 2.0;
        last_bus = bus_y;
        let last = GAP + (chunk.len() - 1) as f64 * (VNET_W + GAP) + VNET_W / 2.0;
        if net.vnets.len() > 1 {
            let _ = write!(
                o,
                r#"<path d="M{trunk_x:.1},{bus_y:.1} L{last:.1},{bus_y:.1}" class="peer"/>"#
            );
        }
        for (c, v) in chunk.iter().enumerate() {
            let x = GAP + c as f64 * (VNET_W + GAP);
            if net.vnets.len() > 1 {
                let cx = x + VNET_W / 2.0;
                let _ = write!(
                    o,
                    r#"<path d="M{cx:.1},{bus_y:.1} L{cx:.1},{y:.1}" class="peer"/>"#
                );
            }
            vnet_box(&mut o, spec, net, v, x, y, r == 0 && c == 0);
        }
        y += rows[r] + GAP;
    }
    if last_bus > first_bus {
        let _ = write!(
            o,
            r#"<path d="M{trunk_x:.1},{first_bus:.1} L{trunk_x:.1},{last_bus:.1}" class="peer"/>"#
        );
    }
    if !onprem.is_empty() {
        // Below the VNets, joined to the hub (the first box) when a gateway connects it.
        let bw = width - 2.0 * GAP;
        let bh = HEAD_H + ROW_H * onprem.len() as f64 + PAD;
        if net.hybrid.is_some() {
            let hx = GAP + VNET_W / 2.0;
            let _ = write!(
                o,
                r#"<path d="M{hx:.1},{:.1} L{hx:.1},{y:.1}" class="hybrid"/>"#,
                grid_top + rows.first().copied().unwrap_or(0.0)
            );
        }
        let _ = write!(
            o,
            r#"<g class="onprem" data-site="on-premises"><rect x="{GAP:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" rx="8" class="vnetbox existing"/>"#
        );
        text(
            &mut o,
            GAP + PAD,
            y + 18.0,
            bw - 2.0 * PAD,
            "On premises",
            "b",
            "start",
        );
        text(
            &mut o,
            GAP + PAD,
            y + 34.0,
            bw - 2.0 * PAD,
            "not deployed by akswin",
            "s",
            "start",
        );
        for (i, (title, detail, class)) in onprem.iter().enumerate() {
            let ry = y + HEAD_H + i as f64 * ROW_H;
            let rw = bw - 2.0 * PAD;
            let _ = write!(
                o,
                r#"<rect x="{:.1}" y="{ry:.1}" width="{rw:.1}" height="{:.1}" rx="4" class="sn {class}"/>"#,
                GAP + PAD,
                ROW_H - 6.0
            );
            text(
                &mut o,
                GAP + PAD + 6.0,
                ry + 14.0,
                rw - 12.0,
                title,
                "p",
                "start",
            );
            text(
                &mut o,
                GAP + PAD + 6.0,
                ry + 28.0,
                rw - 12.0,
                detail,
                "s",
                "start",
            );
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}

fn vnet_box(
    o: &mut String,
    spec: &Spec,
    net: &NetworkPlan,
    v: &VnetPlan,
    x: f64,
    y: f64,
    hub: bool,
) {
    let h = vnet_height(v);
    let _ = write!(
        o,
        r#"<g class="vnet" data-vnet="{}"><rect x="{x:.1}" y="{y:.1}" width="{VNET_W}" height="{h:.1}" rx="8" class="vnetbox {}"/>"#,
        esc(&v.name),
        if hub && v.existing {
            "hub existing"
        } else if hub {
            "hub"
        } else if v.existing {
            "spoke existing"
        } else {
            "spoke"
        }
    );
    let space: Vec<String> = v.address_space.iter().map(ToString::to_string).collect();
    text(
        o,
        x + PAD,
        y + 18.0,
        VNET_W - 2.0 * PAD,
        &if v.existing && hub {
            "Hub VNet (existing: the platform team's)".to_string()
        } else if v.existing {
            format!("Peered spoke {} (existing)", v.name)
        } else if v.name.eq_ignore_ascii_case("hub") || v.name.eq_ignore_ascii_case("spoke") {
            format!("{} VNet", if hub { "Hub" } else { "Spoke" })
        } else {
            format!("{} VNet {}", if hub { "Hub" } else { "Spoke" }, v.name)
        },
        "b",
        "start",
    );
    text(
        o,
        x + PAD,
        y + 34.0,
        VNET_W - 2.0 * PAD,
        &format!(
            "{} · {} free{}",
            space.join(", "),
            v.free_addresses,
            if hub { "" } else { " · peered to hub" }
        ),
        "s",
        "start",
    );
    for (i, s) in v.subnets.iter().enumerate() {
        let ry = y + HEAD_H + i as f64 * ROW_H;
        let rw = VNET_W - 2.0 * PAD;
        let prefix = s.prefix.map_or("unplaced".to_string(), |p| p.to_string());
        let _ = write!(
            o,
            r#"<g class="subnet" data-subnet="{}" data-prefix="{}"><rect x="{:.1}" y="{ry:.1}" width="{rw:.1}" height="{:.1}" rx="4" class="sn {}"/>"#,
            esc(&s.azure_name),
            esc(&prefix),
            x + PAD,
            ROW_H - 6.0,
            pool_os_class(spec, s)
        );
        text(
            o,
            x + PAD + 6.0,
            ry + 14.0,
            rw - 12.0,
            &format!("{prefix}  {}", s.azure_name),
            "p",
            "start",
        );
        text(
            o,
            x + PAD + 6.0,
            ry + 28.0,
            rw - 12.0,
            &subnet_detail(spec, net, s),
            "s",
            "start",
        );
        if let Some(u) = utilisation(s).filter(|_| s.demand.at_max_surge > 0) {
            let bw = (rw - 12.0) * u.min(1.0);
            let _ = write!(
                o,
                r#"<rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="3" class="{}"/>"#,
                x + PAD + 6.0,
                ry + ROW_H - 10.0,
                if u > 0.8 { "ubar hot" } else { "ubar" }
            );
        }
        o.push_str("</g>");
    }
    o.push_str("</g>");
}

/// Nodes of the hot-spare pool per UTC hour over the week, with and without the plan.
pub fn week_chart_svg(hs: &HotSparePlan) -> String {
    let (w, h) = (780.0, 240.0);
    let (x0, x1, y0, y1) = (56.0, 760.0, 36.0, 196.0);
    let max = hs
        .hourly_nodes
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(hs.peak_nodes)
        .max(1);
    let sx = |i: f64| x0 + (x1 - x0) * i / 168.0;
    let sy = |n: f64| y1 - (y1 - y0) * n / f64::from(max);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="week-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}" font-size="{FONT}"><title>Nodes in pool {} over the week of {} (UTC)</title>"#,
        esc(&hs.pool),
        hs.week_start_utc
    );
    let step = (f64::from(max) / 5.0).ceil().max(1.0) as u32;
    let mut t = 0;
    while t <= max {
        let y = sy(f64::from(t));
        let _ = write!(o, r#"<path d="M{x0},{y:.1} L{x1},{y:.1}" class="grid"/>"#);
        text(
            &mut o,
            x0 - 8.0,
            y + 4.0,
            x0 - 12.0,
            &t.to_string(),
            "s",
            "end",
        );
        t += step;
    }
    for (d, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .iter()
        .enumerate()
    {
        let x = sx(d as f64 * 24.0);
        let _ = write!(o, r#"<path d="M{x:.1},{y0} L{x:.1},{y1}" class="grid"/>"#);
        text(&mut o, x + 4.0, y1 + 16.0, 90.0, name, "s", "start");
    }
    // Without the plan: offPeakNodes all week (dashed); with it: a step line.
    let base = sy(f64::from(hs.off_peak_nodes));
    let _ = write!(
        o,
        r#"<path d="M{x0},{base:.1} L{x1},{base:.1}" class="line base"/>"#
    );
    let mut d = String::new();
    for (i, n) in hs.hourly_nodes.iter().enumerate() {
        let (xa, xb, y) = (sx(i as f64), sx(i as f64 + 1.0), sy(f64::from(*n)));
        let _ = write!(
            d,
            "{}{xa:.1},{y:.1} L{xb:.1},{y:.1} ",
            if i == 0 { "M" } else { "L" }
        );
    }
    let _ = write!(o, r#"<path d="{}" class="line spare"/>"#, d.trim_end());
    text(
        &mut o,
        x0,
        20.0,
        340.0,
        &format!("— with hot spare ({} node-h/week)", hs.node_hours_per_week),
        "s spare-t",
        "start",
    );
    text(
        &mut o,
        x0 + 360.0,
        20.0,
        340.0,
        &format!("- - without: {} nodes all week", hs.off_peak_nodes),
        "s base-t",
        "start",
    );
    o.push_str("</svg>");
    o
}

/// Horizontal bars, one row per item: label, bar, value.
fn bar_chart(id: &str, title: &str, rows: &[(String, f64, f64, String, &str)]) -> String {
    // (label, value, scale max, value text, class)
    let (label_w, bar_w, val_w, row_h) = (270.0, 380.0, 120.0, 22.0);
    let w = label_w + bar_w + val_w + 20.0;
    let h = row_h * rows.len() as f64 + 16.0;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}" font-size="{FONT}"><title>{}</title>"#,
        esc(title)
    );
    for (i, (label, v, max, shown, class)) in rows.iter().enumerate() {
        let y = 8.0 + i as f64 * row_h;
        text(&mut o, 8.0, y + 14.0, label_w - 16.0, label, "s", "start");
        let len = if *max > 0.0 {
            bar_w * (v / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let _ = write!(
            o,
            r#"<rect x="{label_w}" y="{:.1}" width="{bar_w}" height="12" class="track"/><rect x="{label_w}" y="{:.1}" width="{len:.1}" height="12" class="bar {class}"/>"#,
            y + 4.0,
            y + 4.0
        );
        text(
            &mut o,
            label_w + bar_w + 8.0,
            y + 14.0,
            val_w,
            shown,
            "s",
            "start",
        );
    }
    o.push_str("</svg>");
    o
}

pub fn cost_chart_svg(c: &CostEstimate) -> String {
    let max = c.lines.iter().filter_map(|l| l.monthly).fold(0.0, f64::max);
    let rows: Vec<(String, f64, f64, String, &str)> = c
        .lines
        .iter()
        .map(|l| {
            (
                l.component.replace("Standard_", ""),
                l.monthly.unwrap_or(0.0),
                max,
                l.monthly.map_or("unpriced".into(), |v| format!("{v:.2}")),
                if l.category == "windows-licence" {
                    "lic"
                } else {
                    "cost"
                },
            )
        })
        .collect();
    bar_chart(
        "cost-chart",
        &format!("Monthly cost per component ({})", c.currency),
        &rows,
    )
}

pub fn headroom_chart_svg(net: &NetworkPlan) -> String {
    let rows: Vec<(String, f64, f64, String, &str)> = net
        .vnets
        .iter()
        .flat_map(|v| v.subnets.iter().map(move |s| (v, s)))
        .filter_map(|(v, s)| {
            let usable = s.usable? as f64;
            let u = s.demand.at_max_surge as f64;
            Some((
                format!(
                    "{}/{} {}",
                    v.name,
                    s.key,
                    s.prefix.map_or(String::new(), |p| p.to_string())
                ),
                u,
                usable,
                format!("{}/{}", s.demand.at_max_surge, usable),
                if u / usable > 0.8 { "hot" } else { "ok" },
            ))
        })
        .collect();
    bar_chart(
        "headroom-chart",
        "Subnet addresses used at max + surge, of usable",
        &rows,
    )
}

const BASE_CSS: &str = r#"
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1b1f24;max-width:1500px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:180px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;border:1px solid #eaeef2;border-radius:6px;padding:6px}
.error{color:#cf222e;font-weight:600}.warning{color:#9a6700;font-weight:600}.info{color:#0969da;font-weight:600}
details pre{white-space:pre-wrap;font-size:12px;background:#f6f8fa;padding:8px;border-radius:6px}
.note{color:#57606a;font-size:12px}
"#;

/// The style of the SVG charts and the topology (their classes), for any page that shows them.
pub const SVG_CSS: &str = r#"svg text{fill:#1b1f24} svg .h{font-weight:700;font-size:13px} svg .b{font-weight:700} svg .s{fill:#424a53}
svg .box{stroke:#57606a;fill:#f6f8fa} svg .edge{fill:#ddf4ff} svg .lb{fill:#fff8c5} svg .win{fill:#dbeafe} svg .user{fill:#ffffff}
svg .vnetbox{fill:#ffffff;stroke:#57606a;stroke-width:1.5} svg .hub{fill:#f6f8fa} svg .existing{stroke-dasharray:6 3;fill:#fbfbfb} svg .hybrid{stroke:#8250df;stroke-width:2;stroke-dasharray:2 3;fill:none}
svg .sn{stroke:#afb8c1;fill:#ffffff} svg .sn.win{fill:#dbeafe} svg .sn.linux{fill:#dafbe1} svg .sn.fw{fill:#ffebe9} svg .sn.dc{fill:#fbefff} svg .sn.lb{fill:#fff8c5}
svg .ubar{fill:#2da44e} svg .ubar.hot{fill:#cf222e}
svg .arrow{stroke:#57606a;stroke-width:2;fill:none} svg .head{fill:#57606a} svg .peer{stroke:#8c959f;stroke-width:2;fill:none;stroke-dasharray:4 3}
svg .grid{stroke:#eaeef2} svg .line{fill:none;stroke-width:2} svg .spare{stroke:#0969da} svg .base{stroke:#cf222e;stroke-dasharray:6 4}
svg .spare-t{fill:#0969da} svg .base-t{fill:#cf222e}
svg .track{fill:#eaeef2} svg .bar.cost{fill:#0969da} svg .bar.lic{fill:#8250df} svg .bar.ok{fill:#2da44e} svg .bar.hot{fill:#cf222e}
"#;

fn money(v: Option<f64>) -> String {
    v.map_or("unpriced".into(), |v| format!("{v:.2}"))
}

/// The whole page.
/// The flow matrix: one row per flow of the catalogue, with how many of its paths do what
/// the architecture needs; the paths that do not are listed under it.
/// Each Windows pool's upgrade: the drain timeout and node soak it deploys, and the estimate
/// at its largest size against the window (the plan's `poolUpgrades`).
fn pool_upgrades_section(o: &mut String, s: &Spec, scale_out: &ScaleOutPlan) {
    use akswin_plan::pool_upgrade::Source;
    let upgrades = akswin_plan::pool_upgrade::plan(s, scale_out);
    if upgrades.is_empty() {
        return;
    }
    o.push_str("<h3>Windows pool upgrades</h3><p class=\"note\">Per batch of surge nodes: a new node Ready, the drained pods' replacements pulling their image there, then the soak before the next batch. Times in minutes, at the pool's maximum size.</p><table><tr><th>pool</th><th>nodes</th><th>batches</th><th>drain timeout</th><th>node soak</th><th>replacement pull</th><th>estimate</th><th>window</th></tr>");
    let source = |src: &Source, rec: u32| match src {
        Source::Spec => format!(" (spec; recommended {rec})"),
        Source::Recommended => " (recommended)".to_string(),
    };
    for u in &upgrades {
        let over = matches!((u.estimated_minutes, u.window_minutes), (Some(e), Some(w)) if e > f64::from(w));
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} \u{00d7} {}</td><td>{}{}</td><td>{}{}</td><td>{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&u.pool),
            u.max_nodes,
            u.batches,
            u.surge_nodes,
            u.drain_timeout_minutes,
            esc(&source(
                &u.drain_timeout_source,
                u.recommended_drain_timeout_minutes
            )),
            u.node_soak_minutes,
            esc(&source(
                &u.node_soak_source,
                u.recommended_node_soak_minutes
            )),
            match (&u.replacement_minutes, &u.slowest_workload) {
                (Some(m), Some(w)) => format!("{m:.1} ({})", esc(w)),
                (Some(m), None) => format!("{m:.1}"),
                _ => "unknown (no image size)".to_string(),
            },
            if over { " warning" } else { "" },
            u.estimated_minutes
                .map_or("unknown".to_string(), |e| format!("{e:.0}")),
            u.window_minutes
                .map_or("none".to_string(), |w| w.to_string()),
        );
    }
    o.push_str("</table>");
}

fn flows_section(o: &mut String, flows: &[ReportFlow]) {
    if flows.is_empty() {
        return;
    }
    let ok = flows.iter().filter(|f| f.ok).count();
    let _ = write!(
        o,
        "<h2 id=\"flows-h\">Flows</h2><p class=\"note\">Every flow the architecture needs (or must refuse), walked through the network the templates deploy: routes, NSGs and firewall rules. {ok} of {} paths as needed.</p><table><tr><th>flow</th><th>from</th><th>to</th><th>paths</th><th>result</th></tr>",
        flows.len()
    );
    let mut ids: Vec<&str> = flows.iter().map(|f| f.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let mine: Vec<&ReportFlow> = flows.iter().filter(|f| f.id == id).collect();
        let good = mine.iter().filter(|f| f.ok).count();
        let mut froms: Vec<&str> = mine.iter().map(|f| f.from.as_str()).collect();
        froms.dedup();
        let first = mine.first().map_or("", |f| f.to.as_str());
        let deny = mine.first().is_some_and(|f| f.expect == "deny");
        // Flows an existing hub's platform team decides count as met, and say so.
        let platform = mine
            .iter()
            .any(|f| f.outcome.starts_with("the platform team's"));
        let (class, result) = match (good == mine.len(), deny) {
            (true, false) if platform => ("", "the platform team's (existing hub)"),
            (true, false) => ("", "allowed"),
            (true, true) => ("", "refused, as required"),
            (false, _) => ("warning", "see below"),
        };
        let _ = write!(
            o,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}{}</td><td class=\"n\">{good}/{}</td><td>{result}</td></tr>",
            esc(id),
            esc(&froms.join("; ")),
            esc(first),
            if mine.len() > 1 { " &#8230;" } else { "" },
            mine.len()
        );
        for f in mine.iter().filter(|f| !f.ok).take(5) {
            let _ = write!(
                o,
                "<tr class=\"warning\"><td></td><td colspan=\"4\">{} &#8594; {}: {}</td></tr>",
                esc(&f.from),
                esc(&f.to),
                esc(&f.outcome)
            );
        }
    }
    o.push_str("</table>");
}

pub fn html(r: &ReportInput<'_>) -> String {
    let s = r.spec;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>akswin report: {}</title><style>{BASE_CSS}{SVG_CSS}</style></head><body>",
        esc(&s.name)
    );
    let _ = write!(
        o,
        "<h1>akswin planning report: {} ({})</h1><p class=\"meta\">From {} · akswin {} · as of {} · every number here is also in <code>akswin report --format json</code></p>",
        esc(&s.name),
        esc(s.location.as_str()),
        esc(r.source),
        esc(r.version),
        esc(r.today)
    );
    let count = |sev: &str| r.findings.iter().filter(|f| f.severity == sev).count();
    let missed = r
        .scale_out
        .workloads
        .iter()
        .filter(|w| w.meets_target == Some(false))
        .count();
    let not_modelled = r.scale_out.skipped.len();
    let windows_workloads = s.workloads.iter().filter(|w| w.os == Os::Windows).count();
    let with_target = s
        .workloads
        .iter()
        .filter(|w| w.os == Os::Windows && w.scale_out_target_minutes.is_some())
        .count();
    let _ = write!(
        o,
        "<div class=\"cards\"><div class=\"card\">Monthly cost, expected<b>{:.2} {}</b><span class=\"note\">{:.2} at min · {:.2} at max{}{}</span></div><div class=\"card\">Windows licences of the pools<b>{} / month</b><span class=\"note\">Hybrid Benefit {}</span></div><div class=\"card\">Scale-out targets<b>{} missed</b><span class=\"note\">of {} with a target; {} Windows workloads, {} not modelled</span></div><div class=\"card\">Findings<b>{} E · {} W · {} I</b><span class=\"note\">akswin check</span></div></div>",
        r.cost.total_monthly,
        esc(&r.cost.currency),
        r.cost.total_monthly_at_min,
        r.cost.total_monthly_at_max,
        if r.cost.unpriced.is_empty() {
            String::new()
        } else {
            format!("<br/>+ {} unpriced", r.cost.unpriced.len())
        },
        if r.cost.priced_from_another_region.is_empty() {
            String::new()
        } else {
            format!(
                "<br/>{} lines at {} prices",
                r.cost.priced_from_another_region.len(),
                esc(&r.cost.embedded_price_region)
            )
        },
        money(r.cost.windows_licence.as_specified_monthly),
        if r.cost.windows_licence.azure_hybrid_benefit {
            "on"
        } else {
            "off"
        },
        missed,
        with_target,
        windows_workloads,
        not_modelled,
        count("error"),
        count("warning"),
        count("info")
    );

    o.push_str("<h2 id=\"topology-h\">Topology</h2><p class=\"note\">Subnet rows: prefix, Azure name, utilisation at max + surge (bar: green below 80 %, red above), and what lives there. Blue: Windows pools; green: Linux pools; red: firewall; purple: domain controllers; yellow: load balancing. Dashed lines: VNet peerings to the hub.</p><div class=\"scroll\">");
    o.push_str(&topology_svg(s, r.network));
    o.push_str("</div>");

    // Flows.
    flows_section(&mut o, r.flows);

    // Scale-out.
    o.push_str("<h2>Scale-out</h2>");
    if r.scale_out.workloads.is_empty() {
        o.push_str("<p>No Windows workload the model can size.</p>");
    }
    for w in &r.scale_out.workloads {
        let _ = write!(
            o,
            "<p><b>{}</b> on pool {} ({}): {} pods per node ({}-bound), {} running, burst +{}; node Ready {} min <span class=\"note\">[{}]</span>; pull {} MiB/s <span class=\"note\">[{}]</span>; image {}.</p>",
            esc(&w.workload),
            esc(&w.pool),
            esc(&w.vm_size),
            w.pods_per_node,
            w.pods_per_node_limit,
            w.replicas,
            w.add_replicas,
            w.node_ready_minutes.value,
            esc(&w.node_ready_minutes.source),
            w.pull_throughput_mi_bps.value,
            esc(&w.pull_throughput_mi_bps.source),
            w.image_size_gi_b.map_or("size unknown".into(), |g| format!(
                "{g} GiB, {} min to pull{}",
                w.pull_minutes.unwrap_or(0.0),
                w.extract_minutes
                    .map(|x| format!(" + {x} min to extract"))
                    .unwrap_or_default()
            ))
        );
        o.push_str("<table><tr><th>plan</th><th>nodes</th><th>added</th><th>minutes</th><th>note</th></tr>");
        for sc in &w.scenarios {
            let _ = write!(
                o,
                "<tr><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&sc.label),
                if sc.id == w.configured {
                    " <b>(configured)</b>"
                } else {
                    ""
                },
                sc.nodes_before,
                sc.nodes_added,
                sc.minutes.map_or("cannot".into(), |m| format!("{m:.1}")),
                esc(&sc.note)
            );
        }
        o.push_str("</table>");
        if let Some(v) = w.verdict() {
            let class = if w.meets_target == Some(false) {
                "warning"
            } else {
                ""
            };
            let _ = write!(o, "<p class=\"{class}\">{}</p>", esc(&v));
        }
    }
    for sk in &r.scale_out.skipped {
        let _ = write!(
            o,
            "<p>{}: not modelled: {}</p>",
            esc(&sk.workload),
            esc(&sk.reason)
        );
    }
    let _ = write!(
        o,
        "<p class=\"note\">Assumptions: {}.</p>",
        esc(&r.scale_out.assumptions.join("; "))
    );

    // Hot spare.
    o.push_str("<h2>Nodes over the week</h2>");
    match r.hot_spare {
        Some(hs) => {
            let _ = write!(
                o,
                "<p>Pool {}: {} nodes off peak, {} at peak; the plan adds {:.1} node-hours a week ({:.1} a month).</p><div class=\"scroll\">{}</div><table><tr><th>action</th><th>nodes</th><th>at (local)</th><th>time zone</th><th>days</th></tr>",
                esc(&hs.pool),
                hs.off_peak_nodes,
                hs.peak_nodes,
                hs.added_node_hours_per_week,
                hs.added_node_hours_per_month,
                week_chart_svg(hs)
            );
            for a in &hs.schedule {
                let days: Vec<String> = a.days.iter().map(|d| format!("{d:?}")).collect();
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    a.action,
                    a.nodes,
                    esc(&a.at),
                    esc(&a.timezone),
                    days.join(", ")
                );
            }
            o.push_str("</table>");
        }
        None => o.push_str("<p>No hot-spare plan (<code>scaling.hotSpare</code>).</p>"),
    }

    // Cost.
    let _ = write!(
        o,
        "<h2>Monthly cost ({})</h2><div class=\"scroll\">{}</div><table><tr><th>component</th><th>expected</th><th>at min</th><th>at max</th><th>quantity</th><th>note</th></tr>",
        esc(&r.cost.currency),
        cost_chart_svg(r.cost)
    );
    for l in &r.cost.lines {
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"note\">{}</td></tr>",
            esc(&l.component),
            money(l.monthly),
            money(l.monthly_at_min.or(l.monthly)),
            money(l.monthly_at_max.or(l.monthly)),
            esc(&l.quantity),
            esc(&l.note)
        );
    }
    let _ = write!(
        o,
        "<tr><th>total (priced lines)</th><th class=\"n\">{:.2}</th><th class=\"n\">{:.2}</th><th class=\"n\">{:.2}</th><th></th><th></th></tr></table>",
        r.cost.total_monthly, r.cost.total_monthly_at_min, r.cost.total_monthly_at_max
    );
    o.push_str("<details><summary>price sources</summary><table><tr><th>component</th><th>price</th><th>source</th></tr>");
    for l in &r.cost.lines {
        for p in &l.prices {
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{} {} per {}{}</td><td class=\"note\">{}</td></tr>",
                esc(&l.component),
                p.unit_price,
                esc(&p.currency),
                esc(&p.unit),
                if p.confirmed { "" } else { " (unconfirmed)" },
                esc(&p.source)
            );
        }
    }
    o.push_str("</table></details>");
    let wl = &r.cost.windows_licence;
    let _ = write!(
        o,
        "<p>Windows licences of the pools: {} pay-as-you-go, {:.2} with Azure Hybrid Benefit (now {}); domain controllers: {}.</p>",
        money(wl.payg_monthly),
        wl.with_hybrid_benefit_monthly,
        if wl.azure_hybrid_benefit { "on" } else { "off" },
        money(wl.domain_controllers_monthly)
    );
    if !r.cost.unpriced.is_empty() {
        let _ = write!(
            o,
            "<p class=\"warning\">Unpriced (no sourced price; left out of the totals; pass --prices): {}</p>",
            esc(&r.cost.unpriced.join(", "))
        );
    }
    for w in &r.cost.warnings {
        let _ = write!(o, "<p class=\"note\">Note: {}</p>", esc(w));
    }
    let _ = write!(
        o,
        "<p class=\"note\">Not modelled: {}.</p>",
        esc(&r.cost.not_modelled.join("; "))
    );

    // Subnet headroom.
    let _ = write!(
        o,
        "<h2>Subnet headroom</h2><div class=\"scroll\">{}</div>",
        headroom_chart_svg(r.network)
    );

    // Calendar.
    o.push_str("<h2>Windows node image upgrade calendar</h2>");
    match r.calendar {
        Some(cal) => {
            let _ = write!(
                o,
                "<p>Order in each window: control plane first, then the Linux pools, then the Windows pools (node OS channel {:?}).</p><table><tr><th>local start</th><th>UTC start</th><th>UTC end</th><th>Patch Tuesday</th><th>days after</th></tr>",
                s.upgrades.node_os_channel
            );
            for w in &cal.windows {
                let note = w.patch_note();
                let _ = write!(
                    o,
                    "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n{}\">{:+}{}</td></tr>",
                    w.local_start.format("%a %Y-%m-%d %H:%M"),
                    esc(&w.utc_offset),
                    w.utc_start.format("%Y-%m-%d %H:%M"),
                    w.utc_end.format("%Y-%m-%d %H:%M"),
                    w.patch_tuesday.format("%a %Y-%m-%d"),
                    if note.is_some() { " warning" } else { "" },
                    w.days_after_patch_tuesday,
                    note.map(|n| format!(" ({})", esc(n))).unwrap_or_default()
                );
            }
            o.push_str("</table>");
            if let Some(n) = &cal.interval_note {
                let _ = write!(o, "<p class=\"note\">{}</p>", esc(n));
            }
        }
        None => o.push_str(
            "<p>No Windows node image window (<code>upgrades.windowsNodeImage</code>).</p>",
        ),
    }
    pool_upgrades_section(&mut o, s, r.scale_out);

    // Findings.
    let _ = write!(o, "<h2>Findings ({})</h2>", r.findings.len());
    if r.findings.is_empty() {
        o.push_str("<p>None.</p>");
    } else {
        o.push_str("<table><tr><th>code</th><th>severity</th><th>where</th><th>finding</th></tr>");
        for f in r.findings {
            let _ = write!(
                o,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}{}<details><summary>explanation</summary><pre>{}</pre></details></td></tr>",
                esc(&f.code),
                esc(&f.severity),
                esc(&f.severity),
                esc(&f.location),
                esc(&f.message),
                f.help
                    .as_ref()
                    .map(|h| format!("<br/><span class=\"note\">help: {}</span>", esc(h)))
                    .unwrap_or_default(),
                esc(&f.explanation)
            );
        }
        o.push_str("</table>");
    }
    o.push_str("</body></html>\n");
    o
}
