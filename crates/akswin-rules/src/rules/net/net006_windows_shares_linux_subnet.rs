use crate::rules::spoke_cidr;
use crate::{Ctx, Out, Rule, declare_rule};

declare_rule! {
    /// ## What it checks
    /// That no Windows pool's node subnet is also a Linux pool's node subnet (same subnet key
    /// via `subnet:`, or explicit prefixes that overlap).
    ///
    /// ## Why it matters
    /// "With regard to the Windows node pool, it is recommended that you segregate that from
    /// the other node pools logically through separate subnets." Separate subnets let NSGs and
    /// firewall rules (Windows Update FQDNs, AD ports for gMSA) target Windows nodes only, and
    /// keep a Windows scale-out from exhausting Linux addresses.
    ///
    /// ## How to fix
    /// Leave `subnet:` unset on pools (Windows pools default to `windowsNodes`), or give the
    /// Windows pool its own subnet key.
    ///
    /// ## References
    /// - Architecture, "IP address planning"
    pub struct Net006 {
        code: "NET006",
        name: "windows-shares-linux-subnet",
        severity: Warning,
        summary: "The Windows pool shares a subnet with Linux pools",
    }
}

impl Rule for Net006 {
    fn meta(&self) -> &'static akswin_diag::RuleMeta {
        &Self::META
    }
    fn check(&self, cx: &Ctx<'_>, out: &mut Out<'_>) {
        for (i, w) in cx.windows_pools() {
            let wkey = w.subnet_key();
            let wcidr = spoke_cidr(cx.spec, wkey);
            for (_, l) in cx.pools().filter(|(_, p)| !p.is_windows()) {
                let lkey = l.subnet_key();
                let shared = wkey == lkey
                    || matches!((wcidr, spoke_cidr(cx.spec, lkey)), (Some(a), Some(b)) if a.overlaps(&b));
                if shared {
                    let ptr = if w.subnet.is_some() {
                        format!("{}/subnet", Ctx::pool_ptr(i))
                    } else {
                        format!("/network/spoke/subnets/{}", wkey.key())
                    };
                    out.warning(
                        &ptr,
                        format!(
                            "Windows pool `{}` shares its node subnet ({}) with Linux pool `{}`",
                            w.name,
                            wkey.key(),
                            l.name
                        ),
                        "give Windows pools their own subnet (windowsNodes) so NSG and firewall rules can target them",
                    );
                    break;
                }
            }
        }
    }
}
