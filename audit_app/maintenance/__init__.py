"""Running the service: backups and restores, the retention schedule, and the health check."""
