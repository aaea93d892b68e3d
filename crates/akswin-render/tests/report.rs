//! The planning report: well-formed, self-contained, its SVG matches the plan (one box per
//! subnet, labelled with its prefix), and no two labels overlap, on the baseline and on a
//! landing zone of 20 spokes.

use akswin_plan::NetworkPlan;
use akswin_render::report::{self, FONT, ReportFinding, ReportInput};

/// The advance of one glyph of the report's monospace fonts (DejaVu Sans Mono and Menlo:
/// 1233/2048 em), measured independently of the layout's own `CHAR_W` so a layout that budgets
/// too little per character fails here.
const ADVANCE: f64 = 1233.0 / 2048.0 * FONT;
use akswin_spec::Spec;

fn baseline() -> Spec {
    akswin_spec::load("b", akswin_spec::BASELINE_YAML.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings))
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

/// The baseline's hub and 20 spokes, each spoke planned for real from the baseline's spoke with
/// its own /16 (10.32.0.0/16 ... 10.51.0.0/16, clear of the baseline's on-premises 10.0.0.0/12).
fn twenty_spokes() -> (Spec, NetworkPlan) {
    let spec = baseline();
    let mut plan = akswin_plan::plan(&spec);
    plan.vnets.truncate(1);
    for i in 0..20 {
        let mut s = spec.clone();
        s.network.spoke.address_space = vec![
            format!("10.{}.0.0/16", 32 + i)
                .parse()
                .unwrap_or_else(|e| panic!("{e:?}")),
        ];
        let mut p = akswin_plan::plan(&s);
        let mut spoke = p.vnets.remove(1);
        assert!(
            spoke.subnets.iter().all(|s| s.prefix.is_some()),
            "spoke {i} placed"
        );
        spoke.name = format!("spoke-{:02}-app{}", i + 1, i % 3);
        plan.vnets.push(spoke);
    }
    (spec, plan)
}

/// Flows as the pipeline reports them: one allowed, one dropped (with text to escape).
fn sample_flows() -> Vec<report::ReportFlow> {
    let flow = |id: &str, to: &str, outcome: &str, ok: bool| report::ReportFlow {
        id: id.into(),
        from: "appProxyConnectors snet-app-proxy-connectors (10.240.5.48/28)".into(),
        to: to.into(),
        expect: "allow".into(),
        outcome: outcome.into(),
        ok,
    };
    vec![
        flow(
            "connectors-service",
            "*.msappproxy.net Https 443",
            "allowed: a > b",
            true,
        ),
        flow(
            "connectors-service",
            "*.servicebus.windows.net Https 443",
            "dropped at firewall: no rule <allows> it & more",
            false,
        ),
    ]
}

fn page(spec: &Spec, net: &NetworkPlan, findings: &[ReportFinding]) -> String {
    let scale = akswin_rules::scale_out(spec);
    let cost = akswin_rules::cost(spec, &akswin_plan::cost::PriceBook::embedded(), today());
    let hs = spec
        .scaling
        .hot_spare
        .as_ref()
        .map(|h| akswin_plan::hot_spare::plan(h, today()));
    let cal = spec
        .upgrades
        .windows_node_image
        .as_ref()
        .map(|w| akswin_plan::calendar::upcoming(w, today(), 12));
    report::html(&ReportInput {
        spec,
        network: net,
        scale_out: &scale,
        cost: &cost,
        hot_spare: hs.as_ref(),
        calendar: cal.as_ref(),
        findings,
        flows: &sample_flows(),
        source: "<baseline>",
        version: "test",
        today: "2026-11-26",
    })
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"))
}

