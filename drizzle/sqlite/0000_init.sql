CREATE TABLE `access_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`display_prefix` text NOT NULL,
	`group_ids` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`expires_at` integer,
	`rpm_limit` integer,
	`requests` integer DEFAULT 0 NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_keys_secret_hash_uq` ON `access_keys` (`secret_hash`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`value_enc` text NOT NULL,
	`key_hash` text NOT NULL,
	`masked` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`reason` text,
	`cooldown_until` integer,
	`requests` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_used_at` integer,
	`notes` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_group_hash_uq` ON `api_keys` (`group_id`,`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_group_status_idx` ON `api_keys` (`group_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`channel_type` text NOT NULL,
	`upstreams` text NOT NULL,
	`test_model` text DEFAULT '' NOT NULL,
	`validation_endpoint` text DEFAULT '' NOT NULL,
	`model_redirect` text DEFAULT '{}' NOT NULL,
	`model_redirect_strict` integer DEFAULT false NOT NULL,
	`param_overrides` text DEFAULT '{}' NOT NULL,
	`header_rules` text DEFAULT '[]' NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`sub_groups` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_name_uq` ON `groups` (`name`);--> statement-breakpoint
CREATE TABLE `hourly_stats` (
	`hour` integer NOT NULL,
	`group_id` integer NOT NULL,
	`key_id` integer DEFAULT 0 NOT NULL,
	`model` text DEFAULT '' NOT NULL,
	`access_key_id` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`successes` integer DEFAULT 0 NOT NULL,
	`failures_key` integer DEFAULT 0 NOT NULL,
	`failures_rate_limit` integer DEFAULT 0 NOT NULL,
	`failures_upstream` integer DEFAULT 0 NOT NULL,
	`failures_client` integer DEFAULT 0 NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`duration_ms_sum` real DEFAULT 0 NOT NULL,
	`ttfb_ms_sum` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`hour`, `group_id`, `key_id`, `model`, `access_key_id`)
);
--> statement-breakpoint
CREATE INDEX `hourly_stats_group_hour_idx` ON `hourly_stats` (`group_id`,`hour`);--> statement-breakpoint
CREATE TABLE `install_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `request_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`request_id` text NOT NULL,
	`group_id` integer,
	`group_name` text DEFAULT '' NOT NULL,
	`sub_group_name` text,
	`access_key_id` integer,
	`access_key_name` text,
	`channel` text DEFAULT '' NOT NULL,
	`model` text,
	`upstream_model` text,
	`stream` integer DEFAULT false NOT NULL,
	`status` integer NOT NULL,
	`error_class` text,
	`error` text,
	`duration_ms` integer NOT NULL,
	`ttfb_ms` integer,
	`input_tokens` integer,
	`output_tokens` integer,
	`cached_tokens` integer,
	`client_ip` text,
	`user_agent` text,
	`upstream_url` text,
	`key_id` integer,
	`key_masked` text,
	`attempts` text DEFAULT '[]' NOT NULL,
	`request_body` text,
	`response_body` text
);
--> statement-breakpoint
CREATE INDEX `request_logs_ts_idx` ON `request_logs` (`ts`,`id`);--> statement-breakpoint
CREATE INDEX `request_logs_group_ts_idx` ON `request_logs` (`group_id`,`ts`,`id`);--> statement-breakpoint
CREATE INDEX `request_logs_status_ts_idx` ON `request_logs` (`status`,`ts`,`id`);--> statement-breakpoint
CREATE INDEX `request_logs_key_ts_idx` ON `request_logs` (`key_id`,`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_access_key_ts_idx` ON `request_logs` (`access_key_id`,`ts`);--> statement-breakpoint
CREATE TABLE `system_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
