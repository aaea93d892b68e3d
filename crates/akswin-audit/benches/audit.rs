//! Benchmark of `akswin audit`'s engine, with a corpus generator.
//!
//! `cargo bench -p akswin-audit` audits generated corpora of 1,000 / 10,000 / 100,000
//! documents in memory and prints documents per second and peak RSS.
//! `cargo bench -p akswin-audit --bench audit -- --write DIR N` writes an N-document corpus to DIR (files of
//! 100 documents) for timing the CLI and for the checkov comparison (scripts/bench-audit.sh).
//!
//! The corpus: Windows and Linux Deployments, Services, ConfigMaps, PodDisruptionBudgets and
//! DaemonSets; about a third with defects (missing OS selector, ltsc2019 on a Windows2022
//! selector, Linux-only fields, public load balancers, :latest, overcommit), and 1 % malformed.
//! Deterministic: the same N gives the same corpus.

use akswin_audit::{Context, Input, audit};
use std::hint::black_box;
use std::time::Instant;

fn doc(i: usize) -> String {
    let defect = i.is_multiple_of(3);
    match i % 10 {
        0..=2 => {
            let (selector, image, extra) = match (defect, i % 4) {
                (false, _) => (
                    "kubernetes.io/os: windows, kubernetes.azure.com/os-sku: Windows2022",
                    "contosoacr.azurecr.io/legacy/web-{i}:4.8-ltsc2022",
                    "",
                ),
                (true, 0) => (
                    "kubernetes.azure.com/agentpool: win22",
                    "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2022",
                    "",
                ),
                (true, 1) => (
                    "kubernetes.io/os: windows, kubernetes.azure.com/os-sku: Windows2022",
                    "contosoacr.azurecr.io/legacy/web-{i}:4.8-ltsc2019",
                    "",
                ),
                (true, 2) => (
                    "kubernetes.io/os: windows",
                    "contosoacr.azurecr.io/legacy/web-{i}:latest",
                    "        securityContext: { runAsUser: 1000 }\n",
                ),
                _ => (
                    "kubernetes.io/os: windows",
                    "contosoacr.azurecr.io/legacy/web-{i}:4.8-ltsc2022",
                    "",
                ),
            };
            let image = image.replace("{i}", &i.to_string());
            let res = if defect {
                "{ requests: { cpu: 500m, memory: 1Gi }, limits: { cpu: \"1\", memory: 2Gi } }"
            } else {
                "{ requests: { cpu: \"1\", memory: 2Gi }, limits: { cpu: \"1\", memory: 2Gi } }"
            };
            format!(
                "# Source: legacy/templates/deployment-{i}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: legacy\n  labels: {{ app: web-{i}, tier: frontend }}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{ app: web-{i} }}\n  template:\n    metadata:\n      labels: {{ app: web-{i} }}\n    spec:\n      os: {{ name: windows }}\n      nodeSelector: {{ {selector} }}\n      securityContext: {{ windowsOptions: {{ runAsUserName: ContainerUser }} }}\n      containers:\n      - name: web\n        image: {image}\n        imagePullPolicy: IfNotPresent\n        ports: [ {{ containerPort: 443, name: https }} ]\n        resources: {res}\n        readinessProbe: {{ tcpSocket: {{ port: 443 }}, initialDelaySeconds: 60 }}\n{extra}"
            )
        }
        3..=4 => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{ name: api-{i}, namespace: api }}\nspec:\n  replicas: 2\n  selector: {{ matchLabels: {{ app: api-{i} }} }}\n  template:\n    metadata: {{ labels: {{ app: api-{i} }} }}\n    spec:\n{sel}      containers:\n      - name: api\n        image: contosoacr.azurecr.io/api/service-{i}:1.{i}\n        resources: {{ requests: {{ cpu: 250m, memory: 256Mi }}, limits: {{ cpu: 500m, memory: 512Mi }} }}\n        securityContext: {{ runAsNonRoot: true, readOnlyRootFilesystem: true }}\n",
            sel = if defect {
                ""
            } else {
                "      nodeSelector: { kubernetes.io/os: linux }\n"
            }
        ),
        5 => format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\n  namespace: legacy\n  annotations:\n{ann}spec:\n  type: LoadBalancer\n  selector: {{ app: web-{i} }}\n  ports: [ {{ port: 443, targetPort: https }} ]\n",
            ann = if defect {
                "    owner: team-{i}\n".replace("{i}", &i.to_string())
            } else {
                "    service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"\n".into()
            }
        ),
        6 => format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: cfg-{i}, namespace: legacy }}\ndata:\n  appsettings.json: |\n    {{ \"ConnectionStrings\": {{ \"Db\": \"Server=sql-{i};Integrated Security=true\" }} }}\n  LOG_LEVEL: info\n"
        ),
        7 => format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{ name: web-{}, namespace: legacy }}\nspec: {{ maxUnavailable: 1, selector: {{ matchLabels: {{ app: web-{} }} }} }}\n",
            i - 7,
            i - 7
        ),
        8 => format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{ name: agent-{i}, namespace: kube-system }}\nspec:\n  selector: {{ matchLabels: {{ app: agent-{i} }} }}\n  template:\n    metadata: {{ labels: {{ app: agent-{i} }} }}\n    spec:\n      nodeSelector: {{ kubernetes.io/os: linux }}\n      containers:\n      - {{ name: agent, image: mcr.microsoft.com/oss/agent:2.{i}, resources: {{ requests: {{ cpu: 50m, memory: 64Mi }}, limits: {{ cpu: 100m, memory: 128Mi }} }} }}\n"
        ),
        _ if i % 100 == 9 => format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{ name: broken-{i}\ndata: [unclosed\n"
        ),
        _ => format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{ name: sa-{i}, namespace: legacy }}\n"
        ),
    }
}

/// The corpus as files of 100 documents.
pub fn corpus(n: usize) -> Vec<Input> {
    (0..n.div_ceil(100))
        .map(|f| {
            let docs: Vec<String> = (f * 100..((f + 1) * 100).min(n)).map(doc).collect();
            Input {
                name: format!("corpus/part-{f:05}.yaml"),
                text: docs.join("---\n"),
            }
        })
        .collect()
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--write") {
        let dir = std::path::PathBuf::from(&args[pos + 1]);
        let n: usize = args[pos + 2].parse().unwrap_or(10_000);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        for inp in corpus(n) {
            let name = inp.name.trim_start_matches("corpus/");
            std::fs::write(dir.join(name), inp.text).unwrap_or_else(|e| panic!("{e}"));
        }
        println!("wrote {n} documents to {}", dir.display());
        return;
    }
    let cx = Context::default().finish();
    for n in [1_000, 10_000, 100_000] {
        let inputs = corpus(n);
        let bytes: usize = inputs.iter().map(|i| i.text.len()).sum();
        let runs = if n >= 100_000 { 3 } else { 10 };
        let mut best = f64::MAX;
        let mut findings = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = black_box(audit(black_box(&inputs), &cx));
            best = best.min(t.elapsed().as_secs_f64());
            findings = r.findings.len();
        }
        println!(
            "audit {n:>7} documents ({:.1} MB): best {:.3} s over {runs} runs, {:.0} docs/s, {findings} findings, peak RSS so far {:.1} MiB",
            bytes as f64 / 1e6,
            best,
            n as f64 / best,
            peak_rss_mib()
        );
    }
}