#[test]
fn report_is_well_formed_and_self_contained() {
    let spec = baseline();
    let net = akswin_plan::plan(&spec);
    let findings = vec![ReportFinding {
        code: "COST001".into(),
        severity: "info".into(),
        message: "a <message> with & and \"quotes\"".into(),
        location: "<baseline>:75:25 /cluster".into(),
        help: Some("see https://learn.microsoft.com/azure/aks/azure-hybrid-benefit".into()),
        explanation: "## What it checks\n<b>not markup</b>".into(),
    }];
    let html = page(&spec, &net, &findings);
    let doc = parse(&html);
    let mut elements = 0;
    for n in doc.descendants().filter(|n| n.is_element()) {
        elements += 1;
        let name = n.tag_name().name();
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "image", "use", "audio",
                "video", "source", "base", "form"
            ]
            .contains(&name),
            "external-capable element <{name}>"
        );
        for a in n.attributes() {
            let (k, v) = (a.name(), a.value());
            assert!(
                k != "src" && k != "srcset" && k != "action",
                "attribute {k}"
            );
            if k == "href" {
                assert!(v.starts_with('#'), "href {v}");
            }
            assert!(!v.contains("url("), "{k}={v}");
            assert!(!k.starts_with("on"), "event handler {k}");
        }
        if name == "style" {
            let css = n.text().unwrap_or("");
            assert!(!css.contains("url(") && !css.contains("@import"), "css");
        }
    }
    assert!(elements > 200, "{elements}");
    // Text from the inputs is escaped, not markup.
    assert!(html.contains("a &lt;message&gt; with &amp; and &quot;quotes&quot;"));
    assert!(!html.contains("<b>not markup</b>"));
    // Every section is there.
    for h in [
        "Topology",
        "Scale-out",
        "Nodes over the week",
        "Monthly cost (USD)",
        "Subnet headroom",
        "Windows node image upgrade calendar",
        "Findings (1)",
    ] {
        assert!(
            doc.descendants()
                .any(|n| n.has_tag_name("h2") && n.text().is_some_and(|t| t.starts_with(h))),
            "section {h}"
        );
    }
    for id in ["topology", "week-chart", "cost-chart", "headroom-chart"] {
        assert!(
            doc.descendants().any(|n| n.attribute("id") == Some(id)),
            "svg {id}"
        );
    }
}

#[test]
fn the_page_shows_the_numbers_of_the_json() {
    let spec = baseline();
    let net = akswin_plan::plan(&spec);
    let html = page(&spec, &net, &[]);
    let cost = akswin_rules::cost(&spec, &akswin_plan::cost::PriceBook::embedded(), today());
    for l in &cost.lines {
        let shown = l
            .monthly
            .map_or("unpriced".to_string(), |v| format!("{v:.2}"));
        assert!(
            html.contains(&format!("<td class=\"n\">{shown}</td>")),
            "{}: {shown}",
            l.component
        );
    }
    for total in [
        cost.total_monthly,
        cost.total_monthly_at_min,
        cost.total_monthly_at_max,
    ] {
        assert!(html.contains(&format!("{total:.2}")), "{total}");
    }
    let scale = akswin_rules::scale_out(&spec);
    for w in &scale.workloads {
        for sc in &w.scenarios {
            let m = sc
                .minutes
                .map_or("cannot".to_string(), |m| format!("{m:.1}"));
            assert!(
                html.contains(&format!("<td class=\"n\">{m}</td>")),
                "{} {m}",
                sc.id
            );
        }
    }
    if let Some(hs) = &spec.scaling.hot_spare {
        let week = akswin_plan::hot_spare::plan(hs, today());
        assert!(html.contains(&format!(
            "{:.1} node-hours a week",
            week.added_node_hours_per_week
        )));
    }
    if let Some(w) = &spec.upgrades.windows_node_image {
        for o in akswin_plan::calendar::upcoming(w, today(), 12).windows {
            assert!(html.contains(&o.utc_start.format("%Y-%m-%d %H:%M").to_string()));
        }
    }
    // each Windows pool's upgrade, with the numbers of the plan's poolUpgrades
    let upgrades = akswin_plan::pool_upgrade::plan(&spec, &scale);
    assert!(!upgrades.is_empty());
    for u in &upgrades {
        let estimate = u
            .estimated_minutes
            .map_or("unknown".into(), |e| format!("{e:.0}"));
        assert!(
            html.contains(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td>",
                u.pool, u.max_nodes
            )) && html.contains(&format!("<td>{} (", u.drain_timeout_minutes))
                && html.contains(&format!(">{estimate}</td>")),
            "{}",
            u.pool
        );
    }
}

#[test]
fn topology_has_one_box_per_subnet_labelled_with_its_prefix() {
    let spec = baseline();
    let net = akswin_plan::plan(&spec);
    let svg = report::topology_svg(&spec, &net);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("SVG: {e}"));
    let groups: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("subnet"))
        .collect();
    let planned: Vec<_> = net.vnets.iter().flat_map(|v| &v.subnets).collect();
    assert_eq!(groups.len(), planned.len());
    for (g, s) in groups.iter().zip(&planned) {
        let prefix = s.prefix.map(|p| p.to_string()).unwrap_or_default();
        assert_eq!(g.attribute("data-prefix"), Some(prefix.as_str()));
        assert_eq!(g.attribute("data-subnet"), Some(s.azure_name.as_str()));
        assert_eq!(
            g.children().filter(|c| c.has_tag_name("rect")).count(),
            if s.demand.at_max_surge > 0 { 2 } else { 1 },
            "{}: one box (and its utilisation bar)",
            s.azure_name
        );
        let label = g
            .descendants()
            .find(|c| c.has_tag_name("text"))
            .and_then(|t| t.text())
            .unwrap_or("");
        assert!(label.starts_with(&prefix), "{label}");
    }
    // One box per VNet, and the firewall, DCs and internal LB addresses are drawn.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("vnet"))
            .count(),
        2
    );
    for ip in [
        net.addresses.firewall_private_ip.map(|i| i.to_string()),
        net.addresses
            .domain_controller_ips
            .first()
            .map(|i| i.to_string()),
        net.addresses
            .internal_load_balancer_ip
            .map(|i| i.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(svg.contains(&ip), "{ip}");
    }
}

