//! NAM: Azure resource names akswin derives from the spec.

pub mod nam001_global_name_shortened;
pub mod nam002_name_suffix;
pub mod nam003_existing_resource_names;
pub mod nam004_unknown_region;
