pub mod sec001_public_api_server;
pub mod sec002_public_registry_or_vault;