#[derive(Debug, Clone, Copy)]
struct Box2 {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Box2 {
    fn overlaps(&self, o: &Box2) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    fn inside(&self, o: &Box2) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

fn num(n: roxmltree::Node<'_, '_>, a: &str) -> f64 {
    n.attribute(a)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{a} of {n:?}"))
}

/// The box a text occupies: its characters at the widest monospace advance, from the baseline
/// up by the font's ascent and down by its descent (DejaVu Sans Mono's hhea metrics: 0.928 and
/// 0.236 em; other monospace fallbacks are smaller).
fn text_box(t: roxmltree::Node<'_, '_>) -> (String, Box2) {
    let s: String = t
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect();
    let w = s.chars().count() as f64 * ADVANCE;
    let (x, y) = (num(t, "x"), num(t, "y"));
    let x0 = if t.attribute("text-anchor") == Some("end") {
        x - w
    } else {
        x
    };
    (
        s,
        Box2 {
            x0,
            y0: y - 0.93 * FONT,
            x1: x0 + w,
            y1: y + 0.24 * FONT,
        },
    )
}

fn rect_box(r: roxmltree::Node<'_, '_>) -> Box2 {
    let (x, y) = (num(r, "x"), num(r, "y"));
    Box2 {
        x0: x,
        y0: y,
        x1: x + num(r, "width"),
        y1: y + num(r, "height"),
    }
}

fn assert_no_overlap(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG: {e}"));
    let texts: Vec<(String, Box2)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(text_box)
        .collect();
    for (i, (a, ba)) in texts.iter().enumerate() {
        for (b, bb) in &texts[i + 1..] {
            assert!(
                !ba.overlaps(bb),
                "labels overlap: {a:?} {ba:?} and {b:?} {bb:?}"
            );
        }
    }
    // Labels inside a subnet stay inside its box.
    for g in doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("subnet"))
    {
        let Some(r) = g.children().find(|c| c.has_tag_name("rect")) else {
            panic!("subnet without a box");
        };
        let rb = rect_box(r);
        for t in g.children().filter(|c| c.has_tag_name("text")) {
            let (s, tb) = text_box(t);
            assert!(tb.inside(&rb), "{s:?} {tb:?} leaves its subnet box {rb:?}");
        }
    }
    texts.len()
}

#[test]
fn no_labels_overlap_on_the_baseline_or_twenty_spokes() {
    let spec = baseline();
    let net = akswin_plan::plan(&spec);
    assert!(assert_no_overlap(&report::topology_svg(&spec, &net)) > 20);
    assert!(assert_no_overlap(&report::headroom_chart_svg(&net)) > 10);
    let (spec20, net20) = twenty_spokes();
    assert_eq!(net20.vnets.len(), 21);
    let svg = report::topology_svg(&spec20, &net20);
    let n = assert_no_overlap(&svg);
    assert!(n > 21 * 4, "{n}");
    assert_no_overlap(&report::headroom_chart_svg(&net20));
    let cost = akswin_rules::cost(&spec, &akswin_plan::cost::PriceBook::embedded(), today());
    assert_no_overlap(&report::cost_chart_svg(&cost));
    if let Some(hs) = &spec.scaling.hot_spare {
        assert_no_overlap(&report::week_chart_svg(&akswin_plan::hot_spare::plan(
            hs,
            today(),
        )));
    }
    // The example landing zone: akswin's spoke and 19 peered spokes, from a spec file.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/landing-zone-20-spokes.yaml"
    ))
    .unwrap_or_else(|e| panic!("example: {e}"));
    let lz = akswin_spec::load("lz.yaml", text.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings));
    let lz_net = akswin_plan::plan(&lz);
    assert_eq!(lz_net.vnets.len(), 21);
    assert_eq!(lz_net.vnets.iter().filter(|v| v.existing).count(), 19);
    let lz_svg = report::topology_svg(&lz, &lz_net);
    assert_no_overlap(&lz_svg);
    let doc = roxmltree::Document::parse(&lz_svg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("subnet"))
            .count(),
        lz_net.vnets.iter().map(|v| v.subnets.len()).sum::<usize>()
    );
    // The whole 20-spoke page parses too; AKSWIN_REPORT_OUT=DIR keeps it for a screenshot.
    let html = page(&spec20, &net20, &[]);
    parse(&html);
    if let Some(dir) = std::env::var_os("AKSWIN_REPORT_OUT") {
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::write(dir.join("report-20-spokes.html"), &html);
        let _ = std::fs::write(dir.join("report-baseline.html"), page(&spec, &net, &[]));
        let _ = std::fs::write(
            dir.join("report-landing-zone.html"),
            page(&lz, &lz_net, &[]),
        );
    }
}

