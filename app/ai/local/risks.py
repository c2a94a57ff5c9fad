"""Risks a safeguarding lead must see, found by the phrasings such leads learn to recognise.

Self-harm and child sexual exploitation are flagged on any sign, however indirect ("I don't
want to be here anymore", "asked my 13 year old for pics"), and never dropped because of a
negation: a missed case costs far more than a lead's glance at a false alarm, and "I'm not
going to hurt myself" is itself worth reading. Threats and fraud are dropped when negated in
their clause ("he didn't threaten me", "I'm not being scammed"), and a bare name for them
("scam", "fraud") in a question about policy or reporting is not a sign of one ("how do I
report a scam?")."""

import re
from dataclasses import dataclass

from app.ai.contract import Risk
from app.ai.local.words import NEGATIONS, normalise, sentences


@dataclass(frozen=True)
class Cue:
    risk: Risk
    pattern: re.Pattern[str]
    # Does a negation before it in its clause cancel it?
    negatable: bool = False
    # Is it only a word for the risk, which a question about policy may use in passing?
    mention: bool = False
    # A weak sign of self-harm: it takes two different ones.
    weak: bool = False


def _cues(risk: Risk, *patterns: str, **flags: bool) -> list[Cue]:
    return [Cue(risk, re.compile(pattern), **flags) for pattern in patterns]


_SELF = r"(my|him|her|them|your|our)sel(f|ves)"
_PRONOUN = r"(i|he|she|they|we|someone|friend|match)"
_MONEY = r"(£|\$|€)\s?\d[\d,.]*k?|\b\d[\d,.]*\s?(pounds|quid|dollars|euros)\b"

SELF_HARM = [
    *_cues(
        Risk.SELF_HARM,
        r"\bsuicid\w*\b(?! (squad|prevention|awareness|helplines?|hotlines?|lines?|resources"
        r"|charit\w*|bomb\w*))",
        rf"\b(kill\w*|hurt\w*|harm\w*|cut\w*|burn\w*|starv\w*) {_SELF}\b",
        r"\bself[- ]?(harm\w*|injur\w*)\b",
        r"\b(cutting|cut) (again|myself|herself|himself)\b",
        r"\b(end|ending|ended|take|taking|took) (my|his|her|their) (own )?life\b",
        r"\bend(s|ing)? it all\b",
        rf"\b{_PRONOUN}\b(\s\w+){{0,4}}\s(end|ends|ending) it\b(?! (with|between|here|for))",
        r"\b(not|never|stop) (want|wanting|wanted) to (be here|be alive|live|exist|go on|wake up)",
        r"\b(want|wants|wanted|wanting|going) to die\b",
        r"\b(not|never) (to )?wake up\b",
        r"\bwish (i|he|she|they) (was|were|had) (dead|never been born)\b",
        r"\bbetter off (dead|without (me|him|her|them|us))\b",
        rf"\b{_PRONOUN} (should|could|might as well) just die\b",
        r"\b(no|nothing) (point|reason|left) (in |to )?(living|live|being alive|go on)",
        r"\bnothing (left )?to live for\b",
        r"\b(can not|could not|unable to) (go on|carry on|cope|keep going|see a way out)\b",
        r"\bno way out\b",
        r"\b(tired|sick) of (living|life|being alive|being here)\b",
        r"\boverdos\w*\b|\bhow many (pills|tablets)\b",
        r"\b(took|take|taking|saved|saving|stockpil\w*|hoard\w*)( up)?( \w+){0,2}"
        r" (pills|tablets)\b",
        r"\bthinking (about|of) (dying|death|ending)\b",
        r"\b(looking up|searching|googling) ways to (die|end)\b",
        r"\b(glorif|encourag|promot)\w* (suicide|self[- ]?harm)\b",
        r"\bfresh (wounds|cuts)\b",
        r"\bcuts? on (my|his|her|their|someone s) (arms?|wrists?|legs?|thighs?)\b",
        r"\b(burden|weight) (to|on|for) (everyone|everybody|my \w+|them|others|people)\b"
        r"|\b(i m|i am|feel like|being|he s|she s) (just |such )?a burden\b",
        r"\b(easier|better)\b(\s\w+){0,4}\s(if|when) (i|he|she|they)( just)? (was|were|am|m|is|s)"
        r"( not)? (here|around|alive|gone|dead)\b",
        r"\b(when|after|once) (i|i m|i am|i ve) (gone|dead)\b",
        r"\b(jump|jumping|jumped|throw\w* (my|him|her|them)self) (off|from|in front of)\b"
        r"|\bin front of a (train|bus|lorry|truck)\b",
        r"\b(hang|hanging|hanged) (my|him|her|them)sel(f|ves)\b|\bnoose\b",
    ),
    *_cues(
        Risk.SELF_HARM,
        r"\b(goodbye|farewell)\b",
        r"\b(my|this is my|a) last (message|post|night)\b",
        r"\b(won t|will not|not) be (around|here) (much )?(longer|anymore|tomorrow)\b",
        r"\b(gave|given|giving) (away )?(my|his|her) (things|stuff|belongings|cat|dog|pets?)\b",
        r"\b(written|wrote|writing) (letters|notes) to\b",
        r"\b(disappear|vanish)\b",
        r"\b(no|not see a|see no) future\b",
        r"\bnothing matters\b|\bdo not see the point\b|\bwhat s the point\b",
        r"\bdone with (everything|it all|life)\b",
        r"\bcan not do this anymore\b|\bso tired of everything\b|\bwant it all to stop\b",
        r"\bthank\w*\b(\s\w+){0,6}\s(for being|who (were|was|have been)) (kind|nice|good)\b",
        r"\bnobody (would|will) (miss|notice|care)\b",
        r"\b(sorted|sort|put|putting|getting) (out )?(my|his|her) affairs\b|\baffairs in order\b",
        r"\b(left|leave|leaving|written|wrote|writing) (a |my )?(note|notes|letters?)\b",
        r"\b((after|past|beyond) )?tonight\b",
        r"\b(rope|ligature|razor|razors|blades?)\b",
        r"\bwill not (be )?need(ing)? (it|this|them|anything|my \w+)\b",
        r"\b(hopeless|worthless|trapped|unbearable|empty inside|numb)\b",
        r"\b(can not|could not) take (it|this|the pain)( any ?more)?\b",
        r"\bwant(s|ed)? (it all |everything |the pain )?to (end|stop)\b",
        weak=True,
    ),
]

