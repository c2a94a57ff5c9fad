"""Shared plumbing: settings, database, errors, ids, pagination, validation."""
