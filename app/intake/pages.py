"""The portal's HTML: plain forms that work without JavaScript, text always escaped."""

from collections.abc import Iterable
from datetime import datetime
from html import escape

from starlette.responses import HTMLResponse

from app.comments.models import Comment
from app.comments.signatures import public_signature
from app.intake.models import IntakeForm
from app.intake.styles import CSS, PAGE_HEADERS
from app.intake.submission import DEFAULT_PRIORITY, FIELDS, PRIORITIES, Reading
from app.tickets.models import Ticket

SUBMIT_PATH = "/functions/v1/public-ticket-submit"
HONEYPOT = "website"
STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "waiting": "Waiting on you",
    "resolved": "Resolved",
    "closed": "Closed",
}
LABELS = {
    "name": "Your name",
    "email": "Email address",
    "subject": "Subject",
    "category": "Category",
    "priority": "Priority",
    "description": "Description",
}


def page(title: str, content: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n'
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n{content}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def message_page(title: str, lines: Iterable[str], status: int = 200) -> HTMLResponse:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return page(title, f"<h1>{escape(title)}</h1>{paragraphs}", status)


def when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


# --- the intake form ------------------------------------------------------------------------


def _error_summary(reading: Reading) -> str:
    items = "".join(
        f'<li><a href="#{key}">{escape(reading.errors[key])}</a></li>'
        for key in FIELDS
        if key in reading.errors
    )
    return (
        '<div class="summary" role="alert" aria-labelledby="summary-title" tabindex="-1">'
        f'<h2 id="summary-title">There is a problem</h2><ul>{items}</ul></div>'
    )


def _described(key: str, reading: Reading, hint: bool = False) -> tuple[str, str]:
    """The attributes tying a control to its hint and error, and the error's markup."""
    ids = [f"{key}-hint"] if hint else []
    error = ""
    if key in reading.errors:
        ids.append(f"{key}-error")
        error = f'<p class="error" id="{key}-error">Error: {escape(reading.errors[key])}</p>'
    attributes = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    if key in reading.errors:
        attributes += ' aria-invalid="true"'
    return attributes, error


def _input(key: str, kind: str, reading: Reading, autocomplete: str, limit: int) -> str:
    attributes, error = _described(key, reading)
    value = escape(reading.values.get(key, ""))
    return (
        f'<div class="field"><label for="{key}">{LABELS[key]} '
        '<span class="req">(required)</span></label>'
        f'{error}<input type="{kind}" id="{key}" name="{key}" value="{value}" required '
        f'maxlength="{limit}" autocomplete="{autocomplete}"{attributes}></div>'
    )


def _category(form: IntakeForm, reading: Reading) -> str:
    attributes, error = _described("category", reading)
    chosen = reading.values.get("category", "").strip().lower()
    options = ['<option value="">Not sure</option>'] + [
        f'<option value="{escape(name)}"{" selected" if name.lower() == chosen else ""}>'
        f"{escape(name)}</option>"
        for name in form.categories
    ]
    return (
        f'<div class="field"><label for="category">{LABELS["category"]}</label>{error}'
        f'<select id="category" name="category"{attributes}>{"".join(options)}</select></div>'
    )


def _priority(reading: Reading) -> str:
    attributes, error = _described("priority", reading)
    chosen = (reading.values.get("priority") or DEFAULT_PRIORITY).strip().lower()
    radios = "".join(
        f'<label><input type="radio" name="priority" value="{name}"'
        f"{' checked' if name.lower() == chosen else ''}> {name}</label>"
        for name in PRIORITIES
    )
    return (
        f'<fieldset id="priority"{attributes}><legend>{LABELS["priority"]}</legend>'
        f'{error}<div class="radios">{radios}</div></fieldset>'
    )


def _description(reading: Reading) -> str:
    attributes, error = _described("description", reading, hint=True)
    value = escape(reading.values.get("description", ""))
    return (
        f'<div class="field"><label for="description">{LABELS["description"]} '
        '<span class="req">(required)</span></label>'
        '<p class="hint" id="description-hint">What happened, what you expected, and '
        f"anything you have tried.</p>{error}"
        f'<textarea id="description" name="description" rows="8" required'
        f"{attributes}>{value}</textarea></div>"
    )


def form_page(form: IntakeForm, reading: Reading | None = None, status: int = 200) -> HTMLResponse:
    reading = reading or Reading({})
    intro = f"<p>{escape(form.intro)}</p>" if form.intro else ""
    title = f"Error: {form.title}" if reading.errors else form.title
    content = (
        f"{_error_summary(reading) if reading.errors else ''}"
        f"<h1>{escape(form.title)}</h1>{intro}"
        '<p class="hint">Fields marked (required) must be filled in.</p>'
        f'<form method="post" action="{SUBMIT_PATH}" accept-charset="utf-8">'
        f'<input type="hidden" name="form_slug" value="{escape(form.slug)}">'
        "<fieldset><legend>About you</legend>"
        f"{_input('name', 'text', reading, 'name', 200)}"
        f"{_input('email', 'email', reading, 'email', 320)}</fieldset>"
        "<fieldset><legend>Your request</legend>"
        f"{_input('subject', 'text', reading, 'off', 300)}"
        f"{_category(form, reading)}{_priority(reading)}{_description(reading)}</fieldset>"
        # People never see or reach this field; bots that fill every field give themselves away.
        f'<div class="trap" aria-hidden="true"><label for="{HONEYPOT}">Leave this empty</label>'
        f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" '
        'autocomplete="off"></div>'
        '<button type="submit">Send request</button></form>'
        '<p><a href="/portal">Find requests you sent before</a></p>'
    )
    return page(title, content, status)


# --- a ticket and its conversation ----------------------------------------------------------


def _messages(comments: list[Comment], team: str) -> str:
    if not comments:
        return "<p>No messages yet.</p>"
    items = "".join(
        f'<li><p class="meta">{escape(public_signature(c, team))}, '
        f'<time datetime="{c.created_at.isoformat()}">'
        f'{when(c.created_at)}</time></p><p class="body">{escape(c.body)}</p></li>'
        for c in comments
    )
    return f'<ol class="messages">{items}</ol>'


def _reply_form(action: str, error: str | None, value: str) -> str:
    attributes = ' aria-describedby="body-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="body-error">Error: {escape(error)}</p>' if error else ""
    return (
        f'<form method="post" action="{escape(action)}" accept-charset="utf-8">'
        '<div class="field"><label for="body">Your reply <span class="req">(required)</span>'
        f'</label>{message}<textarea id="body" name="body" rows="6" required{attributes}>'
        f'{escape(value)}</textarea></div><button type="submit">Send reply</button></form>'
    )


def ticket_page(
    ticket: Ticket,
    comments: list[Comment],
    action: str,
    *,
    team: str,
    notice: str = "",
    error: str | None = None,
    draft: str = "",
) -> HTMLResponse:
    """One ticket as its requester sees it: public messages only, oldest first, each signed
    as `public_signature` decides (`team` is the tenant's name)."""
    status = STATUS_LABELS.get(ticket.status, ticket.status)
    summary = (
        f'<div class="summary" role="alert"><h2>There is a problem</h2><ul><li>'
        f'<a href="#body">{escape(error)}</a></li></ul></div>'
        if error
        else ""
    )
    content = (
        f"{summary}<h1>{escape(ticket.title)}</h1>{notice}"
        f'<dl class="facts"><dt>Ticket</dt><dd>#{ticket.number}</dd>'
        f"<dt>Status</dt><dd>{escape(status)}</dd>"
        f"<dt>Opened</dt><dd>{when(ticket.created_at)}</dd></dl>"
        f"<h2>Messages</h2>{_messages(comments, team)}"
        f"<h2>Reply</h2>{_reply_form(action, error, draft)}"
    )
    title = f"Ticket #{ticket.number}: {ticket.title}"
    return page(f"Error: {title}" if error else title, content, 400 if error else 200)


def submitted_notice(ticket: Ticket, private_url: str) -> str:
    return (
        '<div class="notice" role="status"><h2>Request received</h2>'
        f"<p>Your ticket number is <strong>#{ticket.number}</strong>.</p>"
        "<p>This private link shows the ticket's progress and lets you reply. Keep it to "
        "yourself: anyone with it can read and answer the ticket.</p>"
        f'<p><a class="private" href="{escape(private_url)}">{escape(private_url)}</a></p></div>'
    )


def replied_notice() -> str:
    return '<div class="notice" role="status"><p>Your reply was sent.</p></div>'


# --- portal lookup --------------------------------------------------------------------------


def lookup_page(email: str, tickets: list[Ticket], base: str) -> HTMLResponse:
    if tickets:
        items = "".join(
            f'<li><p class="meta">#{t.number} · {escape(STATUS_LABELS.get(t.status, t.status))}'
            f" · opened {when(t.created_at)}</p>"
            f'<a href="{escape(base)}/tickets/{t.number}">{escape(t.title)}</a></li>'
            for t in tickets
        )
        listing = f'<ul class="tickets">{items}</ul>'
    else:
        listing = "<p>There are no tickets for this address.</p>"
    content = (
        f"<h1>Your tickets</h1><p>Tickets requested by {escape(email)}. This page stops "
        f"working soon after it was sent; ask for a new link when it does.</p>{listing}"
        '<p><a href="/portal">Ask for a new link</a></p>'
    )
    return page("Your tickets", content)


def portal_page(email: str = "", error: str | None = None, status: int = 200) -> HTMLResponse:
    attributes = ' aria-describedby="email-error" aria-invalid="true"' if error else ""
    message = f'<p class="error" id="email-error">Error: {escape(error)}</p>' if error else ""
    summary = (
        '<div class="summary" role="alert"><h2>There is a problem</h2><ul>'
        f'<li><a href="#email">{escape(error)}</a></li></ul></div>'
        if error
        else ""
    )
    content = (
        f"{summary}<h1>Find your tickets</h1>"
        "<p>Enter the email address you used. If we have tickets for it, we will email you "
        "a link to see them.</p>"
        f'<form method="post" action="{SUBMIT_PATH}" accept-charset="utf-8">'
        '<input type="hidden" name="action" value="lookup">'
        '<div class="field"><label for="email">Email address <span class="req">(required)'
        f"</span></label>{message}"
        f'<input type="email" id="email" name="email" value="{escape(email)}" required '
        f'autocomplete="email"{attributes}></div>'
        '<button type="submit">Email me a link</button></form>'
    )
    return page("Error: Find your tickets" if error else "Find your tickets", content, status)
