"""Haven: multi-tenant support desk and trust-and-safety casework."""

__version__ = "0.1.0"