_MINOR_AGE = (
    r"\b([1-9]|1[0-7])\s?(-\s?)?(yo|y/o|yrs?|years?)\b(\s?-?\s?old)?"
    r"|\baged? ([1-9]|1[0-7])\b|\b(is|s|am|m|was|only|just|turned) ([4-9]|1[0-7])\b"
    r"|\b(four|fif|six|seven|thir)teen\b|\btwelve\b|\bunder[- ]?(1[0-8]|age\w*)\b"
)
_MINOR_WORDS = (
    r"\b(child|children|kids?|minors?|teens?|teenagers?|preteens?|schoolgirls?|schoolboys?"
    r"|young (girls|boys|ones)|little (girl|boy)s?|year ([5-9]|1[01])|underage)\b"
)
_FAMILY = r"\b(son|daughter|niece|nephew|grandchild|grand(son|daughter)|girls|boys|stepdaughter)\b"
_ADULT_AGE = r"\b(1[89]|[2-9]\d)\s?(yo|years?)\b|\b(is|s|am|m|aged?) (1[89]|[2-9]\d)\b"
_IMAGES = r"(pics?|pictures?|photos?|selfies?|videos?|images?)"
_SEXUAL_OR_CONTACT = re.compile(
    r"\b(nudes?|naked|nude|sexual\w*|sex|explicit|underwear|swimsuits?|bikinis?|developing"
    r"|snapchat|sext\w*|groom\w*|webcam|alone|secrets?|secretly|babysit\w*|hotel|touch\w*"
    r"|kiss\w*|gifts?)\b"
    rf"|\b(ask\w*|want\w*|send\w*|sent|swap\w*|trade\w*|sell\w*|offer\w*|request\w*)\b.{{0,40}}"
    rf"\b{_IMAGES}\b|\bprivate (chats?|apps?|messages|{_IMAGES}\w*)"
    r"|\bmeet(ing)? (up|him|her|them|in person|at|alone)\b|\barranged to meet\b"
    r"|\b(do not|does not|did not|not to|never) tell\b|\bkeep (it|this) (a secret|between)"
    r"|\bdelete (the|their|our|your)? ?(chats?|messages)\b|\bbetween (them|us)\b"
)
CSEA = _cues(
    Risk.CSEA_CONCERN,
    r"\bgroom(ing|ed|s)?\b(?! (my|the|a|your|his|her) (dog|cat|pet|puppy|hair|beard))",
    r"\bcsa[mi]\b|\bchild (sexual )?(abuse|exploitation) (material|images?|imagery|videos?)\b",
    r"\bchild porn\w*\b|\bp(a)?edo(phile)?s?\b",
    r"\b(indecent|sexual|explicit|nude|naked) (images?|pictures?|photos?|videos?|pics)"
    r" of (a )?(children|child|kids?|minors?|young (girls|boys))\b",
    r"\blikes? (them|girls|boys) young\b|\byounger the better\b",
    r"\b(child|minor|kid)\w* being (abused|sexually)\b",
    r"\bsextort\w*\b.{0,60}" + f"({_MINOR_AGE}|{_MINOR_WORDS})",
)

