"""Live fan-out of committed events to GraphQL subscribers."""
