use crate::{Ctx, Out, Rule, declare_rule};
use akswin_spec::spec::Os;

declare_rule! {
    /// ## What it checks
    /// How each Windows workload's own logs reach the container's standard output
    /// (`workloads[].logs`, rendered as Microsoft's LogMonitor in front of the image's entry
    /// point):
    /// - a Windows workload without `logs` is reported as information: whatever it writes to
    ///   files, the event log or ETW stays inside the container;
    /// - `logs` on a Linux workload, `logs` without any source, an empty `command`, a
    ///   `command` part with a space or a quote, a `logMonitorPath` or file `directory` that is
    ///   not an absolute Windows path, and an ETW provider without a name or a valid GUID are
    ///   errors;
    /// - ETW providers on a workload that runs as `ContainerUser` are a warning: starting an
    ///   ETW session takes an administrator, a service account (Network Service) or the
    ///   Performance Log Users group, and LogMonitor then forwards nothing from them.
    ///
    /// ## Why it matters
    /// `kubectl logs` and Container Insights read only the container's standard output and
    /// error. IIS writes its request logs to files, ASP.NET on .NET Framework writes failures to
    /// the Application event log, and `ServiceMonitor.exe` prints nothing of either: the pod
    /// runs, and its logs are empty when something goes wrong. LogMonitor starts the real entry
    /// point, follows the configured sources and writes them to standard output; it also
    /// passes the stop signal on. It joins the parts of the command with single spaces and no
    /// quoting, so a part with a space or a quote starts a different command than the one
    /// written. A wrong directory or provider makes LogMonitor log an error and forward nothing
    /// from it.
    ///
    /// ## How to fix
    /// Add `LogMonitor.exe` to the image (for example under `C:\LogMonitor`), then give the
    /// workload `logs.command` (the image's own entry point, e.g. `C:\ServiceMonitor.exe` and
    /// `w3svc` for IIS) and its sources: `eventLogs` (channel, level), `files` (directory,
    /// filter) and `etw` (provider name or GUID). For a command with spaces, start it through
    /// a script whose path has none.
    ///
    /// ## References
    /// - https://learn.microsoft.com/virtualization/windowscontainers/troubleshooting#log-monitor
    /// - https://github.com/microsoft/windows-container-tools/tree/main/LogMonitor
    /// - https://github.com/microsoft/iis-docker/issues/118 (IIS logs not on stdout)
    /// - https://learn.microsoft.com/windows/win32/api/evntrace/nf-evntrace-starttracew (who
    ///   may start an ETW session)
    pub struct Wrk004 {
        code: "WRK004",
        name: "windows-workload-logs",
        severity: Error,
        summary: "A Windows workload whose logs do not reach stdout, or a LogMonitor setup that cannot work",
    }
}

/// `C:\...`: an absolute path with a drive letter.
fn absolute_windows_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\'
}

/// A GUID as LogMonitor parses it: 8-4-4-4-12 hexadecimal digits, optionally in braces.
fn etw_guid(g: &str) -> bool {
    let inner = g
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(g);
    akswin_spec::types::is_guid(inner)
}

