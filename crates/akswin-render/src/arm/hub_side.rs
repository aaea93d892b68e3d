//! `arm/hub-side.json`: what an existing hub (`network.hub.existing`) needs for this spoke,
//! for the platform team that owns it. A resource-group template deployed into the hub VNet's
//! resource group (in the hub's subscription): the hub's side of the peering there, and nested
//! deployments into the firewall policy's group (this spoke's rule collection group) and the
//! private DNS zones' group (their links to the spoke, and the cluster identity's role on the
//! API server's zone), wherever those are.

use super::*;
use akswin_plan::egress::RULE_GROUPS;

impl Arm<'_> {
    /// The name of this spoke's rule collection group in the existing hub's policy.
    pub fn hub_side_rule_collection_group(&self) -> String {
        format!("rcg-{}", self.n.prefix)
    }

    /// The hub's peering to the spoke (its name in the hub VNet).
    pub fn hub_side_peering(&self) -> String {
        format!("peer-{}", self.n.vnet_spoke)
    }

    /// `arm/hub-side.json`, or `None` when akswin deploys the hub itself.
    pub fn hub_side(&self) -> Option<Value> {
        let h = self.existing_hub()?;
        let n = self.n;
        let spoke_id = expr::parameters("spokeVnetId");
        let mut params = Map::new();
        params.insert(
            "spokeVnetId".into(),
            json!({ "type": "string", "metadata": { "description": format!("resource id of the spoke VNet {} (deploy.sh main prints it)", n.vnet_spoke) } }),
        );
        let mut res = vec![Self::peering_to(
            &n.vnet_hub,
            v(spoke_id.clone()),
            &self.hub_side_peering(),
            self.has_gateway(),
            false,
        )];
        let cross = |name: String,
                     target: &akswin_spec::spec::ResourceId,
                     template: Value,
                     params: Value| {
            let mut d = deployment(&name, &target.resource_group, &[], params, template);
            d["subscriptionId"] = s(&target.subscription);
            d
        };
        if let Some(policy) = h.firewall_policy() {
            // One group holds what akswin spreads over several: the collections are numbered
            // again in the same order, so that their priorities stay unique within it (they
            // only allow, so the order among them changes nothing).
            let mut collections: Vec<Value> = RULE_GROUPS
                .iter()
                .flat_map(|&(group, priority)| self.rule_collections(group, priority))
                .collect();
            for (i, c) in collections.iter_mut().enumerate() {
                c["priority"] = json!(100 + 10 * i);
            }
            let rcg = json!({
                "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                "apiVersion": API_NETWORK,
                "name": format!("{}/{}", policy.name.clone().unwrap_or_default(), self.hub_side_rule_collection_group()),
                "properties": {
                    "priority": h.rule_collection_group_priority,
                    "ruleCollections": collections,
                },
            });
            res.push(cross(
                format!("akswin-{}-firewall-rules", n.prefix),
                &policy,
                rg_template(vec![rcg], json!({}), json!({})),
                json!({}),
            ));
        }
        if let Some(zones) = h.zones_group() {
            let mut zres = Vec::new();
            let mut zparams = json!({ "spokeVnetId": { "type": "string" } });
            let mut pass = json!({ "spokeVnetId": { "value": spoke_id.template() } });
            // Links to the spoke only where the spoke asks Azure DNS: a spoke with DNS servers
            // (the landing zone's resolver) never reads zones linked to it, and a link needs
            // join rights on the spoke VNet too. Never the API server's zone: AKS links it to
            // the cluster's VNet itself (Learn: private clusters, hub and spoke with custom DNS).
            let azure_dns = self.plan.addresses.dns_servers.is_empty();
            let aks_zone = self.aks_zone();
            for zone in self
                .zones()
                .into_iter()
                .filter(|z| azure_dns && *z != aks_zone)
            {
                zres.push(json!({
                    "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                    "apiVersion": API_PRIVATE_DNS,
                    "name": format!("{zone}/link-{}", n.vnet_spoke),
                    "location": "global",
                    "tags": self.tags(),
                    "properties": {
                        "registrationEnabled": false,
                        "virtualNetwork": { "id": expr::parameters("spokeVnetId") },
                    }
                }));
            }
            if self.spec.cluster.private_cluster {
                // The cluster identity writes the API server's record into the landing zone's
                // zone (a private cluster with a zone of its own: Private DNS Zone Contributor).
                params.insert(
                    "clusterPrincipalId".into(),
                    json!({ "type": "string", "metadata": { "description": format!("principal id of the cluster identity {} (deploy.sh main prints it)", n.id_cluster) } }),
                );
                zparams["clusterPrincipalId"] = json!({ "type": "string" });
                pass["clusterPrincipalId"] =
                    json!({ "value": expr::parameters("clusterPrincipalId").template() });
                // By its full id: the zone is the landing zone's, declared by no template here.
                let zone = expr::lit(format!(
                    "{}/providers/Microsoft.Network/privateDnsZones/{}",
                    zones.resource_group_id(),
                    self.aks_zone()
                ));
                zres.push(role_assignment(
                    &format!("{}-cluster-private-dns-zone-contributor", n.prefix),
                    &zone,
                    ROLE_PRIVATE_DNS_ZONE_CONTRIBUTOR,
                    &expr::parameters("clusterPrincipalId"),
                    &[],
                ));
            }
            if !zres.is_empty() {
                res.push(cross(
                    format!("akswin-{}-private-dns", n.prefix),
                    &zones,
                    rg_template(zres, zparams, json!({})),
                    pass,
                ));
            }
        }
        let mut t = rg_template(res, Value::Object(params), json!({}));
        t["metadata"] = self.metadata();
        Some(t)
    }
}
