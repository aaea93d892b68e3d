//! A walk over every ARM expression of a rendered template tree: brackets and quotes balance,
//! `parameters('x')` and `variables('x')` name something the enclosing template declares,
//! `dependsOn` targets exist in the same template, every `resourceId()` reference to a resource
//! of the same template is in `dependsOn`, and `resourceId(...)` names a resource that
//! some template of the tree declares (or one created outside ARM, listed in [`EXTERNAL`]).
//! `render` runs it on its own output; a finding here is an akswin bug.

use serde_json::Value;
use std::collections::BTreeSet;

/// Resources referenced by id that no template declares, with who creates them.
pub const EXTERNAL: &[(&str, &str)] = &[
    (
        "microsoft.network/privatelinkservices",
        "the AKS cloud provider, from the internal Service's azure-pls-create annotation",
    ),
    (
        "microsoft.authorization/roledefinitions",
        "Azure (built-in roles)",
    ),
    (
        "microsoft.keyvault/vaults/secrets",
        "the operator (`deploy.sh` checks that each secret exists before the step that needs it)",
    ),
    (
        "microsoft.resources/resourcegroups",
        "the subscription-scope template",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Declared {
    ty: String,
    names: Vec<String>,
}

fn declared(t: &Value, out: &mut BTreeSet<Declared>) {
    for r in t["resources"].as_array().into_iter().flatten() {
        declared_one(r, out);
        if r["type"] == "Microsoft.Resources/deployments" {
            declared(&r["properties"]["template"], out);
        }
    }
}

/// What one resource declares: itself, and a VNet's inline subnets (not its nested template).
fn declared_one(r: &Value, out: &mut BTreeSet<Declared>) {
    let ty = r["type"].as_str().unwrap_or_default().to_ascii_lowercase();
    let name = r["name"].as_str().unwrap_or_default();
    let names: Vec<String> = name.split('/').map(str::to_string).collect();
    if ty == "microsoft.network/virtualnetworks" {
        for sn in r["properties"]["subnets"].as_array().into_iter().flatten() {
            let mut n = names.clone();
            n.push(sn["name"].as_str().unwrap_or_default().to_string());
            out.insert(Declared {
                ty: format!("{ty}/subnets"),
                names: n,
            });
        }
    }
    out.insert(Declared { ty, names });
}

/// Split the top-level arguments of a call starting after `open` (the index of '(').
fn args(expr: &str, open: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut quoted = false;
    let mut cur = String::new();
    let chars: Vec<char> = expr[open + 1..].chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if quoted {
            cur.push(c);
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    cur.push('\'');
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else {
            match c {
                '\'' => {
                    quoted = true;
                    cur.push(c);
                }
                '(' | '[' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' if depth == 0 => {
                    out.push(cur.trim().to_string());
                    return out;
                }
                ')' | ']' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
                _ => cur.push(c),
            }
        }
        i += 1;
    }
    out
}

fn literal(a: &str) -> Option<String> {
    let a = a.trim();
    (a.len() >= 2 && a.starts_with('\'') && a.ends_with('\''))
        .then(|| a[1..a.len() - 1].replace("''", "'"))
}

/// Balanced brackets and parentheses outside string literals.
fn balanced(expr: &str) -> bool {
    let mut stack = Vec::new();
    let mut quoted = false;
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if quoted {
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else {
            match c {
                '\'' => quoted = true,
                '(' | '[' => stack.push(c),
                ')' if stack.pop() != Some('(') => return false,
                ']' if stack.pop() != Some('[') => return false,
                _ => {}
            }
        }
        i += 1;
    }
    stack.is_empty() && !quoted
}

/// `f(a, , b)`, `f(, a)`, `f(a, )` outside string literals.
fn has_empty_argument(expr: &str) -> bool {
    let mut quoted = false;
    let mut last = ' ';
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if quoted {
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    i += 1;
                } else {
                    quoted = false;
                    last = '\'';
                }
            }
        } else if c == '\'' {
            quoted = true;
        } else if !c.is_whitespace() {
            if (c == ',' || c == ')') && (last == ',' || (last == '(' && c == ',')) {
                return true;
            }
            last = c;
        }
        i += 1;
    }
    false
}

struct Scope<'a> {
    params: BTreeSet<String>,
    vars: BTreeSet<String>,
    local: BTreeSet<Declared>,
    all: &'a BTreeSet<Declared>,
    path: String,
}

