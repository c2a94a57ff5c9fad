"""outbound webhooks: endpoints, deliveries written by a trigger on events, and attempts

Revision ID: e8f0a2b4c6d8
Revises: d7e9f1a3b5c7
Create Date: 2026-12-08 00:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e8f0a2b4c6d8"
down_revision: str | None = "d7e9f1a3b5c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The names each event-log type is sent under (app.outbound_webhooks.catalog.SOURCES).
EVENT_NAMES = """
CREATE FUNCTION webhook_event_names(kind text, payload jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE kind
    WHEN 'ticket_created' THEN ARRAY['ticket_created']
    WHEN 'status_changed' THEN ARRAY['status_changed', 'ticket_status_changed']
    WHEN 'assigned' THEN ARRAY['assigned', 'ticket_assigned']
    WHEN 'comment_added' THEN
      CASE WHEN payload -> 'comment' ->> 'author_kind' = 'agent'
        THEN ARRAY['comment_added', 'ticket_replied'] ELSE ARRAY['comment_added'] END
    WHEN 'ticket_resolved' THEN ARRAY['ticket_resolved']
    WHEN 'sla_breached' THEN ARRAY['sla_breach']
    WHEN 'case_created' THEN ARRAY['case_created']
    WHEN 'case_status_changed' THEN ARRAY['case_status_changed']
    WHEN 'case_assigned' THEN ARRAY['case_assigned']
    WHEN 'case_priority_changed' THEN ARRAY['case_priority_changed']
    WHEN 'ticket_linked' THEN ARRAY['case_ticket_linked']
    WHEN 'referral_changed' THEN ARRAY['referral_updated']
    ELSE ARRAY[]::text[]
  END
$$
"""
# One delivery per active endpoint that asked for one of the event's names, and a job to send
# it, in the transaction that writes the event. Internal events never leave Haven.
DELIVERIES = """
CREATE FUNCTION webhook_deliveries_for_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.internal THEN
    RETURN NULL;
  END IF;
  WITH made AS (
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, seq, position, event)
    SELECT NEW.tenant_id, e.id, NEW.seq, n.position, n.name
    FROM webhook_endpoints e
    CROSS JOIN LATERAL unnest(webhook_event_names(NEW.type, NEW.payload))
      WITH ORDINALITY AS n(name, position)
    WHERE e.tenant_id = NEW.tenant_id AND e.active AND n.name = ANY(e.events)
    RETURNING endpoint_id
  )
  INSERT INTO pgqueuer (priority, entrypoint, payload, status, execute_after)
  SELECT 0, 'webhook_deliver',
    convert_to(json_build_object('endpoint_id', endpoint_id)::text, 'UTF8'), 'queued', now()
  FROM (SELECT DISTINCT endpoint_id FROM made) AS owed;
  RETURN NULL;
END
$$
"""
TRIGGER = """
CREATE TRIGGER events_webhook_deliveries AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_for_event()
"""


def _endpoints() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("events", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("secret_last4", sa.String(4), nullable=False),
        sa.Column("previous_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(300), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "format IN ('standard', 'slack', 'teams', 'discord')",
            name=op.f("ck_webhook_endpoints_format_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_endpoints_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_webhook_endpoints_tenant_id"),
    )
    op.create_index(
        "ix_webhook_endpoints_tenant_created", "webhook_endpoints", ["tenant_id", "created_at"]
    )


def _deliveries() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False, server_default=sa.func.gen_random_uuid()),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("last_status", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_deliveries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"],
            ["webhook_endpoints.tenant_id", "webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_tenant_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "seq"],
            ["events.tenant_id", "events.seq"],
            name="fk_webhook_deliveries_event",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_webhook_deliveries_tenant_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_pending",
        "webhook_deliveries",
        ["endpoint_id", "seq", "position"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_seq", "webhook_deliveries", ["endpoint_id", "seq"]
    )


def _attempts() -> None:
    op.create_table(
        "webhook_attempts",
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "delivery_id"],
            ["webhook_deliveries.tenant_id", "webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_tenant_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "number"])


def upgrade() -> None:
    _endpoints()
    _deliveries()
    _attempts()
    op.execute(EVENT_NAMES)
    op.execute(DELIVERIES)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER events_webhook_deliveries ON events")
    op.execute("DROP FUNCTION webhook_deliveries_for_event()")
    op.execute("DROP FUNCTION webhook_event_names(text, jsonb)")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
