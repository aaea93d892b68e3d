pub mod k8s000_unparsable_document;
pub mod k8s001_removed_api_version;
