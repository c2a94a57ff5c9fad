"""Signed webhooks: verifying what platforms send, and (later) signing what Haven sends."""
