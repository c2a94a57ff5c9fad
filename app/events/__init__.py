"""The append-only event log: the truth that live fan-out, webhooks and jobs read from."""
