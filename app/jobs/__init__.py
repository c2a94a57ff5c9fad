"""Background work on a PostgreSQL-backed queue (pgqueuer): scheduled maintenance and jobs."""
