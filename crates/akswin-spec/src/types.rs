//! Newtypes for values with a syntax of their own: CIDRs, addresses, `auto`, versions, clock
//! times, surge, secrets. Each parses from the YAML string with a message that names the
//! expected form, so a bad value fails at load time with its `file:line:col`.

use ipnet::Ipv4Net;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::borrow::Cow;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// Implements Deserialize (from a string, via FromStr), Serialize (via Display) and a string
/// JsonSchema with the given pattern/description for a newtype.
macro_rules! string_newtype {
    ($ty:ty, $name:literal, $desc:literal, $pattern:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(de::Error::custom)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "description": $desc, "pattern": $pattern })
            }
        }
    };
}

/// An IPv4 prefix in CIDR notation whose host bits are zero (`10.240.0.0/16`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(pub Ipv4Net);

impl Cidr {
    pub fn net(&self) -> Ipv4Net {
        self.0
    }
    pub fn prefix_len(&self) -> u8 {
        self.0.prefix_len()
    }
    /// Number of addresses in the prefix.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.0.prefix_len()))
    }
    pub fn first(&self) -> Ipv4Addr {
        self.0.network()
    }
    pub fn last(&self) -> Ipv4Addr {
        self.0.broadcast()
    }
    pub fn contains_addr(&self, a: Ipv4Addr) -> bool {
        self.0.contains(&a)
    }
    pub fn contains_net(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0.network()) || other.0.contains(&self.0.network())
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let Some((addr, len)) = s.split_once('/') else {
            return Err(format!(
                "`{s}` is not a CIDR: expected an IPv4 prefix like 10.240.0.0/16"
            ));
        };
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not a CIDR: `{addr}` is not an IPv4 address"))?;
        let len: u8 = len
            .parse()
            .ok()
            .filter(|l| *l <= 32)
            .ok_or_else(|| format!("`{s}` is not a CIDR: prefix length must be 0 to 32"))?;
        let net = Ipv4Net::new(addr, len)
            .map_err(|_| format!("`{s}` is not a CIDR: prefix length must be 0 to 32"))?;
        if net.network() != addr {
            return Err(format!(
                "`{s}` has host bits set; did you mean {}/{len}?",
                net.network()
            ));
        }
        Ok(Cidr(net))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

string_newtype!(
    Cidr,
    "Cidr",
    "IPv4 prefix in CIDR notation with zero host bits, e.g. 10.240.0.0/16",
    r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$"
);

/// An IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ip(pub Ipv4Addr);

impl FromStr for Ip {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.trim()
            .parse()
            .map(Ip)
            .map_err(|_| format!("`{s}` is not an IPv4 address (expected e.g. 10.240.4.10)"))
    }
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

string_newtype!(
    Ip,
    "Ip",
    "IPv4 address, e.g. 10.240.4.10",
    r"^\d{1,3}(\.\d{1,3}){3}$"
);

/// A value the planner chooses (`auto`) or one the user fixed. `auto` stays explicit in the
/// model until the planner resolves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Auto<T> {
    #[default]
    Auto,
    Value(T),
}

impl<T> Auto<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Auto::Auto => None,
            Auto::Value(v) => Some(v),
        }
    }
}

impl<T: FromStr<Err = String>> FromStr for Auto<T> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim() == "auto" {
            Ok(Auto::Auto)
        } else {
            s.parse()
                .map(Auto::Value)
                .map_err(|e| format!("{e}, or `auto`"))
        }
    }
}

impl<T: fmt::Display> fmt::Display for Auto<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auto::Auto => f.write_str("auto"),
            Auto::Value(v) => v.fmt(f),
        }
    }
}

impl<'de, T: FromStr<Err = String>> Deserialize<'de> for Auto<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

impl<T: fmt::Display> Serialize for Auto<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<T: JsonSchema> JsonSchema for Auto<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Auto_{}", T::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let inner = g.subschema_for::<T>();
        json_schema!({ "anyOf": [ { "const": "auto" }, inner ] })
    }
}

