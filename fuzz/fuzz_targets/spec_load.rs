//! Any bytes: the loader returns a spec or input-error findings, never panics; a spec that
//! loads goes through the planner (with the calendar, hot-spare, scale-out and cost models, and the HTML report), every rule and
//! every output view, which must not panic either; a spec without error findings renders, and
//! akswin's own ARM expression check finds nothing wrong in what it rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    match akswin_spec::load("fuzz.yaml", data) {
        Ok(loaded) => {
            let plan = akswin_plan::plan(&loaded.spec);
            // the plan's time models, at both ends of the dates `--today` accepts
            for day in [(1900, 1, 1), (2026, 11, 26), (9999, 12, 31)] {
                let d = chrono::NaiveDate::from_ymd_opt(day.0, day.1, day.2).expect("date");
                if let Some(w) = &loaded.spec.upgrades.windows_node_image {
                    let _ = akswin_plan::calendar::upcoming(w, d, 12);
                }
                if let Some(hs) = &loaded.spec.scaling.hot_spare {
                    let _ = akswin_plan::hot_spare::plan(hs, d);
                }
                let _ = akswin_plan::resolve::cost(&loaded.spec, &akswin_plan::cost::PriceBook::embedded(), d);
            }
            let scale = akswin_plan::resolve::scale_out(&loaded.spec);
            let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
            let cost = akswin_plan::resolve::cost(&loaded.spec, &akswin_plan::cost::PriceBook::embedded(), day);
            let html = akswin_render::report::html(&akswin_render::report::ReportInput {
                spec: &loaded.spec,
                network: &plan,
                scale_out: &scale,
                cost: &cost,
                hot_spare: None,
                calendar: None,
                findings: &[],
                flows: &[],
                source: "fuzz.yaml",
                version: "fuzz",
                today: "2026-11-26",
            });
            assert!(html.ends_with("</html>\n"));
            // The CLI's pipeline: rules, then the render verified in memory. A spec that
            // checks clean must yield the verified tree, and akswin's own checks must pass it.
            let checked = akswin_pipeline::check(&loaded, today, "fuzz");
            assert_eq!(checked.plan, plan, "check plans what plan plans");
            let findings = checked.findings.clone();
            let clean = !findings.iter().any(|f| f.severity == akswin_diag::Severity::Error);
            assert_eq!(clean, checked.tree.is_some(), "clean exactly when a verified tree exists");
            if let Some(tree) = &checked.tree {
                assert!(akswin_pipeline::verify(&loaded, &checked.plan, tree).is_empty());
                // render --plan: the artifact, through JSON, renders the same bytes.
                let art = akswin_pipeline::artifact::PlanArtifact::new(&loaded, &checked, today, serde_json::Value::Null, "fuzz");
                let json = serde_json::to_string(&art).expect("artifact serialises");
                let back = akswin_pipeline::artifact::PlanArtifact::from_json(&json).expect("artifact reads back");
                let again = akswin_pipeline::artifact::render_artifact(&back, "fuzz").expect("plan renders");
                assert_eq!(&again, tree, "render --plan differs from render SPEC");
            }
            let report = akswin_diag::Report::new(loaded.source.clone(), findings);
            let _ = akswin_diag::render::human(&report, Default::default());
            let mut metas = akswin_rules::metas();
            metas.extend(akswin_pipeline::metas());
            let _ = akswin_diag::render::sarif(&report, &metas, "fuzz");
        }
        Err(e) => {
            assert!(!e.findings.is_empty(), "a load error carries at least one finding");
            let report = akswin_diag::Report::new(e.input, e.findings);
            let _ = akswin_diag::render::human(&report, Default::default());
        }
    }
});
