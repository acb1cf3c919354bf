"""The youth's copy of everything held about them (GDPR art. 15), as JSON and as a PDF.

``youth_copy`` reads every section for one reader: the youth (or a privacy officer answering
the youth's request made on paper) gets everything held, a guardian of a minor what *Min side*
shows them (``cases.portal``). Either way the copy leaves out what the law keeps from the
family: disclosures on a legal basis not shown on the youth's own page, and the recipient's
looks at them (``portal.withheld_bases``). Reading the copy writes nothing; the caller logs
what a staff member's read showed (``coordination.export.requests``).

The PDF is drawn by WeasyPrint (``coordination.export.pdf``) from a Django template, in the
active language, with a fetcher that refuses every URL: the document needs nothing from
outside, and a template that asked for something would fail rather than reach the network.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import portal
from cases.models import PortalAccount, Youth
from consent.models import LegalBasis
from coordination.export.cells import EMPTY, plain
from coordination.export.sections import SECTIONS, Context, Limits, Section

FORMAT = "samordna-innsyn/1"


@dataclass(frozen=True)
class YouthCopy:
    youth: Youth
    guardian: bool
    limits: Limits
    produced_at: datetime.datetime
    produced_by: str
    laws: dict[str, str]
    withheld_laws: tuple[str, ...]
    sections: dict[str, list[dict[str, Any]]]

    @property
    def reader(self) -> str:
        return "guardian" if self.guardian else "youth"


def youth_copy(
    *, youth: Youth, produced_by: str, account: PortalAccount | None = None
) -> YouthCopy:
    """Everything held about ``youth`` that the reader may have: the youth's own copy, or a
    guardian's when ``account`` is a guardian's link (with its limits on the day). A fixed
    number of queries, however much is held (asserted in the tests)."""
    today = timezone.localdate()
    if account is not None and account.is_guardian:
        limits = Limits(
            guardian=True,
            hidden=portal.withheld(account, today),
            whereabouts=portal.reveals_whereabouts(account),
        )
    else:
        limits = Limits()
    withheld = frozenset(code.partition(":")[2] for code in portal.withheld_bases())
    laws = dict(LegalBasis.objects.values_list("code", "law_and_section"))
    ctx = Context(youth=youth, limits=limits, withheld_codes=withheld, laws=laws)
    sections = {
        section.key: section.read(ctx)
        for section in SECTIONS
        if not (limits.guardian and section.youth_only)
    }
    return YouthCopy(
        youth=youth,
        guardian=limits.guardian,
        limits=limits,
        produced_at=timezone.now(),
        produced_by=produced_by,
        laws=laws,
        withheld_laws=tuple(sorted(laws.get(code, code) for code in withheld)),
        sections=sections,
    )


def file_name(copy: YouthCopy, extension: str) -> str:
    """The download's name: no name and no number, only the day it was made."""
    return f"samordna-innsyn-{timezone.localdate(copy.produced_at).isoformat()}.{extension}"


def notes(copy: YouthCopy) -> list[str]:
    """What the copy leaves out, and why, in the active language. The same words in every copy
    of a kind, so a note never tells that there was something to leave out."""
    said = []
    if copy.withheld_laws:
        said.append(
            _(
                "Opplysninger som en tjeneste har gitt videre etter %(laws)s, og mottakerens "
                "oppslag i dem, står ikke i kopien. Loven holder slike meldinger unna "
                "familien, og retten til innsyn gjelder ikke der opplysningene er "
                "taushetsbelagt (personopplysningsloven § 16; for meldinger til barnevernet "
                "barnevernsloven § 13-1). Mottakeren gir innsyn etter sine egne regler."
            )
            % {"laws": _(" og ").join(copy.withheld_laws)}
        )
    if copy.guardian:
        said.append(
            _(
                "Du ser dette som foresatt, med de samme grensene som på Min side: ikke "
                "helseopplysninger som ungdommen bestemmer over selv fra 16 år, eller har bedt "
                "om at foresatte ikke får vite fra 12 år (pasient- og brukerrettighetsloven "
                "§§ 3-4 og 4-3), ikke ungdommens fødselsnummer og ikke endringsloggen."
            )
        )
    if not copy.limits.whereabouts:
        said.append(
            _(
                "Ungdommen har beskyttet identitet. Hvilke tjenester som følger opp, planen og "
                "hvor ungdommen er, vises derfor ikke her."
            )
        )
    return said


def as_json(copy: YouthCopy) -> bytes:
    """The copy as JSON: the values as stored (codes, ISO dates and times), section by
    section, with what it leaves out."""
    document = {
        "about": {
            "format": FORMAT,
            "youth": copy.youth.pk,
            "reader": copy.reader,
            "produced_at": copy.produced_at,
            "produced_by": copy.produced_by,
            "left_out": notes(copy),
        },
        "sections": copy.sections,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def _table(section: Section, rows: list[dict[str, Any]], laws: dict[str, str]) -> dict[str, Any]:
    """A section as the template draws it: short values in columns, long texts under their
    row; a long section as lines (``Section.lines``); a one-row section (the youth) as a list
    of what is there."""

    def cell(column: Any, row: dict[str, Any]) -> str:
        value = row.get(column.key)
        return column.cell(value, laws) if column.laws else column.cell(value)

    short = [c for c in section.columns if not c.long]
    long = [c for c in section.columns if c.long]
    if section.merge is not None:
        rows = section.merge(rows)
    if section.lines:
        always = [c for c in short if not c.optional]
        optional = [c for c in short if c.optional]
        return {
            "legend": " · ".join(str(c.heading) for c in always),
            "lines": [
                {
                    "cells": [cell(c, row) for c in always]
                    + [
                        f"{c.heading}: {value}"
                        for c in optional
                        if (value := cell(c, row)) not in ("", EMPTY)
                    ],
                    "texts": [
                        (str(c.heading), cell(c, row))
                        for c in long
                        if row.get(c.key) not in (None, "", [], {})
                    ],
                }
                for row in rows
            ],
        }
    if section.key == "youth":
        return {
            "pairs": [(str(c.heading), cell(c, row)) for row in rows for c in short if c.key in row]
        }
    return {
        "headings": [str(c.heading) for c in short],
        "rows": [
            {
                "cells": [cell(c, row) for c in short],
                "texts": [
                    (str(c.heading), cell(c, row))
                    for c in long
                    if row.get(c.key) not in (None, "", [], {})
                ],
            }
            for row in rows
        ],
    }


def as_pdf(copy: YouthCopy) -> bytes:
    """The copy as a PDF for people: headings, tables, page numbers; Norwegian unless the
    reader chose English."""
    html = render_to_string(
        "export/copy.html",
        {
            "copy": copy,
            "youth": copy.youth,
            "notes": notes(copy),
            "empty": EMPTY,
            "produced_at": plain(copy.produced_at),
            "language": translation.get_language() or "nb",
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "about": section.about,
                    "count": len(copy.sections[section.key]),
                    **_table(section, copy.sections[section.key], copy.laws),
                }
                for section in SECTIONS
                if section.key in copy.sections
            ],
        },
    )
    from coordination.export import pdf  # WeasyPrint, imported when a PDF is drawn

    return pdf.draw(html)