/// A Kubernetes version `1.MINOR` or `1.MINOR.PATCH` (quote it in YAML: `"1.30"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub minor: u32,
    pub patch: Option<u32>,
}

impl FromStr for KubeVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{s}` is not a Kubernetes version: expected \"1.MINOR\" or \"1.MINOR.PATCH\", quoted (e.g. \"1.34\")"
            )
        };
        let t = s.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        if parts.next() != Some("1") {
            return Err(bad());
        }
        let minor = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
        let patch = match parts.next() {
            None => None,
            Some(p) => Some(p.parse().map_err(|_| bad())?),
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(KubeVersion { minor, patch })
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "1.{}.{}", self.minor, p),
            None => write!(f, "1.{}", self.minor),
        }
    }
}

string_newtype!(
    KubeVersion,
    "KubeVersion",
    "Kubernetes version \"1.MINOR\" or \"1.MINOR.PATCH\"",
    r"^v?1\.\d+(\.\d+)?$"
);

/// A wall-clock time `HH:MM` (24 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    pub fn minutes(&self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }
}

impl FromStr for ClockTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a time: expected \"HH:MM\" (24-hour, e.g. \"02:00\")");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        if hour > 23 || minute > 59 {
            return Err(bad());
        }
        Ok(ClockTime { hour, minute })
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

string_newtype!(
    ClockTime,
    "ClockTime",
    "24-hour time HH:MM",
    r"^([01]\d|2[0-3]):[0-5]\d$"
);

/// A UTC offset `+HH:MM` / `-HH:MM`, as AKS maintenance windows take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    /// Offset in minutes east of UTC.
    pub minutes: i32,
}

impl FromStr for UtcOffset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a UTC offset: expected \"+HH:MM\" or \"-HH:MM\"");
        let t = s.trim();
        let sign = match t.chars().next() {
            Some('+') => 1,
            Some('-') => -1,
            _ => return Err(bad()),
        };
        let (h, m) = t[1..].split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: i32 = h.parse().map_err(|_| bad())?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if h > 14 || m > 59 {
            return Err(bad());
        }
        Ok(UtcOffset {
            minutes: sign * (h * 60 + m),
        })
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let a = self.minutes.abs();
        write!(f, "{sign}{:02}:{:02}", a / 60, a % 60)
    }
}

string_newtype!(
    UtcOffset,
    "UtcOffset",
    "UTC offset +HH:MM or -HH:MM",
    r"^[+-]\d{2}:\d{2}$"
);

/// Upgrade surge: a node count (`1`, `"3"`) or a percentage of the pool (`"33%"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxSurge {
    Count(u32),
    Percent(u32),
}

impl MaxSurge {
    /// Extra nodes during an upgrade of a pool of `nodes` nodes; percentages round up, as AKS
    /// does (docs/sources.md#max-surge).
    pub fn nodes(&self, nodes: u32) -> u32 {
        match *self {
            MaxSurge::Count(c) => c,
            MaxSurge::Percent(p) => (u64::from(nodes) * u64::from(p)).div_ceil(100) as u32,
        }
    }
}

impl FromStr for MaxSurge {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let bad = || {
            format!(
                "`{s}` is not a surge: expected a node count (e.g. 1) or a percentage (e.g. \"33%\")"
            )
        };
        if let Some(p) = t.strip_suffix('%') {
            let p: u32 = p.trim().parse().map_err(|_| bad())?;
            if p == 0 || p > 100 {
                return Err(format!("`{s}`: a surge percentage must be 1% to 100%"));
            }
            Ok(MaxSurge::Percent(p))
        } else {
            t.parse().map(MaxSurge::Count).map_err(|_| bad())
        }
    }
}

