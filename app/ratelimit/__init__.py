"""Per-plan rate limits: who is calling, what a request costs, and the shared counters."""
