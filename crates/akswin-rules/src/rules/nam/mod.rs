//! NAM: Azure resource names akswin derives from the spec.

pub mod nam001_global_name_shortened;