impl fmt::Display for MaxSurge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxSurge::Count(c) => write!(f, "{c}"),
            MaxSurge::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl<'de> Deserialize<'de> for MaxSurge {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = MaxSurge;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a node count or a percentage like \"33%\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaxSurge, E> {
                u32::try_from(v)
                    .map(MaxSurge::Count)
                    .map_err(|_| E::custom("surge node count too large"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MaxSurge, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("surge cannot be negative"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaxSurge, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for MaxSurge {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for MaxSurge {
    fn schema_name() -> Cow<'static, str> {
        "MaxSurge".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "node count or percentage of the pool, e.g. \"33%\"",
            "anyOf": [ { "type": "integer", "minimum": 0 }, { "type": "string", "pattern": r"^\d+%?$" } ]
        })
    }
}

/// Where a secret comes from. A literal value is accepted by the parser only so that rules
/// (POOL009, ID004) can point at it; it is never printed, serialised or rendered.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A secret in the deployment's Key Vault, by name.
    KeyVault(String),
    /// A secure deployment parameter, by name.
    Parameter(String),
    /// A value written into the spec. Always a finding.
    Literal(Redacted),
}

/// A string that never shows itself: Debug, Display and Serialize print `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(String);

impl Redacted {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::KeyVault(n) => write!(f, "KeyVault({n:?})"),
            SecretRef::Parameter(n) => write!(f, "Parameter({n:?})"),
            SecretRef::Literal(_) => f.write_str("Literal(<redacted>)"),
        }
    }
}

impl SecretRef {
    pub fn is_literal(&self) -> bool {
        matches!(self, SecretRef::Literal(_))
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = SecretRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret reference { keyVaultSecret: NAME } or { parameter: NAME }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretRef, E> {
                Ok(SecretRef::Literal(Redacted(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<SecretRef, E> {
                Ok(SecretRef::Literal(Redacted(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<SecretRef, E> {
                Ok(SecretRef::Literal(Redacted(v.to_string())))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<SecretRef, A::Error> {
                let mut out = None;
                while let Some(key) = map.next_key::<String>()? {
                    let value: String = map.next_value()?;
                    let r = match key.as_str() {
                        "keyVaultSecret" => SecretRef::KeyVault(value),
                        "parameter" => SecretRef::Parameter(value),
                        _ => {
                            return Err(de::Error::unknown_field(
                                &key,
                                &["keyVaultSecret", "parameter"],
                            ));
                        }
                    };
                    if out.replace(r).is_some() {
                        return Err(de::Error::custom(
                            "a secret reference takes exactly one of keyVaultSecret or parameter",
                        ));
                    }
                }
                out.ok_or_else(|| {
                    de::Error::custom(
                        "empty secret reference: give keyVaultSecret: NAME or parameter: NAME",
                    )
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for SecretRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            SecretRef::KeyVault(n) => m.serialize_entry("keyVaultSecret", n)?,
            SecretRef::Parameter(n) => m.serialize_entry("parameter", n)?,
            SecretRef::Literal(_) => m.serialize_entry("literal", "<redacted>")?,
        }
        m.end()
    }
}

impl JsonSchema for SecretRef {
    fn schema_name() -> Cow<'static, str> {
        "SecretRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a reference to a secret, never its value",
            "oneOf": [
                { "type": "object", "properties": { "keyVaultSecret": { "type": "string" } },
                  "required": ["keyVaultSecret"], "additionalProperties": false },
                { "type": "object", "properties": { "parameter": { "type": "string" } },
                  "required": ["parameter"], "additionalProperties": false }
            ]
        })
    }
}

/// An availability zone, 1 to 3 (written as a number or a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zone(pub u8);

impl FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "1" => Ok(Zone(1)),
            "2" => Ok(Zone(2)),
            "3" => Ok(Zone(3)),
            _ => Err(format!(
                "`{s}` is not an availability zone: expected 1, 2 or 3"
            )),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Zone;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an availability zone 1, 2 or 3")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Zone, E> {
                v.to_string().parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Zone, E> {
                v.to_string().parse().map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Zone, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl JsonSchema for Zone {
    fn schema_name() -> Cow<'static, str> {
        "Zone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [ { "type": "integer", "minimum": 1, "maximum": 3 }, { "enum": ["1", "2", "3"] } ] })
    }
}

/// The *name* of a Key Vault secret. If what was written looks like the credential itself
/// (`DOMAIN\\user:password`), Debug and Serialize redact it, so a mistake never travels further.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretName(String);

impl SecretName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Whether the value looks like a credential rather than a secret name (ID004).
    pub fn looks_like_credential(&self) -> bool {
        self.0.contains(':') || self.0.contains('\\') || self.0.contains(char::is_whitespace)
    }
    fn shown(&self) -> &str {
        if self.looks_like_credential() {
            "<redacted>"
        } else {
            &self.0
        }
    }
}

impl fmt::Debug for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.shown())
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.shown())
    }
}

impl<'de> Deserialize<'de> for SecretName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SecretName)
    }
}

