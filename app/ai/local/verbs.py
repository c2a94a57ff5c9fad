"""Verbs of support work and their base forms, to turn "restarted" into "Restart"."""

import re

_BASE_TEXT = """
    add adjust advise allow apply approve archive ask assign attach block book call cancel
    change check clean clear close collect compare configure confirm connect contact copy
    correct create credit delete deny deploy disable disconnect document download edit email
    enable escalate explain file find fix flag flush follow force forward freeze give grant
    guide hand help hide identify inform install investigate issue lift link locate lock log
    look mark merge message migrate monitor move note notify offer open pass patch pause point
    preserve process purge raise re-enable reassign rebuild reboot reconnect record refer
    refund regenerate reinstall reinstate reject release reload remind remove rename reopen
    repair replace reply report request reset resend resolve restart restore revert review
    revoke roll rotate run search send set share show sign submit suspend switch sync tag
    tell test transfer try turn unblock uninstall unlink unlock unsuspend update upgrade
    upload validate verify void waive walk watch whitelist
"""
BASE = frozenset(_BASE_TEXT.split())
IRREGULAR = {
    "sent": "send", "resent": "resend", "made": "make", "gave": "give", "took": "take",
    "told": "tell", "found": "find", "ran": "run", "got": "get", "rebuilt": "rebuild",
    "wrote": "write", "spoke": "speak", "rang": "ring", "saw": "see", "kept": "keep",
    "held": "hold", "paid": "pay", "brought": "bring", "built": "build", "did": "do",
    "went": "go", "put": "put", "set": "set", "reset": "reset", "shut": "shut", "cut": "cut",
    "read": "read", "re-sent": "re-send",
}  # fmt: skip


# Stems whose base form ends in a silent "e" ("activat-ed", "enabl-ed", "us-ed").
_SILENT_E = re.compile(r"(at|iz|is|ur|[^aeiou]v|[^aeiou]c|[^n]g|bl|pl|dl|tl|gl|us|os)$")


def base_form(word: str) -> str:
    """The base form of a verb as an agent may write it ("escalated", "checking", "verifies");
    a word it does not recognise comes back lower-cased and otherwise as it was."""
    word = word.lower().strip(",.;:")
    if word in BASE:
        return word
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix in ("ied", "ies"):
        if word.endswith(suffix) and word[:-3] + "y" in BASE:
            return word[:-3] + "y"
    for suffix in ("ed", "ing", "es", "s"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            for candidate in (stem, stem + "e", stem[:-1]):
                if candidate in BASE:
                    return candidate
    return _regular_past(word) if word.endswith("ed") and len(word) > 4 else word


def _regular_past(word: str) -> str:
    """The usual spelling rules backwards: "stopped" → "stop", "reconfigured" →
    "reconfigure", "cleaned" → "clean"."""
    stem = word[:-2]
    if stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem + "e" if _SILENT_E.search(stem) else stem


def is_verb(word: str) -> bool:
    """Whether an agent's sentence starting with `word` reports or orders an action."""
    lowered = word.lower().strip(",.;:")
    return base_form(lowered) in BASE or (lowered.endswith("ed") and len(lowered) > 4)
