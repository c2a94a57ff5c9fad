"""Evidence storage: immutable, content-addressed objects, verified on every read."""
