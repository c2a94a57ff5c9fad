"""Steps that reach outside Haven: a platform's action, a webhook endpoint, a chat channel.
Each goes through the same path a person's request would, so its signing, ordering, retries
and four-eyes rules hold for workflows too."""

from app.connectors.execution_states import AWAITING
from app.connectors.executions import ActionRequest, execution_gid, request_execution
from app.outbound_webhooks.models import EndpointFormat
from app.outbound_webhooks.repository import EndpointRepository
from app.outbound_webhooks.service import queue_event
from app.workflows.service import pk_of_config
from app.workflows.step_run import Outcome, StepFailed, StepRun


async def run_connector_action(run: StepRun) -> Outcome:
    """Ask for the platform action on the run's case, exactly as a person would: its variables
    filled from the case, sent by its own job with its idempotency key, or left awaiting a
    second person when the action needs four eyes (a workflow never approves)."""
    case_id = run.case_id
    if case_id is None:
        raise StepFailed("No case to run the action for")
    action_id = pk_of_config(run.config["action_id"], "OutboundAction")
    if action_id is None:
        raise StepFailed("config.action_id names no connector action")
    request = ActionRequest(case_id, action_id, run.config.get("variables") or {}, run.reason)
    shown = await request_execution(run.session, run.services.sealer, run.principal, request)
    execution = shown.execution
    waiting = " (awaits a second person's approval)" if execution.status == AWAITING else ""
    return Outcome(
        "done",
        f"Asked for connector action {execution_gid(execution)}{waiting}",
        context={"action_execution_id": str(execution.id)},
    )


# Deliveries a workflow adds to an event sort after the event's own (positions 0 and 1).
WORKFLOW_POSITION = 10


def _event_name(run: StepRun) -> str:
    return str(run.config.get("event") or f"workflow.{run.execution.trigger}")[:40]


async def to_chat(run: StepRun, format: EndpointFormat) -> Outcome:
    """The triggering event as a readable message to every active chat endpoint of `format`."""
    endpoints = await EndpointRepository(run.session, run.tenant_id).active_of_format(format)
    if not endpoints:
        raise StepFailed(f"No active {format} webhook endpoint to post to")
    position = WORKFLOW_POSITION + run.execution.next_step
    sent = await queue_event(
        run.session, run.tenant_id, endpoints, run.execution.event_seq, _event_name(run), position
    )
    return Outcome("done", f"Posted to {sent} {format} endpoint(s)")


async def send_webhook(run: StepRun) -> Outcome:
    """The triggering event to one of the tenant's webhook endpoints, signed and retried like
    every delivery, whatever events the endpoint subscribed to."""
    pk = pk_of_config(run.config["endpoint_id"], "WebhookEndpoint")
    endpoint = await EndpointRepository(run.session, run.tenant_id).get(pk) if pk else None
    if endpoint is None or not endpoint.active:
        raise StepFailed("config.endpoint_id is not an active webhook endpoint")
    position = WORKFLOW_POSITION + run.execution.next_step
    await queue_event(
        run.session, run.tenant_id, [endpoint], run.execution.event_seq, _event_name(run), position
    )
    return Outcome("done", f"Queued the event for webhook endpoint {endpoint.url}")
