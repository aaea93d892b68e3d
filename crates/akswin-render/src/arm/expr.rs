//! ARM template expressions as values: built from parts, literals escaped, written once.
//!
//! A string literal in an expression is single-quoted, and a quote inside it is doubled
//! (`'it''s'`); a template value that is an expression is wrapped in `[...]`. Building
//! expressions from [`Expr`] instead of `format!` means a value from the spec can never end
//! a literal early and change what the expression does.

/// An ARM expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A string literal (escaped when written).
    Str(String),
    /// A function call: `name(arg, ...)`.
    Call(&'static str, Vec<Expr>),
    /// A property of an expression's value: `expr.name`.
    Prop(Box<Expr>, &'static str),
}

/// A string literal.
pub fn lit(s: impl Into<String>) -> Expr {
    Expr::Str(s.into())
}

/// A function call.
pub fn call(name: &'static str, args: Vec<Expr>) -> Expr {
    Expr::Call(name, args)
}

/// `subscription().subscriptionId`
pub fn subscription_id() -> Expr {
    Expr::Prop(Box::new(call("subscription", vec![])), "subscriptionId")
}

/// `resourceId('kind', 'name', ...)` in the deployment's own resource group.
pub fn resource_id(kind: &str, names: &[&str]) -> Expr {
    let mut args = vec![lit(kind)];
    args.extend(names.iter().map(|n| lit(*n)));
    call("resourceId", args)
}

/// `resourceId(subscription().subscriptionId, 'rg', 'kind', 'name', ...)`.
pub fn resource_id_in(rg: &str, kind: &str, names: &[&str]) -> Expr {
    let mut args = vec![subscription_id(), lit(rg), lit(kind)];
    args.extend(names.iter().map(|n| lit(*n)));
    call("resourceId", args)
}

/// `parameters('name')`
pub fn parameters(name: &str) -> Expr {
    call("parameters", vec![lit(name)])
}

/// `reference(id, 'apiVersion')`: the resource's properties.
pub fn reference(id: Expr, api: &str) -> Expr {
    call("reference", vec![id, lit(api)])
}

/// `reference(id, 'apiVersion', 'full')`: the whole resource (identity included).
pub fn reference_full(id: Expr, api: &str) -> Expr {
    call("reference", vec![id, lit(api), lit("full")])
}

/// `concat(a, b, ...)`
pub fn concat(parts: Vec<Expr>) -> Expr {
    call("concat", parts)
}

/// `guid(a, b, ...)`
pub fn guid(parts: Vec<Expr>) -> Expr {
    call("guid", parts)
}

/// A template value is the expression in brackets.
impl serde::Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.template())
    }
}

impl From<Expr> for serde_json::Value {
    fn from(e: Expr) -> Self {
        serde_json::Value::String(e.template())
    }
}

impl Expr {
    /// The property `name` of this expression's value.
    pub fn prop(self, name: &'static str) -> Expr {
        Expr::Prop(Box::new(self), name)
    }

    /// The expression as a template value: `[...]`.
    pub fn template(&self) -> String {
        format!("[{}]", self.body())
    }
}

impl Expr {
    /// The expression without brackets, for nesting. Deliberately not `Display`: a template
    /// value must always be written with [`Expr::template`], never by formatting.
    fn body(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Expr::Str(s) => {
                out.push('\'');
                out.push_str(&s.replace('\'', "''"));
                out.push('\'');
            }
            Expr::Call(name, args) => {
                out.push_str(name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write(out);
                }
                out.push(')');
            }
            Expr::Prop(e, name) => {
                e.write(out);
                out.push('.');
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped_and_calls_nest() {
        assert_eq!(
            resource_id("Microsoft.KeyVault/vaults", &["kv"]).template(),
            "[resourceId('Microsoft.KeyVault/vaults', 'kv')]"
        );
        assert_eq!(
            resource_id_in(
                "rg",
                "Microsoft.Network/virtualNetworks/subnets",
                &["v", "s"]
            )
            .template(),
            "[resourceId(subscription().subscriptionId, 'rg', 'Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"
        );
        // A quote in a value cannot end the literal: it is doubled.
        let e = resource_id("Microsoft.KeyVault/vaults/secrets", &["kv", "it's')]"]);
        assert_eq!(
            e.template(),
            "[resourceId('Microsoft.KeyVault/vaults/secrets', 'kv', 'it''s'')]')]"
        );
        let g = call("guid", vec![e, lit("role")]);
        assert!(g.template().starts_with("[guid(resourceId("));
    }

    #[test]
    fn escaped_expressions_pass_the_linter() {
        let e = resource_id("Microsoft.Network/virtualNetworks", &["v'1"]);
        let t = serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "resources": [
                { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2025-07-01", "name": "v'1" },
                { "type": "Microsoft.Network/routeTables", "apiVersion": "2025-07-01", "name": "r", "dependsOn": [e.template()] }
            ]
        });
        let problems = crate::lint::lint(&[("t.json", &t)]);
        assert!(problems.is_empty(), "{problems:?}");
    }
}