fn calls<'e>(expr: &'e str, func: &str) -> Vec<(usize, &'e str)> {
    let mut out = Vec::new();
    let pat = format!("{func}(");
    let mut from = 0;
    while let Some(i) = expr[from..].find(&pat) {
        let at = from + i;
        let before = expr[..at].chars().last();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            out.push((at + func.len(), &expr[at..]));
        }
        from = at + pat.len();
    }
    out
}

fn check_expr(expr: &str, where_: &str, scope: &Scope<'_>, errors: &mut Vec<String>) {
    if !balanced(expr) {
        errors.push(format!(
            "{where_}: unbalanced brackets, parentheses or quotes in {expr}"
        ));
        return;
    }
    if has_empty_argument(expr) {
        errors.push(format!(
            "{where_}: a function call with an empty argument in {expr}"
        ));
    }
    for (open, _) in calls(expr, "parameters") {
        if let Some(name) = args(expr, open).first().and_then(|a| literal(a))
            && !scope.params.contains(&name)
        {
            errors.push(format!(
                "{where_}: parameters('{name}') is not declared in {}",
                scope.path
            ));
        }
    }
    for (open, _) in calls(expr, "variables") {
        if let Some(name) = args(expr, open).first().and_then(|a| literal(a))
            && !scope.vars.contains(&name)
            && name != "validatedAgainstSubtype"
        {
            errors.push(format!(
                "{where_}: variables('{name}') is not declared in {}",
                scope.path
            ));
        }
    }
    for (open, _) in calls(expr, "resourceId")
        .into_iter()
        .chain(calls(expr, "subscriptionResourceId"))
    {
        let a = args(expr, open);
        // The type is the first argument that is a literal containing '/'.
        let Some(ti) = a
            .iter()
            .position(|x| literal(x).is_some_and(|l| l.contains('/')))
        else {
            continue;
        };
        let ty = literal(&a[ti]).unwrap_or_default().to_ascii_lowercase();
        let names: Vec<Option<String>> = a[ti + 1..].iter().map(|x| literal(x)).collect();
        if EXTERNAL.iter().any(|(t, _)| *t == ty) || names.iter().any(Option::is_none) {
            continue;
        }
        let names: Vec<String> = names.into_iter().flatten().collect();
        let target = Declared {
            ty: ty.clone(),
            names: names.clone(),
        };
        let cross_rg = ti > 0;
        let found = if cross_rg {
            scope.all.contains(&target)
        } else {
            scope.local.contains(&target) || scope.all.contains(&target)
        };
        if !found {
            errors.push(format!(
                "{where_}: resourceId names {ty} {} that no template declares",
                names.join("/")
            ));
        }
    }
}

fn walk_values(v: &Value, where_: &str, scope: &Scope<'_>, errors: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']') => {
            check_expr(s, where_, scope, errors)
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| walk_values(x, &format!("{where_}/{i}"), scope, errors)),
        Value::Object(m) => {
            for (k, x) in m {
                // A nested template is its own scope; it is walked separately.
                if k == "template" && x.get("resources").is_some() {
                    continue;
                }
                walk_values(x, &format!("{where_}/{k}"), scope, errors);
            }
        }
        _ => {}
    }
}