#[test]
fn the_flow_matrix_shows_each_flow_and_the_paths_that_fail() {
    let spec = baseline();
    let net = akswin_plan::plan(&spec);
    let html = page(&spec, &net, &[]);
    let doc = parse(&html);
    assert!(
        doc.descendants()
            .any(|n| n.attribute("id") == Some("flows-h"))
    );
    let rows: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|n| n.descendants().filter_map(|t| t.text()).collect::<String>())
        .filter(|t| t.contains("connectors-service") || t.contains("servicebus"))
        .collect();
    // One row for the flow (1 of its 2 paths as needed), one for the dropped path, escaped.
    assert!(
        rows.iter()
            .any(|r| r.contains("connectors-service") && r.contains("1/2")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("no rule <allows> it & more")),
        "{rows:?}"
    );
    assert!(html.contains("1 of 2 paths as needed"));
}

#[test]
fn on_premises_is_drawn_outside_the_hub_with_its_domain_controllers_and_connection() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/hybrid-vpn-existing-dcs.yaml"
    ))
    .unwrap_or_else(|e| panic!("scenario: {e}"));
    let spec = akswin_spec::load("h.yaml", text.as_bytes())
        .map(|l| l.spec)
        .unwrap_or_else(|e| panic!("{:?}", e.findings));
    let net = akswin_plan::plan(&spec);
    let svg = report::topology_svg(&spec, &net);
    assert_no_overlap(&svg);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let texts = |n: roxmltree::Node<'_, '_>| -> String {
        n.descendants()
            .filter_map(|t| t.text())
            .collect::<Vec<_>>()
            .join("|")
    };
    let onprem: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("onprem"))
        .collect();
    assert_eq!(onprem.len(), 1);
    let site = texts(onprem[0]);
    assert!(site.contains("10.1.0.4, 10.1.0.5"), "{site}");
    assert!(
        site.contains("site-to-site VPN to vgw-contoso-legacy"),
        "{site}"
    );
    // The hub holds the gateway, not the on-premises domain controllers.
    let hub = doc
        .descendants()
        .find(|n| n.attribute("data-vnet") == Some("hub"))
        .unwrap_or_else(|| panic!("hub box"));
    let hub_text = texts(hub);
    assert!(
        hub_text.contains("VPN gateway vgw-contoso-legacy (VpnGw1AZ)"),
        "{hub_text}"
    );
    assert!(!hub_text.contains("10.1.0.4"), "{hub_text}");
    // A line joins the on-premises box to the hub only when a gateway connects them.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("hybrid"))
            .count(),
        1
    );
    let mut base = baseline();
    base.network.hybrid = None;
    let base_svg = report::topology_svg(&base, &akswin_plan::plan(&base));
    let doc = roxmltree::Document::parse(&base_svg).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        doc.descendants()
            .all(|n| n.attribute("class") != Some("hybrid"))
    );
    assert!(base_svg.contains("not connected"));
}

#[test]
fn the_ingress_paths_draw_only_the_workloads_users_reach() {
    let mut spec = baseline();
    let mut api = spec.workloads[0].clone();
    api.name = "api".into();
    api.os = akswin_spec::spec::Os::Linux;
    api.pool = Some("linux".into());
    api.image = "contosoacr.azurecr.io/api:1.0".into();
    api.auth = akswin_spec::spec::AuthMode::None;
    api.gmsa_account = None;
    api.run_as = None;
    api.port = Some(8080);
    api.host = None;
    spec.workloads.push(api);
    let net = akswin_plan::plan(&spec);
    let svg = report::topology_svg(&spec, &net);
    assert!(svg.contains("legacyweb x3"), "{svg}");
    // Two workloads with ports and no host for the second: it is internal, drawn on no path.
    assert!(!svg.contains("api x"), "{svg}");
    assert!(
        svg.contains("Not published, reached only inside the network: api ("),
        "{svg}"
    );
}
