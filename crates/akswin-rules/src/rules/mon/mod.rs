pub mod mon001_container_insights_off;
pub mod mon002_no_windows_data_collection;
pub mod mon003_memory_rss_on_windows;
pub mod mon004_action_group_id;
pub mod mon005_windows_metrics_off;
