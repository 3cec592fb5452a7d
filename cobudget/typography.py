"""French typography, as PRODUCT.md asks ("French, done properly"), and the checks that keep
it so: tests/test_french_typography.py runs them over the French catalogue and over the text
of the main pages rendered in French.

- a narrow no-break space (U+202F) before « : ; ! ? » and inside « »;
- elision before a vowel (« membre d’Artefacts », never « de Artefacts »): sentences put
  names after words that never elide (« du groupe %(group)s », « Résultats : %(title)s »);
- counts through ngettext, so that « 1 invité » and « 2 invités » agree.
"""

import re
from html.parser import HTMLParser

from django.utils.translation import gettext_noop

NNBSP = "\u202f"

# Django writes form labels followed by its translated ":"; the project's catalogue, read
# before Django's own, gives it the narrow no-break space.
LABEL_SUFFIX = gettext_noop(":")

# Placeholders that stand for a name (a person, a group, a title): a sentence must not put
# « de », « que », « le »… just before them, since the name may begin with a vowel.
NAME_PLACEHOLDERS = ("name", "group", "title", "bucket", "round", "inviter", "author", "guideline", "email")
# Placeholders that stand for a count: the noun after them agrees only through ngettext.
COUNT_PLACEHOLDERS = ("n", "m", "count", "created", "updated", "unchanged", "voted", "voters", "seen")

_VOWEL = "AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜŒaeiouàâäéèêëîïôöùûüœ"
_ELIDING = r"(?:de|que|le|la|je|me|te|se|ne|jusque|lorsque|puisque)"
# Words that end in s in the singular (« 1 fois »), not plurals.
_SINGULAR_S = {"fois", "mois", "avis", "temps", "cours", "repas", "prix", "pays", "bras", "corps", "souris", "jus",
               "dos", "gros", "os", "bus", "plus", "sans", "sous", "dans", "vers", "depuis", "puis", "après", "très"}


def catalogue_faults(msgid: str, msgstr: str) -> list[str]:
    """What is wrong with one French translation of `msgid` (a list of reasons, empty if none)."""
    faults = []
    if re.search(r"(?<!\u202f)[;!?](?=\s|$)", msgstr) or re.search(r"(?<![\u202f\d])[:](?=\s|$)", msgstr):
        faults.append("no narrow no-break space before : ; ! ?")
    if re.search(r"«(?!\u202f)|(?<!\u202f)»", msgstr):
        faults.append("no narrow no-break space inside « »")
    if re.search(r"[A-Za-zÀ-ÿ]'[A-Za-zÀ-ÿ]", msgstr):
        faults.append("a straight apostrophe (’ is the French one)")
    names = "|".join(NAME_PLACEHOLDERS)
    if re.search(rf"\b{_ELIDING}\s+%\((?:{names})\)[sd]", msgstr, re.I):
        faults.append("« de », « que »… before a name that may begin with a vowel")
    counts = "|".join(COUNT_PLACEHOLDERS)
    if re.search(rf"%\((?:{counts})\)[sd]\s+[a-zà-ÿ]+s\b", msgstr) and not _is_ngettext(msgid):
        faults.append("a count before a plural noun outside ngettext")
    return faults


def _is_ngettext(msgid) -> bool:
    return isinstance(msgid, tuple)


class _Text(HTMLParser):
    """The prose a reader meets: text nodes and the labels of controls; not scripts, nor code
    samples (the Developers page), which follow their own language's rules."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "pre", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)
        if tag in ("br", "p", "li", "div", "td", "th", "h1", "h2", "h3", "option", "label", "button"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code"):
            self._skip -= 1
        else:
            self.parts.append("\n" if tag in ("p", "li", "div", "td", "th", "option", "button", "label") else "")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def page_faults(html: str) -> list[str]:
    """The typographic faults of a page rendered in French, each with its context."""
    text = page_text(html)
    found = []

    def add(pattern, why, flags=0):
        for match in re.finditer(pattern, text, flags):
            context = text[max(0, match.start() - 30):match.end() + 20].replace("\n", " ⏎ ")
            found.append(f"{why}: …{context}…")

    add(r"[A-Za-zÀ-ÿ\)»](?:[;!?]|:(?!//))(?=\s|$)", "no space before : ; ! ?")
    add(r"[ \u00a0](?:[;!?]|:)(?=\s|$)", "a space that is not U+202F before : ; ! ?")
    add(r"«(?!\u202f)|(?<!\u202f)»", "no narrow no-break space inside « »")
    add(rf"(?<![\w’'-]){_ELIDING} [{_VOWEL}]", "no elision before a vowel", re.I)  # not « tapez-le ici »
    add(r"-{5,}", "a row of dashes")
    for match in re.finditer(r"(?<![\d,.\u202f\u00a0 ])([01])[ \u00a0]+([a-zà-ÿ]+s)\b", text):
        if match.group(2) not in _SINGULAR_S:
            found.append(f"a plural after {match.group(1)}: …{text[max(0, match.start() - 20):match.end() + 10]}…")
    return found
