"""A portal lookup's work, done after its answer has gone out.

The answer to a lookup is the same for every address, and so is the time it takes: the search
for the address's tickets, the throttle and the mails all run once the response is complete.
Done before it, they took measurably longer for addresses that have tickets, which told anyone
timing the endpoint who is a requester where."""

import logging

from starlette.background import BackgroundTask

from app.intake import public
from app.mail.sender import deliver
from app.services import Services

log = logging.getLogger(__name__)


async def send_lookup_links(services: Services, email: str, form_slug: str | None) -> None:
    """Mail `email` a lookup link from every tenant holding its tickets (see
    `public.lookup_mail`). The caller has been answered already, so a failure is logged, never
    raised: it has nobody to reach and must not look different from success."""
    try:
        messages = await public.lookup_mail(services, email, form_slug)
        await deliver(services.settings, messages)
    except Exception:
        # The address stays out of the log, as it stays out of the throttle's store.
        log.exception("portal lookup failed; no link was mailed")


def after_answer(services: Services, email: str, form_slug: str | None) -> BackgroundTask:
    """The lookup as a task for the response to run once it has been sent."""
    return BackgroundTask(send_lookup_links, services, email, form_slug)
