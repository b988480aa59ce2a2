"""The words of the field: those too general to make two proposals alike, and the field's synonyms.

Nearly every Internet governance proposal says "Internet", "digital" or "governance"; two
proposals that share only such words are not about the same topic, so these words are
taken out before proposals are compared (`GENERIC_WORDS`). The field also names one thing
in several ways ("disinformation" and "misinformation", "PWDs" and "persons with
disabilities"); `SYNONYMS` rewrites each to one word first, so that the comparison sees them
as the same. Both are plain data, read by `cooperation.proposals.similarity`.
"""

from __future__ import annotations

_GENERIC_TEXT = (
    # the field's own words, in nearly every title
    "internet internets digital digitally digitalisation digitalization governance governing governed govern "
    "multistakeholder multi-stakeholder stakeholder stakeholders global globally ig online world cooperation "
    "international regional national public policy policies framework frameworks development developing "
    "technology technologies tech data future futures era age new next emerging "
    # the format and the framing of a session
    "session sessions workshop workshops role roles key level levels issue issues challenge challenges "
    "opportunity opportunities solution solutions approach approaches perspective perspectives practice "
    "practices towards lessons insights trends impact impacts question questioning "
    # the verbs and fillers of titles
    "building build make making enhancing promoting ensuring fostering foster tackling tackle understanding "
    "understand unpacking unpack deliberating deliberate coping cope hacking hack exploring explore assessing "
    "assess addressing address rethinking rethink shaping shape empowering empower empowers enabling enable "
    "bridging bridge filling fill gap gaps taking stock roadmap roadmapping learning learn meaningful "
    "appropriate calling call know knowing beyond really realize realise work works working use using varied "
    "various different parties do does can we our us what why how who when where everyone everyone's "
    # who takes part (the stakeholder groups), which says who a session is for, not what it is about
    "government governments business businesses private sector civil society academia academic academics "
    "technical youth youths people persons citizens users"
)
GENERIC_WORDS: frozenset[str] = frozenset(_GENERIC_TEXT.split())
"""Words of the field that, shared alone, never make two proposals alike (lower case)."""

SYNONYMS: tuple[tuple[str, str], ...] = (
    # (a phrase, as a regular expression on lower-case text; the word it stands for)
    (r"\bfake news\b|\bdis-?information\b|\bmis-?information\b", "misinformation"),
    (r"\bpersons? with disabilit(?:y|ies)\b|\bpwds?\b|\bdisabled people\b|\bdisabled\b", "disability"),
    (r"\bdisabilities\b", "disability"),
    (r"\bartificial intelligence\b|\ba\.i\.", "ai"),
    (r"\binternet of things\b|\bconnected devices\b", "iot"),
    (r"\bdata protection\b|\bprivacy protection\b|\bpersonal information protection\b|\bpi protection\b", "privacy"),
    (r"\bcross-?border\b|\bacross borders\b", "crossborder"),
    (r"\bkids\b|\bchild(?:ren)?(?:'s)?\b|\bminors\b", "children"),
    (r"\bfoe\b|\bfreedom of expression\b|\bfree speech\b", "expression"),
    (r"\be-?commerce\b|\bdigital trade\b", "trade"),
    (r"\bsdgs?\b|\bsustainable development goals?\b", "sustainability"),
    (r"\bcybersecurity\b|\bcyber security\b|\bsecure\b", "security"),
    (r"\bdigital ident\w*|\bonline ident\w*|\bidentities\b", "identity"),
    (r"\bmulti-?lingual\b|\blocal languages\b", "multilingual"),
    (r"\bcommunity networks?\b", "community-networks"),
)
"""The field's synonyms: each phrase is rewritten to one word before proposals are compared."""
