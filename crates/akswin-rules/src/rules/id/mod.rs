pub mod id001_gmsa_prerequisites_missing;
pub mod id002_kerberos_without_gmsa_account;
pub mod id003_domain_joined_container;
pub mod id004_literal_secret;
pub mod id005_new_forest_has_no_users;
pub mod id006_ad_mode_inconsistent;