fn walk_template(t: &Value, path: &str, all: &BTreeSet<Declared>, errors: &mut Vec<String>) {
    let keys = |k: &str| -> BTreeSet<String> {
        t[k].as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut local = BTreeSet::new();
    for r in t["resources"].as_array().into_iter().flatten() {
        declared_one(r, &mut local);
    }
    let scope = Scope {
        params: keys("parameters"),
        vars: keys("variables"),
        local,
        all,
        path: path.to_string(),
    };
    for (i, r) in t["resources"].as_array().into_iter().flatten().enumerate() {
        let where_ = format!(
            "{path}/resources/{i}({})",
            r["name"].as_str().unwrap_or_default()
        );
        walk_values(r, &where_, &scope, errors);
        check_depends_on(t, r, &where_, &scope, errors);
        for d in r["dependsOn"].as_array().into_iter().flatten() {
            let Some(d) = d.as_str() else { continue };
            let inner = d.trim_start_matches('[').trim_end_matches(']');
            if inner.starts_with("extensionResourceId(") {
                // extension resources (role assignments): the type must be declared here
                let a = args(inner, inner.find('(').unwrap_or(0));
                let ty = a
                    .get(1)
                    .and_then(|x| literal(x))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if !scope.local.iter().any(|x| x.ty == ty) {
                    errors.push(format!(
                        "{where_}: dependsOn `{d}` names a {ty} this template does not declare"
                    ));
                }
                continue;
            }
            if !(inner.starts_with("resourceId(") || inner.starts_with("subscriptionResourceId(")) {
                errors.push(format!(
                    "{where_}: dependsOn `{d}` is not a resourceId() expression"
                ));
                continue;
            }
            let open = inner.find('(').unwrap_or(0) + 1;
            let a = args(&format!("({}", &inner[open..]), 0);
            // resourceId([subscriptionId,] [resourceGroup,] type, names...): the type is the
            // first literal that is a resource type; a literal before it is the group.
            let at = a
                .iter()
                .position(|x| literal(x).is_some_and(|l| l.contains('/')))
                .unwrap_or(0);
            let rg = at
                .checked_sub(1)
                .and_then(|i| a.get(i))
                .and_then(|x| literal(x));
            let ty = a
                .get(at)
                .and_then(|x| literal(x))
                .unwrap_or_default()
                .to_ascii_lowercase();
            let names: Vec<String> = a.iter().skip(at + 1).filter_map(|x| literal(x)).collect();
            let target = Declared {
                ty: ty.clone(),
                names: names.clone(),
            };
            let ok = scope.local.contains(&target)
                || (ty == "microsoft.resources/resourcegroups" && path.ends_with("main.json"));
            if !ok {
                errors.push(format!(
                    "{where_}: dependsOn `{d}` names nothing this template declares"
                ));
                continue;
            }
            // A resource deployed into a resource group from a subscription-scope template has
            // an id in that group: a dependsOn without the group (or with another) matches
            // nothing at deployment.
            let deployed_in = t["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| {
                    x["type"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(&ty))
                        && x["name"].as_str() == Some(names.join("/").as_str())
                })
                .and_then(|x| x["resourceGroup"].as_str());
            if deployed_in.map(str::to_ascii_lowercase)
                != rg.as_ref().map(|g| g.to_ascii_lowercase())
            {
                errors.push(format!(
                    "{where_}: dependsOn `{d}` names {ty} {} in resource group {}, but it deploys into {}",
                    names.join("/"),
                    rg.as_deref().unwrap_or("(none: the template's own scope)"),
                    deployed_in.unwrap_or("the template's own scope")
                ));
            }
        }
        if r["type"] == "Microsoft.Resources/deployments" {
            let inner = &r["properties"]["template"];
            let ipath = format!("{path}/{}", r["name"].as_str().unwrap_or_default());
            // parameters passed must match the nested template's declarations
            let passed: BTreeSet<String> = r["properties"]["parameters"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let declared_params: BTreeSet<String> = inner["parameters"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for p in passed.difference(&declared_params) {
                errors.push(format!(
                    "{ipath}: passes parameter `{p}` the nested template does not declare"
                ));
            }
            for p in declared_params.difference(&passed) {
                if inner["parameters"][p].get("defaultValue").is_none() {
                    errors.push(format!(
                        "{ipath}: nested template parameter `{p}` gets no value"
                    ));
                }
            }
            walk_template(inner, &ipath, all, errors);
        }
    }
    walk_values(&t["outputs"], &format!("{path}/outputs"), &scope, errors);
}

/// The resources a value refers to with `resourceId('Type', 'name', ...)` (literal arguments
/// only: a reference into another resource group starts with `subscription()`), as declared
/// keys; a subnet stands for its VNet (subnets are declared inside it).
fn referenced(v: &Value, out: &mut BTreeSet<Declared>) {
    match v {
        Value::String(s) if s.starts_with('[') && !s.starts_with("[[") => {
            let mut from = 0;
            while let Some(i) = s[from..].find("resourceId(") {
                let at = from + i;
                from = at + 1;
                let prev = s[..at].chars().last();
                if prev.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    continue; // subscriptionResourceId, extensionResourceId, ...
                }
                let a = args(s, at + "resourceId".len());
                let Some(ty) = a.first().and_then(|x| literal(x)) else {
                    continue;
                };
                let names: Vec<String> = a.iter().skip(1).map_while(|x| literal(x)).collect();
                if names.len() + 1 != a.len() {
                    continue;
                }
                let mut ty = ty.to_ascii_lowercase();
                let mut names = names;
                if ty == "microsoft.network/virtualnetworks/subnets" && names.len() == 2 {
                    ty = "microsoft.network/virtualnetworks".into();
                    names.pop();
                }
                out.insert(Declared { ty, names });
            }
        }
        Value::Array(a) => a.iter().for_each(|x| referenced(x, out)),
        Value::Object(m) => m.values().for_each(|x| referenced(x, out)),
        _ => {}
    }
}

/// Every resource of this template that a resource refers to by `resourceId()` must come
/// before it through `dependsOn` (directly or through what it depends on): ARM orders only by
/// `dependsOn` (and `reference()`), so without one the resource may deploy before what it
/// points at exists.
fn check_depends_on(
    t: &Value,
    r: &Value,
    where_: &str,
    scope: &Scope<'_>,
    errors: &mut Vec<String>,
) {
    let keys = |x: &Value| {
        let mut k = BTreeSet::new();
        declared_one(x, &mut k);
        k
    };
    let deps_of = |x: &Value| {
        let mut d = BTreeSet::new();
        referenced(&x["dependsOn"], &mut d);
        d
    };
    // What comes before `r`: its dependsOn, and theirs, within this template.
    let resources: Vec<&Value> = t["resources"].as_array().into_iter().flatten().collect();
    let mut before = deps_of(r);
    let mut frontier: Vec<Declared> = before.iter().cloned().collect();
    while let Some(d) = frontier.pop() {
        for x in &resources {
            if keys(x).contains(&d) {
                for more in deps_of(x) {
                    if before.insert(more.clone()) {
                        frontier.push(more);
                    }
                }
            }
        }
    }
    // Everything but dependsOn, name, scope and a nested template (it has its own scope).
    let refs = references_of(r);
    let me = keys(r);
    for target in refs {
        if scope.local.contains(&target) && !before.contains(&target) && !me.contains(&target) {
            errors.push(format!(
                "{where_}: refers to {} `{}` of this template without a dependsOn on it",
                target.ty,
                target.names.join("/")
            ));
        }
    }
}

/// What a resource refers to outside its dependsOn, name, scope and nested template, and its
/// parent: a child declared at the top level (`vnet/peering`) is not ordered after its parent
/// by ARM unless dependsOn says so.
fn references_of(r: &Value) -> BTreeSet<Declared> {
    let mut refs = BTreeSet::new();
    let ty = r["type"].as_str().unwrap_or_default().to_ascii_lowercase();
    let name = r["name"].as_str().unwrap_or_default();
    if ty.matches('/').count() >= 2 && name.contains('/') && !name.starts_with('[') {
        let mut names: Vec<String> = name.split('/').map(str::to_string).collect();
        names.pop();
        let parent = ty
            .rsplit_once('/')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default();
        refs.insert(Declared { ty: parent, names });
    }
    for (k, v) in r.as_object().into_iter().flatten() {
        match k.as_str() {
            "dependsOn" | "name" | "scope" => {}
            "properties" => {
                for (pk, pv) in v.as_object().into_iter().flatten() {
                    if pk != "template" {
                        referenced(pv, &mut refs);
                    }
                }
            }
            _ => referenced(v, &mut refs),
        }
    }
    refs
}

/// Derive dependsOn from references: every resource of `resources` that another refers to
/// with `resourceId('Type', 'name', ...)` (or through one of its subnets) and that is not
/// already ordered before it (directly or through other dependsOn) is added to its dependsOn,
/// in the order the references are found. Ordering without a reference (one rule collection
/// group after another, a secret after its role assignment) stays written by hand. Renderers
/// call it on every template, so a new reference can never race at deployment.
pub fn derive_depends_on(resources: &mut [Value]) {
    for i in 0..resources.len() {
        let keys = |x: &Value| {
            let mut k = BTreeSet::new();
            declared_one(x, &mut k);
            k
        };
        let deps_of = |x: &Value| {
            let mut d = BTreeSet::new();
            referenced(&x["dependsOn"], &mut d);
            d
        };
        let r = &resources[i];
        let mut before = deps_of(r);
        let mut frontier: Vec<Declared> = before.iter().cloned().collect();
        while let Some(d) = frontier.pop() {
            for x in resources.iter() {
                if keys(x).contains(&d) {
                    for more in deps_of(x) {
                        if before.insert(more.clone()) {
                            frontier.push(more);
                        }
                    }
                }
            }
        }
        let me = keys(r);
        let mut add = Vec::new();
        for target in references_of(r) {
            if before.contains(&target) || me.contains(&target) {
                continue;
            }
            // The declaring resource, for the type's own spelling (a subnet names its VNet).
            let Some(owner) = resources.iter().find(|x| keys(x).contains(&target)) else {
                continue;
            };
            let ty = owner["type"].as_str().unwrap_or_default().to_string();
            let name = owner["name"].as_str().unwrap_or_default().to_string();
            let names: Vec<&str> = name.split('/').collect();
            let id = crate::arm::expr::resource_id(&ty, &names).template();
            if !add.contains(&id) {
                // The owner and everything ordered before it now come before `r` too.
                let mut frontier: Vec<Declared> = keys(owner).into_iter().collect();
                frontier.extend(deps_of(owner));
                while let Some(d) = frontier.pop() {
                    if before.insert(d.clone()) {
                        for x in resources.iter().filter(|x| keys(x).contains(&d)) {
                            frontier.extend(deps_of(x));
                        }
                    }
                }
                add.push(id);
            }
        }
        if add.is_empty() {
            continue;
        }
        let r = &mut resources[i];
        match r.get_mut("dependsOn").and_then(Value::as_array_mut) {
            Some(deps) => deps.extend(add.into_iter().map(Value::String)),
            None => r["dependsOn"] = Value::Array(add.into_iter().map(Value::String).collect()),
        }
    }
}

/// Lint one template (with the declarations of every template of the tree in `tree`).
pub fn lint(templates: &[(&str, &Value)]) -> Vec<String> {
    let mut all = BTreeSet::new();
    for (_, t) in templates {
        declared(t, &mut all);
    }
    let mut errors = Vec::new();
    for (name, t) in templates {
        walk_template(t, name, &all, &mut errors);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn catches_the_classic_mistakes() {
        let t = json!({
            "parameters": { "a": {} },
            "resources": [
                { "type": "Microsoft.Network/virtualNetworks", "name": "v", "properties": { "subnets": [ { "name": "s" } ] } },
                { "type": "Microsoft.Network/networkInterfaces", "name": "n",
                  "properties": { "x": "[parameters('b')]", "y": "[concat('a', 'b']", "z": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
                                  "w": "[resourceId('Microsoft.Network/routeTables', 'missing')]", "ok": "[parameters('a')]" },
                  "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'v')]", "[resourceId('Microsoft.Network/virtualNetworks', 'nope')]"] }
            ]
        });
        let e = lint(&[("t.json", &t)]);
        assert!(e.iter().any(|x| x.contains("parameters('b')")), "{e:?}");
        assert!(e.iter().any(|x| x.contains("unbalanced")), "{e:?}");
        assert!(e.iter().any(|x| x.contains("routetables missing")), "{e:?}");
        assert!(e.iter().any(|x| x.contains("'nope'")), "{e:?}");
        // 'nope' is reported by both the resourceId and the dependsOn checks
        assert_eq!(e.len(), 5, "{e:?}");
    }

    #[test]
    fn quotes_inside_strings_do_not_confuse() {
        assert!(balanced("[concat('it''s (fine]', parameters('x'))]"));
        assert!(has_empty_argument("[replace(parameters('p'), , '')]"));
        assert!(has_empty_argument("[concat(, 'a')]"));
        assert!(!has_empty_argument(
            "[replace(parameters('p'), '''', '''''')]"
        ));
        assert!(!has_empty_argument("[concat('a, , b', f())]"));
        assert!(!balanced("[concat('a', 'b']"));
        assert_eq!(
            args("f('a, b', g(1, 2), 'c''d')", 1),
            vec!["'a, b'", "g(1, 2)", "'c''d'"]
        );
    }

    #[test]
    fn a_reference_without_an_ordering_dependson_is_reported() {
        let vnet = serde_json::json!({ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2025-07-01", "name": "v",
            "properties": { "subnets": [ { "name": "s" } ] } });
        let nic = |deps: Value| {
            serde_json::json!({ "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2025-07-01", "name": "n",
            "properties": { "ipConfigurations": [ { "name": "c", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]" } } } ] },
            "dependsOn": deps })
        };
        let vm = serde_json::json!({ "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2026-03-01", "name": "m",
            "properties": { "x": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]" },
            "dependsOn": ["[resourceId('Microsoft.Network/networkInterfaces', 'n')]"] });
        let t =
            |deps: Value| serde_json::json!({ "resources": [vnet.clone(), nic(deps), vm.clone()] });
        let missing = lint(&[("t", &t(serde_json::json!([])))]);
        assert!(
            missing
                .iter()
                .any(|e| e.contains("resources/1(n)") && e.contains("without a dependsOn")),
            "{missing:?}"
        );
        // Direct, and (for the VM, through the NIC) transitive: both order the deployment.
        let ok = lint(&[(
            "t",
            &t(serde_json::json!([
                "[resourceId('Microsoft.Network/virtualNetworks', 'v')]"
            ])),
        )]);
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn a_dependson_must_name_the_resource_group_a_nested_deployment_goes_to() {
        let dep = |name: &str, rg: &str| {
            serde_json::json!({ "type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01", "name": name,
                "resourceGroup": rg, "properties": { "mode": "Incremental", "template": { "resources": [] } } })
        };
        let t = |d: &str| {
            let mut second = dep("b", "rg-b");
            second["dependsOn"] = serde_json::json!([d]);
            serde_json::json!({ "resources": [dep("a", "rg-a"), second] })
        };
        // Subscription-level id: matches nothing at deployment.
        let e = lint(&[(
            "main.json",
            &t("[resourceId('Microsoft.Resources/deployments', 'a')]"),
        )]);
        assert!(
            e.iter().any(|x| x.contains("but it deploys into rg-a")),
            "{e:?}"
        );
        // Another group: also wrong.
        let e = lint(&[(
            "main.json",
            &t(
                "[resourceId(subscription().subscriptionId, 'rg-b', 'Microsoft.Resources/deployments', 'a')]",
            ),
        )]);
        assert!(
            e.iter().any(|x| x.contains("in resource group rg-b")),
            "{e:?}"
        );
        let ok = lint(&[(
            "main.json",
            &t(
                "[resourceId(subscription().subscriptionId, 'rg-a', 'Microsoft.Resources/deployments', 'a')]",
            ),
        )]);
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn dependson_is_derived_from_references_and_parents() {
        let vnet = serde_json::json!({ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2025-07-01", "name": "v",
            "properties": { "subnets": [ { "name": "s" } ] } });
        let nic = serde_json::json!({ "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2025-07-01", "name": "n",
            "properties": { "ipConfigurations": [ { "name": "c", "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]" } } } ] } });
        let vm = serde_json::json!({ "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2026-03-01", "name": "m",
            "properties": { "nic": "[resourceId('Microsoft.Network/networkInterfaces', 'n')]", "vnet": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]" } });
        let peering = serde_json::json!({ "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2025-07-01", "name": "v/p", "properties": {} });
        let mut rs = vec![vnet, nic, vm, peering];
        let before = lint(&[("t", &serde_json::json!({ "resources": rs.clone() }))]);
        assert_eq!(
            before.len(),
            4,
            "nic, vm (twice) and the peering are unordered: {before:?}"
        );
        derive_depends_on(&mut rs);
        // The subnet orders the NIC after its VNet; the VM needs only the NIC (the VNet comes
        // through it); the peering gets its parent.
        assert_eq!(
            rs[1]["dependsOn"],
            serde_json::json!(["[resourceId('Microsoft.Network/virtualNetworks', 'v')]"])
        );
        assert_eq!(
            rs[2]["dependsOn"],
            serde_json::json!(["[resourceId('Microsoft.Network/networkInterfaces', 'n')]"])
        );
        assert_eq!(
            rs[3]["dependsOn"],
            serde_json::json!(["[resourceId('Microsoft.Network/virtualNetworks', 'v')]"])
        );
        assert!(rs[0].get("dependsOn").is_none());
        let after = lint(&[("t", &serde_json::json!({ "resources": rs }))]);
        assert!(after.is_empty(), "{after:?}");
    }
}
