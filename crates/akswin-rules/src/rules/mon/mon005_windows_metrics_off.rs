use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// With Windows node pools, that Azure Monitor managed service for Prometheus is on
    /// (`monitoring.prometheus.enabled`) with its Windows metrics
    /// (`monitoring.prometheus.windowsMetrics`), and that akswin deploys the Windows exporter
    /// (`monitoring.prometheus.windowsExporterImage`).
    ///
    /// ## Why it matters
    /// The managed Prometheus add-on scrapes Linux nodes out of the box, but its Windows
    /// targets (the Windows exporter on port 19182 and Windows kube-proxy) are off until the
    /// add-on's settings ConfigMap turns them on, and the Windows recording rules exist only
    /// when someone creates them. Without them the Windows nodes' CPU, memory, disk and network
    /// are missing from every Prometheus view: the pool that most needs watching (slow
    /// scale-out, large images filling the disk) is the one nobody sees. The add-on does not
    /// install the exporter itself: Microsoft's page asks you to deploy it as a HostProcess
    /// DaemonSet, which akswin renders from the image you name (it picks no version for you).
    ///
    /// ## How to fix
    /// Leave `monitoring.prometheus` at its defaults (`enabled: true`, `windowsMetrics: true`)
    /// and name the exporter image, for example the community image imported into your
    /// registry: a `registry.images` entry with `source:
    /// ghcr.io/prometheus-community/windows-exporter:<version>`, and
    /// `windowsExporterImage: <its name>`. akswin then renders the Azure Monitor workspace,
    /// the add-on and its data collection rule, `k8s/ama-metrics-settings-configmap.yaml` with
    /// the Windows targets on, `k8s/windows-exporter.yaml`, and its Windows recording rules
    /// and alerts.
    ///
    /// ## References
    /// - https://learn.microsoft.com/azure/aks/windows-best-practices (Windows metrics)
    /// - https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
    /// - https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-configuration
    /// - https://learn.microsoft.com/azure/azure-monitor/containers/enable-windows-metrics
    /// - docs/sources.md#managed-prometheus-and-windows-metrics
    pub struct Mon005 {
        code: "MON005",
        name: "windows-metrics-off",
        severity: Warning,
        summary: "Windows node pools without managed Prometheus Windows metrics",
    }
}

impl Rule for Mon005 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        // An existing cluster's add-ons are its owners': akswin renders no monitoring for it.
        if cx.windows_pools().next().is_none() || cx.spec.cluster.existing.is_some() {
            return;
        }
        let p = &cx.spec.monitoring.prometheus;
        if !p.enabled {
            out.warning(
                "/monitoring/prometheus/enabled",
                "managed Prometheus is off while the cluster has Windows node pools: no \
                 Windows node metrics are collected"
                    .into(),
                "set `monitoring.prometheus.enabled: true`",
            );
        } else if !p.windows_metrics {
            out.warning(
                "/monitoring/prometheus/windowsMetrics",
                "the Windows exporter and Windows kube-proxy are not scraped and no Windows \
                 recording rules are rendered, while the cluster has Windows node pools"
                    .into(),
                "set `monitoring.prometheus.windowsMetrics: true`",
            );
        } else if p.windows_exporter_image.is_none() {
            out.warning(
                "/monitoring/prometheus",
                "no Windows exporter is deployed (`windowsExporterImage` is not set): the \
                 add-on scrapes the Windows nodes' port 9182 and finds nothing there, so the \
                 Windows recording rules record nothing and `WindowsExporterNotScraped` fires"
                    .into(),
                "import the exporter image into your registry (a `registry.images` entry with \
                 `source: ghcr.io/prometheus-community/windows-exporter:<version>`) and set \
                 `monitoring.prometheus.windowsExporterImage` to its name",
            );
        }
    }
}