impl Serialize for SecretName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.shown())
    }
}

/// A Kubernetes quantity (`2`, `500m`, `1.5`, `4Gi`, `1024Mi`, `1e3`), checked when the spec
/// loads so a value the API server would refuse (`two`) is an input error at its position.
/// [`Quantity::nanos`] gives its exact value for comparisons (`1` = `1000m`, `1Gi` = `1024Mi`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity(String);

impl Quantity {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value in billionths of its unit, exactly; `None` for anything that is not a
    /// quantity, for more than nine decimal places, or for a value too large to hold.
    pub fn nanos(q: &str) -> Option<i128> {
        let q = q.trim();
        let split = q
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
            .unwrap_or(q.len());
        let (number, suffix) = q.split_at(split);
        let number = number.strip_prefix('+').unwrap_or(number);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 9
        {
            return None;
        }
        let int: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let frac_n: i128 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i128>().ok()? * 10i128.pow(9 - frac.len() as u32)
        };
        let base = int.checked_mul(1_000_000_000)?.checked_add(frac_n)?;
        let (mul, div): (i128, i128) = match suffix {
            "" => (1, 1),
            "m" => (1, 1000),
            "k" => (1_000, 1),
            "M" => (1_000_000, 1),
            "G" => (1_000_000_000, 1),
            "T" => (1_000_000_000_000, 1),
            "P" => (1_000_000_000_000_000, 1),
            "E" => (1_000_000_000_000_000_000, 1),
            "Ki" => (1 << 10, 1),
            "Mi" => (1 << 20, 1),
            "Gi" => (1 << 30, 1),
            "Ti" => (1 << 40, 1),
            "Pi" => (1 << 50, 1),
            "Ei" => (1 << 60, 1),
            s if s.starts_with(['e', 'E']) => {
                let e: i32 = s[1..].parse().ok()?;
                if !(-9..=18).contains(&e) {
                    return None;
                }
                if e >= 0 {
                    (10i128.pow(e as u32), 1)
                } else {
                    (1, 10i128.pow((-e) as u32))
                }
            }
            _ => return None,
        };
        let v = base.checked_mul(mul)?;
        (v % div == 0).then(|| v / div)
    }
}

impl FromStr for Quantity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match Quantity::nanos(s) {
            Some(_) => Ok(Quantity(s.trim().to_string())),
            None => Err(format!(
                "`{}` is not a Kubernetes quantity (e.g. \"2\", \"500m\", 4Gi, 512Mi)",
                s.chars().take(40).collect::<String>()
            )),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes quantity such as \"2\", \"500m\" or 4Gi")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                v.to_string().parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "a Kubernetes quantity: cores or millicores (\"2\", \"500m\"), bytes with a suffix (4Gi, 512Mi)",
            "pattern": "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|[kMGTPE]i?|Ki|m)?$"
        })
    }
}

/// Where prices come from: `embedded` (the dated table akswin ships) or the path, relative to
/// the spec, of a file exported from the Azure Retail Prices API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PriceSource {
    #[default]
    Embedded,
    File(String),
}

impl FromStr for PriceSource {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "" => Err("empty: give `embedded` or the path of a Retail Prices API export".into()),
            t if t.eq_ignore_ascii_case("embedded") => Ok(PriceSource::Embedded),
            t => Ok(PriceSource::File(t.to_string())),
        }
    }
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceSource::Embedded => f.write_str("embedded"),
            PriceSource::File(p) => f.write_str(p),
        }
    }
}

