CREATE INDEX `request_logs_model_ts_idx` ON `request_logs` (`model`,`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_failed_ts_idx` ON `request_logs` (`ts`) WHERE status >= 400;--> statement-breakpoint
CREATE INDEX `request_logs_error_ts_idx` ON `request_logs` (`ts`) WHERE error IS NOT NULL;