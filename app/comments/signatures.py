"""How a message is signed where its requester reads it. Staff see who wrote what; a requester
sees a person's display name or the team's name, never an internal one such as an API key's
("zapier-prod") or an automation's."""

from app.comments.models import AuthorKind, Comment


def public_signature(comment: Comment, team: str) -> str:
    """The name a requester sees on `comment`: a contact's own name (or address); an agent's
    display name when a signed-in person wrote it; otherwise `team`, the tenant's name, for
    whatever wrote it without a person behind it (an API key, the system)."""
    if comment.author_kind == AuthorKind.CONTACT:
        return comment.author_name or comment.author_email or "You"
    # Only comments by users carry an author id; an API key's comment keeps the key's name.
    is_person = comment.author_kind == AuthorKind.AGENT and comment.author_id is not None
    if is_person and comment.author_name:
        return comment.author_name
    return team
