"""The API document's knowledge examples, byte for byte as its curl commands send them, and a
small help centre for them to find: the articles its answers show, among unrelated ones."""

import uuid
from typing import Any

from app.services import Services
from tests.knowledge.helpers import written_and_indexed

LIST_EXAMPLE = "/api/v1/knowledge?status=published&limit=10"
CREATE_EXAMPLE = r"""{
    "title": "Account Deletion Process",
    "content": "When a user requests account deletion, the following steps must be followed:\n\n1. Verify the user identity via email confirmation.\n2. Initiate a 30-day cooling-off period.\n3. After 30 days, permanently delete all personal data.\n4. Retain anonymised usage data for compliance purposes.",
    "category": "procedures",
    "tags": ["gdpr", "account", "deletion"],
    "status": "published"
  }"""  # noqa: E501
SEARCH_EXAMPLE = """{
    "query": "What is our harassment policy?",
    "limit": 3
  }"""
V1_SEARCH_EXAMPLE = "/v1/articles/search?q=billing+portal&limit=5"

HARASSMENT = {
    "title": "Community Guidelines — Harassment Policy",
    "category": "policies",
    "content": "# Harassment\n\nOur platform has a **zero-tolerance** policy for harassment. "
    "Harassment includes threats, slurs, unwanted sexual attention and coordinated pile-ons. "
    "Accounts that harass others are suspended on the first confirmed report.\n\n"
    "## Reporting\n\nReport harassment from the [report button](https://help.example/report) "
    "on any profile or message.",
}
ESCALATION = {
    "title": "Escalation Procedures for Repeat Offenders",
    "category": "procedures",
    "content": "When a user has multiple harassment reports, escalate the account to the "
    "safety team. A second confirmed report means a permanent ban; a third report against a "
    "banned user's new account is handled as ban evasion.",
}
SUBSCRIPTION = {
    "title": "Managing Your Subscription",
    "slug": "managing-subscription",
    "category": "Billing",
    "content": "Learn how to access and manage your billing portal. Open Settings, then "
    "Billing, and choose Manage Subscription to change your plan, update your card or download "
    "invoices. Changes to your plan take effect at the start of the next billing period, and "
    "a downgrade keeps your current features until then.",
}
UNRELATED = [
    {
        "title": "Resetting your password",
        "category": "faq",
        "content": "Forgot your password? Choose Forgot password on the sign-in page and follow "
        "the link we email you. The link works for one hour.",
    },
    {
        "title": "Exporting your data",
        "category": "faq",
        "content": "You can download a copy of your messages and photos from Settings, Privacy, "
        "Export data. The archive is ready within a day.",
    },
]


async def help_centre(services: Services, tenant_id: uuid.UUID) -> dict[str, Any]:
    """The articles above, published and indexed, by title."""
    found = {}
    for fields in (HARASSMENT, ESCALATION, SUBSCRIPTION, *UNRELATED):
        article = await written_and_indexed(services, tenant_id, **fields)
        found[article.title] = article
    return found
