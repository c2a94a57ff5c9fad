"""Ids the document's examples share, taken from the published API references in Haven's global
id form (`tkt_<uuid>`), so a ticket in one example is the same ticket in the next."""

TICKET_ID = "tkt_3a2b1c0d-9e8f-7a6b-5c4d-3e2f1a0b9c8d"
TENANT_ID = "ten_f1e2d3c4-b5a6-9788-7c6d-5e4f3a2b1c0d"
EVENT_ID = "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6"
