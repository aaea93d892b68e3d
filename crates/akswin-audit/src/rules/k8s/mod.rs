pub mod k8s000_unparsable_document;
pub mod k8s001_removed_api_version;
pub mod k8s002_rejected_value;
