"""The fixed wording of local replies, in one place so that a support lead can read it all.

Emergency numbers are the UK's with a pointer to the local one; Samaritans (116 123) answers
day and night across the UK and Ireland, and 988 is the US Suicide & Crisis Lifeline."""

from app.ai.categories import ACCOUNT, BILLING, FEATURE_REQUEST, TECHNICAL
from app.ai.contract import Tone
from app.tickets.categories import ReportCategory

GREETING = {Tone.PROFESSIONAL: "Hello,", Tone.EMPATHETIC: "Hi there,", Tone.FIRM: "Hello,"}
CLOSING = {
    Tone.PROFESSIONAL: "Kind regards,",
    Tone.EMPATHETIC: "Take care,",
    Tone.FIRM: "Regards,",
}

# What a ticket of each category is about, in the words a reply uses for it.
ABOUT = {
    ACCOUNT: "your account",
    BILLING: "a payment or charge on your account",
    TECHNICAL: "a problem with our service",
    FEATURE_REQUEST: "your idea for the product",
    ReportCategory.HARASSMENT.value: "the way another member has been treating you",
    ReportCategory.INAPPROPRIATE_CONTENT.value: "content that should not be on our platform",
    ReportCategory.SPAM.value: "unwanted messages and posts",
    ReportCategory.SCAM.value: "what may be a scam",
    ReportCategory.UNDERAGE.value: "a member who may be under 18",
    ReportCategory.CSEA_CONCERN.value: "a child's safety",
    ReportCategory.OTHER.value: "your question",
}

# When the category is too uncertain to name.
GENERAL_ACKNOWLEDGEMENT = {
    Tone.PROFESSIONAL: "Thank you for your message.",
    Tone.EMPATHETIC: "Thank you for reaching out to us.",
    Tone.FIRM: "We have received your message.",
}
FOLLOW_UP = "A member of our team will look into this and reply as soon as possible."

SAFETY_TEAM = (
    "We've flagged this for our safety team, who will review it and act where our rules have "
    "been broken. In the meantime you can block the member from their profile or your "
    "conversation, and use Report there so that we have everything we need."
)
UNDERAGE = (
    "We've flagged this for our safety team to check the member's age as a priority. Please "
    "don't contact the member further; if you have more details, use Report on their profile."
)
THREATS = (
    "If you feel you are in danger, please contact the police: in an emergency call 999 (or "
    "your local emergency number). Keep the messages, as they may help the police, and don't "
    "agree to meet the person."
)
FRAUD = (
    "Please don't send any more money or share bank details, passwords or codes with them. If "
    "you have already paid, contact your bank straight away: they may be able to stop or "
    "recover the payment."
)
CSEA = (
    "We've flagged this to our safety team as a priority, and "
    "concerns about a child's safety are dealt with first. Please don't forward, save or share "
    "any images: your report is enough, and we preserve what is needed. If a child is in "
    "immediate danger, call 999 (or your local emergency number) now."
)
SELF_HARM = {
    "requester": (
        "Thank you for telling us. I'm really sorry you're feeling like this, and I'm glad you "
        "reached out.",
        "If you are in immediate danger, please call 999 (or your local emergency number) now.",
        "You don't have to go through this alone: Samaritans are there day and night on "
        "116 123, free from any phone in the UK and Ireland, and in the US you can call or text "
        "988.",
        "We've also let our safety team know.",
    ),
    "someone else": (
        "Thank you for letting us know. You did the right thing in telling us.",
        "If you think they are in immediate danger, please call 999 (or your local emergency "
        "number) now.",
        "Samaritans (116 123, free in the UK and Ireland, day and night) and 988 in the US can "
        "also help you support someone who is struggling.",
        "We've passed this to our safety team so that they can look at it straight away.",
    ),
}

# What a ticket of each category reports, in the words of a procedure's "applies when".
REPORTS = {
    ACCOUNT: "a problem with their account",
    BILLING: "a problem with a payment or charge",
    TECHNICAL: "a problem with the service",
    FEATURE_REQUEST: "a suggestion for the product",
    ReportCategory.HARASSMENT.value: "harassment by another member",
    ReportCategory.INAPPROPRIATE_CONTENT.value: "content that breaks the rules",
    ReportCategory.SPAM.value: "spam",
    ReportCategory.SCAM.value: "a suspected scam",
    ReportCategory.UNDERAGE.value: "a member who may be under 18",
    ReportCategory.CSEA_CONCERN.value: "a concern about a child's safety",
    ReportCategory.SELF_HARM.value: "someone at risk of suicide or self-harm",
    ReportCategory.OTHER.value: "a question or problem",
}

# When the agents said nothing about escalating: where such a ticket goes next.
ESCALATION = {
    ACCOUNT: "If the requester cannot prove the account is theirs, or it may have been taken "
    "over, hand over to the account security team.",
    BILLING: "If a refund or charge cannot be settled from the desk, hand over to the payments "
    "team with the transaction references.",
    TECHNICAL: "If these steps do not fix it, or several requesters report the same problem, "
    "escalate to engineering with the device, version and time of the failure.",
    FEATURE_REQUEST: "Pass the suggestion to the product team; no escalation is needed.",
    ReportCategory.HARASSMENT.value: "Escalate to the safety team at once if there is a threat "
    "to someone's safety, or if the member has been reported before.",
    ReportCategory.INAPPROPRIATE_CONTENT.value: "Escalate to the safety team if the content "
    "may be illegal, or if the member has been reported before.",
    ReportCategory.SPAM.value: "Escalate to the safety team when many accounts are involved, "
    "as it may be a coordinated campaign.",
    ReportCategory.SCAM.value: "Escalate to the safety team if money has been lost or other "
    "members may be targeted, and preserve the messages as evidence.",
    ReportCategory.UNDERAGE.value: "Escalate to the safety team at once; if there are signs "
    "of sexual contact, treat it as a child safety concern.",
    ReportCategory.CSEA_CONCERN.value: "Escalate to the safeguarding lead immediately: "
    "preserve the evidence, do not view or forward images, and refer to the authorities as "
    "policy requires.",
    ReportCategory.SELF_HARM.value: "Escalate to the safeguarding lead at once if anyone may "
    "be in immediate danger, and signpost emergency services and helplines.",
    ReportCategory.OTHER.value: "If it is outside the desk's remit, hand over to the team "
    "that owns it.",
}
