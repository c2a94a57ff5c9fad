"""The mails the portal sends: a receipt for a new ticket and a lookup link."""

from email.message import EmailMessage

from app.kit.settings import Settings
from app.mail.sender import compose


def receipt(
    settings: Settings, to: str, number: int, subject: str, status_url: str, team: str
) -> EmailMessage:
    """The requester's receipt. Haven writes it, not a person, so the team (the tenant's
    name) signs it, as it signs the portal's messages that no person wrote."""
    text = (
        f"We have received your request #{number}: {subject}\n\n"
        "Follow its progress and reply here:\n"
        f"{status_url}\n\n"
        "This link is private: anyone who has it can read and answer the ticket, so do not "
        "forward this mail.\n\n"
        f"{team}\n"
    )
    return compose(settings, to, f"[#{number}] {subject}", text)


def lookup_link(settings: Settings, to: str, organisation: str, url: str) -> EmailMessage:
    text = (
        f"Someone asked to see the support tickets of this address at {organisation}.\n\n"
        f"This link lists them; it works for {settings.portal_lookup_minutes} minutes:\n"
        f"{url}\n\n"
        "If it was not you, ignore this mail: nothing is shown to anyone else.\n"
    )
    return compose(settings, to, f"Your tickets at {organisation}", text)


def agent_reply(
    settings: Settings, to: str, number: int, subject: str, reply: str, status_url: str, team: str
) -> EmailMessage:
    """A team member's public reply, with the private link to answer it."""
    text = (
        f"{reply}\n\n"
        "-- \n"
        f"Reply, or follow request #{number}, here:\n"
        f"{status_url}\n\n"
        "This link is private: anyone who has it can read and answer the ticket, so do not "
        "forward this mail.\n\n"
        f"{team}\n"
    )
    return compose(settings, to, f"Re: [#{number}] {subject}", text)
