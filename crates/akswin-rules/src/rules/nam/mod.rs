//! NAM: Azure resource names akswin derives from the spec.

pub mod nam001_global_name_shortened;
pub mod nam002_name_suffix;
