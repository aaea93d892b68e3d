//! ARM template expressions as values: built from parts, literals escaped, written once.
//!
//! A string literal in an expression is single-quoted, and a quote inside it is doubled
//! (`'it''s'`); a template value that is an expression is wrapped in `[...]`. Building
//! expressions from [`Expr`] instead of `format!` means a value from the spec can never end
//! a literal early and change what the expression does.

use std::fmt;

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

impl Expr {
    /// The property `name` of this expression's value.
    pub fn prop(self, name: &'static str) -> Expr {
        Expr::Prop(Box::new(self), name)
    }

    /// The expression as a template value: `[...]`.
    pub fn template(&self) -> String {
        format!("[{self}]")
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Expr::Call(name, args) => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            Expr::Prop(e, name) => write!(f, "{e}.{name}"),
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
        assert!(g.to_string().starts_with("guid(resourceId("));
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