impl<'de> Deserialize<'de> for PriceSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

impl Serialize for PriceSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for PriceSource {
    fn schema_name() -> Cow<'static, str> {
        "PriceSource".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "`embedded` (the dated table akswin ships) or the path, relative to the spec, of an Azure Retail Prices API export"
        })
    }
}

/// An IANA time zone name (`America/New_York`, `Europe/Berlin`, `UTC`) of the tz database
/// akswin embeds; anything else is refused when the spec loads, because a schedule in an
/// unknown zone would run at the wrong hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::Tz::UTC);
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl FromStr for TimeZone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.trim().parse::<chrono_tz::Tz>().map(TimeZone).map_err(|_| {
            format!(
                "`{}` is not an IANA time zone name (the tz database), e.g. America/New_York or Europe/Berlin",
                s.chars().take(40).collect::<String>()
            )
        })
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl JsonSchema for TimeZone {
    fn schema_name() -> Cow<'static, str> {
        "TimeZone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "IANA time zone name (tz database), e.g. America/New_York",
            "pattern": "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"
        })
    }
}

/// A TLS protocol version, written `"1.2"` (quoted or not). Parsing refuses what is not a TLS
/// version; judging a weak one (1.0, 1.1) is ING003's; [`TlsVersion::front_door`] is the value
/// Front Door's `minimumTlsVersion` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    V1_0,
    V1_1,
    V1_2,
    V1_3,
}

impl TlsVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::V1_0 => "1.0",
            TlsVersion::V1_1 => "1.1",
            TlsVersion::V1_2 => "1.2",
            TlsVersion::V1_3 => "1.3",
        }
    }

    /// Front Door's `minimumTlsVersion` for custom domains (TLS10, TLS12, TLS13; there is no
    /// TLS 1.1 value, and ING003 refuses 1.0 and 1.1 before anything renders).
    pub fn front_door(self) -> &'static str {
        match self {
            TlsVersion::V1_0 | TlsVersion::V1_1 => "TLS10",
            TlsVersion::V1_2 => "TLS12",
            TlsVersion::V1_3 => "TLS13",
        }
    }
}

impl FromStr for TlsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s
            .trim()
            .trim_start_matches(['T', 'L', 'S', 't', 'l', 's', 'v'])
            .trim()
        {
            "1.0" | "1" | "10" => Ok(TlsVersion::V1_0),
            "1.1" | "11" => Ok(TlsVersion::V1_1),
            "1.2" | "12" => Ok(TlsVersion::V1_2),
            "1.3" | "13" => Ok(TlsVersion::V1_3),
            _ => Err(format!(
                "`{}` is not a TLS version (\"1.2\" or \"1.3\")",
                s.chars().take(20).collect::<String>()
            )),
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TlsVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = TlsVersion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a TLS version such as \"1.2\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TlsVersion, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TlsVersion, E> {
                format!("{v:.1}").parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TlsVersion, E> {
                v.to_string().parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for TlsVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for TlsVersion {
    fn schema_name() -> Cow<'static, str> {
        "TlsVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "TLS version; 1.2 or 1.3 (1.0 and 1.1 are refused by ING003)",
            "enum": ["1.0", "1.1", "1.2", "1.3"]
        })
    }
}

impl JsonSchema for SecretName {
    fn schema_name() -> Cow<'static, str> {
        "SecretName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "name of a Key Vault secret (never the secret's value)",
            "pattern": "^[0-9A-Za-z-]{1,127}$"
        })
    }
}

/// A DNS host name (`legacy.contoso.com`): labels of letters, digits and inner hyphens, a
/// top-level domain of letters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hostname(String);