impl Rule for Wrk004 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx.spec.workloads.iter().enumerate() {
            let base = format!("/workloads/{i}");
            let Some(logs) = &w.logs else {
                if w.os == Os::Windows {
                    out.info(
                        &format!("{base}/name"),
                        format!(
                            "Windows workload {}: only what its entry point prints reaches kubectl logs and Container Insights; IIS and .NET Framework log to files, the event log and ETW",
                            w.name
                        ),
                        "add `logs` (LogMonitor in the image, its sources in the spec) so the application's own logs reach stdout",
                    );
                }
                continue;
            };
            if w.os == Os::Linux {
                out.error(
                    &format!("{base}/logs"),
                    format!(
                        "workload {} runs on Linux: LogMonitor is a Windows tool",
                        w.name
                    ),
                    "remove logs; a Linux application logs to stdout itself",
                );
                continue;
            }
            if logs.event_logs.is_empty() && logs.files.is_empty() && logs.etw.is_empty() {
                out.error(
                    &format!("{base}/logs"),
                    format!(
                        "workload {}: logs lists no event log, file or ETW source, so LogMonitor forwards nothing",
                        w.name
                    ),
                    "list eventLogs, files or etw, or remove logs",
                );
            }
            if logs.command.is_empty() {
                out.error(
                    &format!("{base}/logs/command"),
                    format!(
                        "workload {}: logs.command is empty; LogMonitor replaces the image's entry point and must start it",
                        w.name
                    ),
                    "give the image's entry point, e.g. [\"C:\\\\ServiceMonitor.exe\", \"w3svc\"]",
                );
            }
            for (j, part) in logs.command.iter().enumerate() {
                if part.is_empty() || part.contains([' ', '\t', '"']) {
                    out.error(
                        &format!("{base}/logs/command/{j}"),
                        format!(
                            "workload {}: command part {part:?} is empty or has a space or a quote; LogMonitor joins the parts with spaces and no quoting, so it would start another command",
                            w.name
                        ),
                        "start the program through a script or a path without spaces",
                    );
                }
            }
            if let Some(path) = &logs.log_monitor_path
                && !(absolute_windows_path(path) && path.to_ascii_lowercase().ends_with(".exe"))
            {
                out.error(
                    &format!("{base}/logs/logMonitorPath"),
                    format!(
                        "workload {}: logMonitorPath {path:?} is not an absolute Windows path to an .exe",
                        w.name
                    ),
                    "e.g. C:\\LogMonitor\\LogMonitor.exe (where the image has it)",
                );
            }
            for (j, f) in logs.files.iter().enumerate() {
                if !absolute_windows_path(&f.directory) {
                    out.error(
                        &format!("{base}/logs/files/{j}/directory"),
                        format!(
                            "workload {}: log directory {:?} is not an absolute Windows path",
                            w.name, f.directory
                        ),
                        "e.g. C:\\inetpub\\logs",
                    );
                }
            }
            if !logs.etw.is_empty() && w.run_as() == akswin_spec::spec::RunAs::ContainerUser {
                out.warning(
                    &format!("{base}/logs/etw"),
                    format!(
                        "workload {} runs as ContainerUser, which may not start an ETW session: LogMonitor would forward nothing from its ETW providers",
                        w.name
                    ),
                    "run as NetworkService or ContainerAdministrator (IIS images need the latter anyway), or drop the ETW providers",
                );
            }
            for (j, p) in logs.etw.iter().enumerate() {
                match (&p.name, &p.guid) {
                    (None, None) => out.error(
                        &format!("{base}/logs/etw/{j}"),
                        format!(
                            "workload {}: an ETW provider needs a name or a GUID",
                            w.name
                        ),
                        "give name (e.g. Microsoft-Windows-IIS-Logging), guid or both; `logman query providers` lists them",
                    ),
                    (_, Some(g)) if !etw_guid(g) => out.error(
                        &format!("{base}/logs/etw/{j}/guid"),
                        format!(
                            "workload {}: ETW provider GUID {g:?} is not 8-4-4-4-12 hexadecimal digits (optionally in braces)",
                            w.name
                        ),
                        "e.g. 7E8AD27F-B271-4EA2-A783-A47BDE29143B",
                    ),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_as_log_monitor_parses_them() {
        assert!(etw_guid("7E8AD27F-B271-4EA2-A783-A47BDE29143B"));
        assert!(etw_guid("{7E8AD27F-B271-4EA2-A783-A47BDE29143B}"));
        assert!(!etw_guid("{7E8AD27F-B271-4EA2-A783-A47BDE29143B"));
        assert!(!etw_guid("7E8AD27FB2714EA2A783A47BDE29143B"));
        assert!(!etw_guid("7E8AD27F-B271-4EA2-A783-A47BDE29143G"));
    }

    #[test]
    fn windows_paths() {
        assert!(absolute_windows_path("C:\\LogMonitor\\LogMonitor.exe"));
        assert!(!absolute_windows_path("LogMonitor.exe"));
        assert!(!absolute_windows_path("/LogMonitor/LogMonitor.exe"));
        assert!(!absolute_windows_path("C:"));
    }
}