THREATS = [
    *_cues(
        Risk.THREATS,
        r"\bknows? where (you|i|she|he|they|we) (live|work|are)\b",
        r"\b(i|we|he|she|they)( will| ll| would| d| am going to| m going to| is going to"
        r"| s going to| are going to| re going to| gonna)? (kill|hurt|stab|shoot|beat|rape|poison"
        r"|harm|burn|smash)\w* (you|u|me|her|him|(my|your|her|his|their) (dog|cat|pets?|family"
        r"|kids|children|car|house|home|mum|mother|dad|father|partner|wife|husband|son"
        r"|daughter))\b",
        r"\b(i|we|he|she|they)( will| ll| would| d| am going to| m going to| is going to"
        r"| s going to| are going to| re going to| gonna) (find|get|destroy|ruin|expose)"
        r" (you|u|me|her|him)\b(?! (a|some|the|back)\b)",
        r"\bthreat(en|ened|ening|ens)\b",
        r"\b(death|rape|bomb|violent) threats?\b|\bthreats? (from|to kill|to hurt)\b",
        r"\b(sent|sending|making|made|received|getting|got) (me )?threats\b",
        r"\byou ll (regret|pay for) (this|it)\b|\byou will (regret|pay for) (this|it)\b",
        r"\bwatch your back\b|\bcome (for|after) you\b|\bsort you out\b",
        r"\bmake (you|me|her|him) (pay|regret|suffer)\b",
        r"\b(throw|pour|chuck|spray)\w* (acid|bleach|petrol)\b",
        r"\b(keeps?|kept) (turning up|showing up|appearing|following me|waiting for me)\b"
        r"|\bfollow\w* me (home|around)\b|\b(turn\w*|show\w*) up at my\b|\bappear\w* at my\b",
        r"\b(posted|shared|published|leaked|put)\b(\s\w+){0,4}\s(my|her|his) (home )?address\b",
        r"\b(waiting|turned up|showed up|was|were|sat) (outside|at) (my|her|his) "
        r"(house|flat|home|work|door|office|school)\b",
        r"\b(send|share|post|leak|show|spread|put)\w*\b(\s\S+){0,8}\s(pictures|photos|pics|nudes"
        r"|images|videos?)\b.{0,60}\b(unless|if (i|you|she|he) (do not|stop|will not|refuse))\b",
        r"\bor (he|she|they|i)( will| ll)? (post|share|send|leak|publish|expose)\b",
        negatable=True,
    ),
]