impl Hostname {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Hostname {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Hostname {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let labels: Vec<&str> = t.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        let tld_ok = labels
            .last()
            .is_some_and(|l| l.len() >= 2 && l.chars().all(|c| c.is_ascii_alphabetic()));
        if t.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(format!(
                "`{s}` is not a host name: expected e.g. app.contoso.com"
            ));
        }
        Ok(Hostname(t))
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype!(
    Hostname,
    "Hostname",
    "DNS host name, e.g. app.contoso.com",
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$"
);

/// An Azure Container Registry name (`contosoacr`): 5-50 letters and digits, globally unique,
/// the first label of `<name>.azurecr.io`. Stored lowercase (the login server is lowercase).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcrName(String);

impl AcrName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `<name>.azurecr.io`
    pub fn login_server(&self) -> String {
        format!("{}.azurecr.io", self.0)
    }
}

impl FromStr for AcrName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if !(5..=50).contains(&t.len()) || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "`{s}` is not a container registry name: 5-50 letters and digits, e.g. contosoacr (no hyphens, no .azurecr.io)"
            ));
        }
        Ok(AcrName(t.to_ascii_lowercase()))
    }
}

impl fmt::Display for AcrName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype!(
    AcrName,
    "AcrName",
    "Azure Container Registry name: 5-50 letters and digits, e.g. contosoacr",
    r"^[a-zA-Z0-9]{5,50}$"
);

