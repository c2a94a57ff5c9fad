"""Ticket SLAs: response and resolution targets in business time, and their warnings."""
