"""The ticket categories AI triage chooses from when a tenant has configured none.

The safety categories carry the names reports are filed under, so a ticket triaged as
`csea_concern` and a report filed as `csea_concern` meet in the same queues and rules."""

from app.ai.contract import Category
from app.tickets.categories import ReportCategory

ACCOUNT = "account"
BILLING = "billing"
TECHNICAL = "technical"
FEATURE_REQUEST = "feature_request"

DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category(
        ACCOUNT,
        "Signing in, passwords, two-factor codes, verification, profile and account settings, "
        "suspensions, recovering or deleting an account",
    ),
    Category(
        BILLING,
        "Payments, subscriptions, charges, refunds, invoices, receipts and seller payouts",
    ),
    Category(
        TECHNICAL,
        "Bugs, crashes, error messages, outages, slow or broken features, connection problems",
    ),
    Category(
        FEATURE_REQUEST,
        "Suggestions and requests for new features or changes to how the product works",
    ),
    Category(
        ReportCategory.HARASSMENT.value,
        "Abuse, bullying, hate, threats, stalking or unwanted contact from another user",
    ),
    Category(
        ReportCategory.INAPPROPRIATE_CONTENT.value,
        "Nudity, sexual or violent content, offensive photos or messages, prohibited items",
    ),
    Category(
        ReportCategory.SPAM.value,
        "Unsolicited promotion, bots, fake engagement, repeated unwanted messages and links",
    ),
    Category(
        ReportCategory.SCAM.value,
        "Fraud, romance scams, fake listings or profiles, phishing, requests for money or "
        "payment details",
    ),
    Category(
        ReportCategory.UNDERAGE.value,
        "A user who appears to be under 18 on a platform for adults",
    ),
    Category(
        ReportCategory.CSEA_CONCERN.value,
        "Suspected child sexual exploitation or abuse: grooming, sexual contact with a minor, "
        "sexual images of children",
    ),
    Category(
        ReportCategory.SELF_HARM.value,
        "Someone at risk of suicide or self-harm, or content that encourages it",
    ),
    Category(ReportCategory.OTHER.value, "Anything that fits no other category"),
)

# Categories whose reply speaks for the safety team rather than the help desk.
SAFETY_CATEGORIES = frozenset(category.value for category in ReportCategory) - {
    ReportCategory.OTHER.value
}
