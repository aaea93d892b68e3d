//! Values with their own syntax are refused where they are written, when the spec loads.

#![allow(clippy::expect_used, clippy::unwrap_used)]

#[test]
fn an_unknown_time_zone_is_refused_at_its_field() {
    let text = akswin_spec::BASELINE_YAML.replace("America/New_York", "Eastern/Standard");
    assert_ne!(text, akswin_spec::BASELINE_YAML);
    let e = akswin_spec::load("s.yaml", text.as_bytes()).expect_err("unknown zone");
    let f = &e.findings[0];
    assert_eq!(f.code, "SPEC003");
    assert_eq!(f.pointer, "/scaling/hotSpare/peaks/0/timezone");
    assert!(
        f.message
            .contains("`Eastern/Standard` is not an IANA time zone"),
        "{}",
        f.message
    );
    let line = text
        .lines()
        .position(|l| l.contains("Eastern/Standard"))
        .map(|i| i as u32 + 1);
    assert_eq!(f.span.map(|s| s.line), line);
}

#[test]
fn time_zones_round_trip_by_name() {
    let tz: akswin_spec::types::TimeZone = "Europe/Berlin".parse().expect("zone");
    assert_eq!(tz.to_string(), "Europe/Berlin");
    assert_eq!(
        serde_json::to_string(&tz).expect("json"),
        "\"Europe/Berlin\""
    );
    assert!("UTC".parse::<akswin_spec::types::TimeZone>().is_ok());
    assert!(
        "Mars/Olympus"
            .parse::<akswin_spec::types::TimeZone>()
            .is_err()
    );
}

#[test]
fn the_price_source_is_the_embedded_table_or_a_file() {
    use akswin_spec::types::PriceSource;
    assert_eq!("embedded".parse::<PriceSource>(), Ok(PriceSource::Embedded));
    assert_eq!(
        "prices/eastus2.json".parse::<PriceSource>(),
        Ok(PriceSource::File("prices/eastus2.json".into()))
    );
    assert!("".parse::<PriceSource>().is_err());
    let text = akswin_spec::BASELINE_YAML.replace("prices: embedded", "prices: \"\"");
    assert_ne!(text, akswin_spec::BASELINE_YAML);
    let e = akswin_spec::load("s.yaml", text.as_bytes()).expect_err("empty source");
    assert_eq!(
        (e.findings[0].code.as_str(), e.findings[0].pointer.as_str()),
        ("SPEC003", "/cost/prices")
    );
}
