//! The Kubernetes API server's value grammars (apimachinery's validation): names, labels,
//! port names, quantities. Each returns what is wrong, for the finding's message.

/// A grammar: Ok, or what the value must be.
pub type Grammar = fn(&str) -> Result<(), String>;

fn label_chars(s: &str, extra: &[char]) -> bool {
    s.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || extra.contains(&c))
}

fn alnum_ends(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// RFC 1123 label: at most 63 lowercase letters, digits and `-`, alphanumeric at both ends.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.is_empty() || s.len() > 63 || !label_chars(s, &[]) || !alnum_ends(s) {
        return Err("an RFC 1123 label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// RFC 1123 subdomain: at most 253 characters, dot-separated RFC 1123 labels.
pub fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty()
        || s.len() > 253
        || !label_chars(s, &['.'])
        || s.split('.').any(|l| l.is_empty() || !alnum_ends(l))
    {
        return Err("an RFC 1123 subdomain: at most 253 lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// RFC 1035 label (Service names): an RFC 1123 label that starts with a letter.
pub fn dns1035_label(s: &str) -> Result<(), String> {
    if dns1123_label(s).is_err() || !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("an RFC 1035 label: at most 63 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit".into());
    }
    Ok(())
}

fn qualified_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at
/// most 63 letters, digits, `-`, `_` and `.`, alphanumeric at both ends.
pub fn qualified_name(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if prefix.is_some_and(|p| dns1123_subdomain(p).is_err()) || !qualified_name_part(name) {
        return Err("a qualified name: an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// A label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, alphanumeric at
/// both ends.
pub fn label_value(s: &str) -> Result<(), String> {
    if !s.is_empty() && !qualified_name_part(s) {
        return Err("a label value: at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".into());
    }
    Ok(())
}

/// An IANA service name (named ports): at most 15 lowercase letters, digits and `-`, at least
/// one letter, no `-` at either end and no `--`.
pub fn iana_svc_name(s: &str) -> Result<(), String> {
    if s.is_empty()
        || s.len() > 15
        || !label_chars(s, &[])
        || s.starts_with('-')
        || s.ends_with('-')
        || s.contains("--")
        || !s.chars().any(|c| c.is_ascii_lowercase())
    {
        return Err("an IANA service name: at most 15 lowercase letters, digits and `-`, with a letter, and no `-` at either end or twice in a row".into());
    }
    Ok(())
}

/// A resource quantity's syntax: a signed decimal number and a suffix (`m`, `k`, `Mi`, `Gi`,
/// an exponent `e3`, ...).
pub fn quantity(s: &str) -> Result<(), String> {
    let err = || {
        Err(
            "a quantity: a number with an optional suffix (`500m`, `2`, `512Mi`, `1Gi`, `1e3`)"
                .into(),
        )
    };
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(end);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if (int.is_empty() && frac.is_empty()) || num.matches('.').count() > 1 {
        return err();
    }
    let ok_suffix = matches!(
        suffix,
        "" | "m" | "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
    ) || (suffix.len() > 1
        && suffix.starts_with(['e', 'E'])
        && suffix[1..]
            .strip_prefix(['+', '-'])
            .unwrap_or(&suffix[1..])
            .bytes()
            .all(|b| b.is_ascii_digit())
        && !suffix[1..].trim_start_matches(['+', '-']).is_empty());
    if !ok_suffix {
        return err();
    }
    Ok(())
}

/// Whether a value looks like a template placeholder left in a manifest (`<Your Image Name>`,
/// `{{ .Values.image }}`, `${IMAGE}`, `REPLACE_ME`).
pub fn placeholder(s: &str) -> bool {
    let u = s.to_ascii_uppercase();
    (s.contains('<') && s.contains('>'))
        || s.contains("{{")
        || s.contains("${")
        || s.starts_with('$')
        || [
            "REPLACE",
            "CHANGEME",
            "CHANGE_ME",
            "YOUR_",
            "YOUR-",
            "YOUR ",
        ]
        .iter()
        .any(|p| u.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammars() {
        assert!(dns1123_label("web-1").is_ok());
        assert!(dns1123_label("Web").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
        assert!(dns1123_subdomain("web.v1").is_ok());
        assert!(dns1123_subdomain("<your gmsa spec name>").is_err());
        assert!(dns1035_label("1web").is_err());
        assert!(qualified_name("app.kubernetes.io/name").is_ok());
        assert!(qualified_name("kubernetes.io/os").is_ok());
        assert!(qualified_name("bad key").is_err());
        assert!(label_value("").is_ok());
        assert!(label_value("v1.2_x").is_ok());
        assert!(label_value("-x").is_err());
        assert!(iana_svc_name("https").is_ok());
        assert!(iana_svc_name("http-metrics-long").is_err());
        assert!(iana_svc_name("8080").is_err());
        for q in ["1", "500m", "1.5", "2Gi", "1e3", "+1", ".5", "1E-3"] {
            assert!(quantity(q).is_ok(), "{q}");
        }
        for q in ["", "two", "1GB", "1.2.3", "1e", "Gi"] {
            assert!(quantity(q).is_err(), "{q}");
        }
        assert!(placeholder("<Your Image Name>"));
        assert!(placeholder("{{ .Values.image }}"));
        assert!(!placeholder("contosoacr.azurecr.io/web:1.0"));
    }
}