FRAUD = [
    *_cues(
        Risk.FRAUD,
        rf"\b(sent|send|transferred|transfer|wired|lent|gave|paid)\b(\s\w+){{0,2}}\s({_MONEY})",
        rf"({_MONEY}).{{0,30}}\bto (him|her|them|a (man|woman|guy|girl|person|stranger)|someone)\b",
        r"\b(ask\w*|want\w*|need\w*|beg\w*|push\w*)\b(\s\w+){0,4}\s(to )?(send|pay|lend|transfer"
        r"|wire|put|invest)\b(\s\w+){0,3}\s(money|cash|savings|funds|£|\$|€)",
        r"\b(ask\w*|want\w*)\b(\s\w+){0,3}\s(to )?(buy|send|pay with|pay in)\b(\s\w+){0,3}\s"
        r"(gift ?cards?|vouchers?|steam cards?|itunes|crypto|bitcoin)",
        r"\b(gift ?cards?|vouchers?|steam cards?)\b.{0,40}\b(codes?|send|sent)\b",
        r"\bfake (payment|tracking|receipt|confirmation|invoice|listing|courier|website|link|email)"
        r"\b|\b(tracking|payment|email|receipt|listing)\b(\s\w+){0,3} (is|was|looks) fake\b",
        r"\b(bank|card|account|login) details\b|\b(verification|security|six digit|one time) "
        r"code\b|\bread (back|out) the code\b|\bcode (you|i was|they) (sent|texted)\b",
        r"\b(invest\w*|crypto\w*|forex|bitcoin|trading) (platform|scheme|opportunit\w*|app)\b",
        r"\b(put|invest\w*) (money|savings|funds)\b",
        r"\bdeposit\b.{0,60}\bbefore\b",
        r"\b(overpaid|sent more than)\b.{0,80}\b(refund|send back|return|pay back)\b",
        r"\b(insists?|wants?|asked|asking)\b.{0,20}\b(bank transfer|paypal friends)\b",
        r"\bpaid\b.{0,80}\b(never (arrived|came|sent|received|turned up|posted)|nothing arrived"
        r"|deleted (his|her|their) (account|profile)|blocked me|disappeared|vanished)\b",
        r"\b(impersonat\w*|posing as|pretend\w* to be)\b|\bofficial support\b",
        r"\basking (them |people |me |everyone )?for money\b",
        r"\b(send|give|pay|transfer|lend) (him|her|them) (money|cash|(£|\$|€)\s?\d)",
        r"\b(paypal|bank|banking|email|apple|google)( account)? (login|log in|password|pin)\b",
        r"\b(took|taken|take|takes) (my |our |the |their )?(money|payment|deposit)s?\b.{0,60}"
        r"\b(blocked|disappeared|vanished|deleted|never|gone)\b",
        r"\b(ask\w*) (about|for) (my )?(savings|bank|money|pin)\b",
        r"\b(scammed|scammers?|conned|defrauded|ripped off|romance scam\w*)\b",
        rf"\b(wants?|demand\w*|asking for|pay( him| her| them)?)\s({_MONEY})"
        r".{0,40}\b(or|otherwise)\b",
        r"\b(savings|money)\b(\s\w+){0,2}\s(went|gone|lost|spent) (on|to) (someone|a (man|woman"
        r"|guy|girl|person)|him|her)\b",
        negatable=True,
    ),
    # Names of risky practices, which a question about what is safe may use in passing.
    *_cues(
        Risk.FRAUD,
        r"\b(scam|fraud|phishing)\w*\b",
        r"\b(paid|pay\w*|transfer)\b.{0,30}\b(outside (the )?(app|checkout|platform|site)|by bank "
        r"transfer|friends and family|western union|moneygram)\b",
        negatable=True,
        mention=True,
    ),
]

CUES = [*SELF_HARM, *CSEA, *THREATS, *FRAUD]

# A sentence that asks about rules or how to report, rather than telling what happened.
_POLICY_QUESTION = re.compile(
    r"^(how|where|what|when|which|can|could|do|does|is|are|should|who)\b|\?\s*$"
    r"|\b(policy|policies|guidelines|rules|want to know|for future reference|asking for a friend)\b"
)
_CLAUSE = re.compile(r"[,;:]|\bbut\b|\bhowever\b|\bthough\b")


def risks(text: str) -> tuple[Risk, ...]:
    """The risks `text` shows signs of, in the contract's order."""
    found: set[Risk] = set()
    weak_signs: set[str] = set()
    for sentence in sentences(text):
        said = normalise(sentence)
        for cue in CUES:
            for match in cue.pattern.finditer(said):
                if cue.negatable and _negated(said, match.start()):
                    continue
                if cue.mention and _POLICY_QUESTION.search(said):
                    continue
                if cue.weak:
                    weak_signs.add(cue.pattern.pattern)
                else:
                    found.add(cue.risk)
                break
    if len(weak_signs) >= 2:
        found.add(Risk.SELF_HARM)
    if _child_in_sexual_context(normalise(text)):
        found.add(Risk.CSEA_CONCERN)
    return tuple(risk for risk in Risk if risk in found)


def _negated(said: str, start: int) -> bool:
    """A negation among the four words before `start`, in the same clause, and not a
    condition ("if I didn't send her money" still asks for money)."""
    words = _CLAUSE.split(said[:start])[-1].split()[-4:]
    return bool(NEGATIONS.intersection(words)) and not {"if", "unless"}.intersection(words)


def mentions_child(said: str) -> bool:
    """A child named in normalised text: by age, by word, or as someone's son or daughter
    when no adult age is given."""
    if re.search(_MINOR_AGE, said) or re.search(_MINOR_WORDS, said):
        return True
    return bool(re.search(_FAMILY, said) and not re.search(_ADULT_AGE, said))


def _child_in_sexual_context(said: str) -> bool:
    """A child named in a ticket that speaks of images, sexual contact, meeting or secrecy."""
    return mentions_child(said) and bool(_SEXUAL_OR_CONTACT.search(said))
