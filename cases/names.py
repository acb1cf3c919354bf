"""Do the names sent with an identity number belong to the youth on record? Pure functions.

Registering a youth who is already in the registry starts the service's follow-up of that record,
so the names sent must be the record's: a number typed wrong by one digit, or known without the
person, must not open someone else's record. The comparison tolerates how one person's name is
written in different systems, and refuses only a clear mismatch:

- case, accents and diacritics (``José`` = ``Jose``), and the Norwegian letters written without
  them (``Søren`` = ``Soren`` = ``Soeren``, ``Åse`` = ``Aase`` = ``Ase``, ``Ærlig`` = ``Aerlig``);
- hyphens, apostrophes and spaces (``Anne-Marie`` = ``Anne Marie`` = ``Annemarie``);
- middle names, left out or put in the other field (``Ola`` for ``Ola Nordmann`` ``Berg``).

A given name matches when one of its words is one of the record's given names, or a middle name
kept in front of the record's family name; a family name matches when one of its words is one of
the record's family names, or a middle name kept after the record's first given name. Both must
match: a sibling (same family name, another given name) is a clear mismatch, and so is the
family name sent as both.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not take apart, written as a Norwegian or German keyboard-less user would.
_FOLD = str.maketrans({"ø": "o", "æ": "a", "å": "a", "ß": "ss", "ð": "d", "þ": "th", "ł": "l"})
# Two-letter spellings of the same letters (Aase, Soeren, Aerlig), folded alike on both sides.
_DIGRAPHS = (("aa", "a"), ("oe", "o"), ("ae", "a"))
_WORD = re.compile(r"[^\W\d_]+")


def fold(word: str) -> str:
    """A word as compared: lower case, no diacritics, Norwegian letters and digraphs folded."""
    lowered = word.casefold().translate(_FOLD)
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char)
    )
    for digraph, letter in _DIGRAPHS:
        stripped = stripped.replace(digraph, letter)
    return stripped


def _parts(name: str) -> list[str]:
    return [folded for folded in (fold(part) for part in _WORD.findall(name)) if folded]


def words(name: str) -> set[str]:
    """The folded words of a name, and each run of them written together (Anne-Marie,
    Annemarie)."""
    parts = _parts(name)
    return {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}


def mismatched_names(
    *, first_name: str, last_name: str, record_first_name: str, record_last_name: str
) -> list[str]:
    """The fields (``first_name``, ``last_name``) whose name is clearly not the record's."""
    record_first, record_last = _parts(record_first_name), _parts(record_last_name)
    # Middle names: the record's given names after the first, family names before the last.
    given = words(record_first_name) | set(record_last[:-1])
    family = words(record_last_name) | set(record_first[1:])
    mismatched = []
    if not words(first_name) & given:
        mismatched.append("first_name")
    if not words(last_name) & family:
        mismatched.append("last_name")
    return mismatched
