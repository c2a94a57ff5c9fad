"""Senders of outbound mail, chosen by settings: SMTP when a host is configured, otherwise an
outbox directory of .eml files that a developer can open (or a test can read)."""

import logging
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib

from app.kit.settings import Settings

log = logging.getLogger("haven.mail")


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        settings = self.settings
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


class OutboxSender:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{uuid.uuid4().hex}.eml"
        # Written aside and renamed, so a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)


def mail_sender(settings: Settings) -> MailSender:
    if settings.smtp_host:
        return SmtpSender(settings)
    return OutboxSender(settings.home / "outbox")


def compose(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text RFC 5322 message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    # Header values are one line: a title typed with line breaks must not become headers.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="haven")
    message.set_content(text)
    return message


async def deliver(settings: Settings, messages: list[EmailMessage]) -> None:
    """Send each message; a failure is logged and never reaches the request that caused it,
    which has already been answered."""
    sender = mail_sender(settings)
    for message in messages:
        try:
            await sender.send(message)
        except Exception:
            # By id: the subject holds the ticket's title, which is the requester's text.
            log.exception("could not send mail %s", message["Message-ID"])
