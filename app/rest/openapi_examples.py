"""Response examples of the REST document, taken from the published API references with ids in
Haven's global id form (`tkt_<uuid>`)."""

from typing import Any

TICKET_ID = "tkt_3a2b1c0d-9e8f-7a6b-5c4d-3e2f1a0b9c8d"
TENANT_ID = "ten_f1e2d3c4-b5a6-9788-7c6d-5e4f3a2b1c0d"
EVENT_ID = "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6"
CONNECTOR_ID = "con_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"
WEBHOOK_URL = "https://api.supportos.io/api/v1/webhooks/events"
FIELD_MAPPINGS = [
    {"source": "payload.reporter_id", "target": "reporter_external_id"},
    {"source": "payload.reported_user_id", "target": "subject_external_id"},
    {"source": "payload.reason", "target": "category", "transform": "map_category"},
]

V1_TICKET_ID = "tkt_550e8400-e29b-41d4-a716-446655440000"
V1_TICKET: dict[str, Any] = {
    "ticket_id": V1_TICKET_ID,
    "ticket_number": 42,
    "subject": "Cannot access billing portal",
    "status": "open",
    "priority": "p2_high",
    "category": "billing",
    "created_at": "2026-03-18T14:32:00Z",
    "updated_at": "2026-03-18T15:10:00Z",
    "messages": [
        {
            "id": "cmt_660e8400-e29b-41d4-a716-446655440000",
            "author_type": "contact",
            "body": "Getting a 403 error...",
            "created_at": "2026-03-18T14:32:00Z",
        }
    ],
}

WEBHOOK_RECEIPT = {
    "id": TICKET_ID,
    "event_id": EVENT_ID,
    "status": "received",
    "created_at": "2026-04-02T14:30:01.123Z",
}

CONNECTOR_PAGE: dict[str, Any] = {
    "data": [
        {
            "id": CONNECTOR_ID,
            "name": "Dating Frame Production",
            "type": "webhook",
            "status": "active",
            "config": {"webhook_url": WEBHOOK_URL, "signing_secret_last4": "f6a7"},
            "inbound_mappings_count": 3,
            "outbound_actions_count": 2,
            "last_event_at": "2026-04-02T14:30:01.000Z",
            "created_at": "2026-03-01T10:00:00.000Z",
        }
    ],
    "pagination": {"cursor": None, "has_more": False, "total": 1},
}

CONNECTOR_CREATED = {
    "id": "con_e5f6a7b8-c9d0-1e2f-3a4b-5c6d7e8f9a0b",
    "name": "Dating Frame Staging",
    "type": "webhook",
    "status": "active",
    "config": {
        "webhook_url": WEBHOOK_URL,
        "signing_secret": "whsec_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
    },
    "created_at": "2026-04-02T15:25:00.000Z",
}

MAPPING = {
    "id": "map_c1d2e3f4-a5b6-7c8d-9e0f-a1b2c3d4e5f6",
    "connector_id": CONNECTOR_ID,
    "event_type": "user_reported",
    "field_mappings": FIELD_MAPPINGS,
    "created_at": "2026-04-02T15:30:00.000Z",
}

ACTION = {
    "id": "act_d1e2f3a4-b5c6-7d8e-9f0a-b1c2d3e4f5a6",
    "connector_id": CONNECTOR_ID,
    "action_type": "suspend_user",
    "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
    "method": "POST",
    "created_at": "2026-04-02T15:35:00.000Z",
}

REPORT_RECEIPT = {
    "id": "rpt_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
    "ticket_id": "tkt_f1e2d3c4-b5a6-7c8d-9e0f-a1b2c3d4e5f6",
    "status": "received",
    "message": "Thank you for your report. Our team will review it shortly.",
    "created_at": "2026-04-02T16:00:00.000Z",
}