/// An Azure region name (`eastus2`, `westeurope`): lowercase letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Region {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty()
            || t.len() > 40
            || !t
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(format!(
                "`{s}` is not an Azure region name: expected e.g. eastus2 (lowercase letters and digits, as `az account list-locations` prints them)"
            ));
        }
        Ok(Region(t.to_string()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype!(
    Region,
    "Region",
    "Azure region name, e.g. eastus2",
    r"^[a-z0-9]{1,40}$"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cidr_round_trips(a in any::<u32>(), len in 0u8..=32) {
            let net = Ipv4Net::new(Ipv4Addr::from(a), len).map(|n| n.trunc());
            prop_assume!(net.is_ok());
            let net = net.unwrap_or_default();
            let text = net.to_string();
            let c: Cidr = text.parse().map_err(|e: String| TestCaseError::fail(e))?;
            prop_assert_eq!(c.to_string(), text.clone());
            prop_assert_eq!(c.size(), 1u64 << (32 - u32::from(len)));
            let auto: Auto<Cidr> = text.parse().map_err(|e: String| TestCaseError::fail(e))?;
            prop_assert_eq!(auto, Auto::Value(c));
        }

        #[test]
        fn newtype_parsers_never_panic(s in ".{0,40}") {
            let _ = s.parse::<Cidr>();
            let _ = s.parse::<Ip>();
            let _ = s.parse::<KubeVersion>();
            let _ = s.parse::<ClockTime>();
            let _ = s.parse::<UtcOffset>();
            let _ = s.parse::<MaxSurge>();
            let _ = s.parse::<Zone>();
        }
    }

    #[test]
    fn cidr_parses_and_rejects() {
        assert_eq!("10.240.0.0/16".parse::<Cidr>().map(|c| c.size()), Ok(65536));
        let e = "10.240.0.1/16".parse::<Cidr>().unwrap_err();
        assert!(e.contains("did you mean 10.240.0.0/16"), "{e}");
        assert!(
            "10.0.0.0/33"
                .parse::<Cidr>()
                .unwrap_err()
                .contains("0 to 32")
        );
        assert!("10.0.0/8".parse::<Cidr>().is_err());
        assert!("banana".parse::<Cidr>().is_err());
    }

    #[test]
    fn surge_rounds_up() {
        assert_eq!("33%".parse::<MaxSurge>().map(|s| s.nodes(8)), Ok(3));
        assert_eq!("10%".parse::<MaxSurge>().map(|s| s.nodes(3)), Ok(1));
        assert_eq!("2".parse::<MaxSurge>().map(|s| s.nodes(100)), Ok(2));
        assert!("0%".parse::<MaxSurge>().is_err());
    }

    #[test]
    fn versions_and_times() {
        assert_eq!(
            "1.34".parse::<KubeVersion>(),
            Ok(KubeVersion {
                minor: 34,
                patch: None
            })
        );
        assert!("1.34.x".parse::<KubeVersion>().is_err());
        assert!("2.0".parse::<KubeVersion>().is_err());
        assert_eq!("02:30".parse::<ClockTime>().map(|t| t.minutes()), Ok(150));
        assert!("24:00".parse::<ClockTime>().is_err());
        assert_eq!("-05:30".parse::<UtcOffset>().map(|o| o.minutes), Ok(-330));
    }

    #[test]
    fn redacted_never_shows() {
        let s = SecretRef::Literal(Redacted("hunter2".into()));
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(
            !serde_json::to_string(&s)
                .unwrap_or_default()
                .contains("hunter2")
        );
    }
}

/// Whether `s` is a GUID written `8-4-4-4-12` hexadecimal digits, without braces or spaces.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A Microsoft Entra object id (a group's, a user's): a GUID, `8-4-4-4-12` hexadecimal digits.
/// Stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(String);

impl ObjectId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ObjectId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if is_guid(&t) {
            Ok(ObjectId(t))
        } else {
            Err(format!(
                "`{s}` is not an object id: expected a GUID such as 6b1f3c2e-0d4a-4e8b-9c7d-2f5a1b3c4d5e (the group's Object ID in Microsoft Entra ID)"
            ))
        }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype!(
    ObjectId,
    "ObjectId",
    "Microsoft Entra object id (a GUID)",
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
);

/// A container image reference split by the distribution reference grammar: `[host[:port]/]`
/// path components, then `:tag` and/or `@digest`. What a kubelet refuses with
/// `InvalidImageName` does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference<'a> {
    /// The registry host (a first component with a dot, a port, or `localhost`).
    pub host: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageReference<'a> {
    /// Parse a reference; the error says what is wrong.
    pub fn parse(r: &'a str) -> Result<Self, &'static str> {
        if r.is_empty() {
            return Err("it is empty");
        }
        if r.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("it contains whitespace");
        }
        let (rest, digest) = match r.split_once('@') {
            Some((a, d)) => (a, Some(d)),
            None => (r, None),
        };
        if let Some(d) = digest {
            let (alg, hex) = d.split_once(':').ok_or("its digest has no algorithm")?;
            let alg_ok = alg.starts_with(|c: char| c.is_ascii_alphabetic())
                && alg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'));
            if !alg_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err("its digest is not algorithm:hex");
            }
            if alg == "sha256" && hex.len() != 64 {
                return Err("a sha256 digest has 64 hex digits");
            }
        }
        // A tag follows the last `:` after the last `/` (a `:` before it is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if !ok {
                return Err("its tag is not letters, digits, `_`, `.` and `-` (at most 128)");
            }
        }
        if name.len() > 255 {
            return Err("its name is longer than 255 characters");
        }
        let (host, path) = match name.split_once('/') {
            Some((h, p)) if h.contains(['.', ':']) || h == "localhost" => (Some(h), p),
            _ => (None, name),
        };
        if let Some(h) = host {
            let (hostname, port) = h.split_once(':').map_or((h, None), |(a, b)| (a, Some(b)));
            let host_ok = !hostname.is_empty()
                && hostname.split('.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if !host_ok
                || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err("its registry host is not a host name with an optional port");
            }
        }
        let component = |c: &str| {
            !c.is_empty()
                && c.starts_with(|x: char| x.is_ascii_lowercase() || x.is_ascii_digit())
                && c.ends_with(|x: char| x.is_ascii_lowercase() || x.is_ascii_digit())
                && c.chars().all(|x| {
                    x.is_ascii_lowercase() || x.is_ascii_digit() || matches!(x, '.' | '_' | '-')
                })
                && !c.contains("..")
                && !c.contains("___")
        };
        if !path.split('/').all(component) {
            return Err("its repository path is not lowercase letters, digits and separators");
        }
        Ok(ImageReference {
            host,
            path,
            tag,
            digest,
        })
    }
}
