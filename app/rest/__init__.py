"""The v1 REST API: a thin shim over the same services GraphQL calls."""
