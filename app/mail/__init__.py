"""Outbound mail: one sender interface, SMTP in production and a local outbox otherwise."""
