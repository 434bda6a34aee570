"""The one way noodrelay writes CSV: cells a spreadsheet would run are neutralised.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before looking) is taken for a formula when the file is opened:
``=HYPERLINK(...)`` typed into a help request's text would become a live link in the
control room's spreadsheet. As OWASP's CSV-injection advice says, such a text cell gets
a leading apostrophe, which spreadsheets show as text and do not display. Numbers stay
numbers (``-5`` as an int is written as is).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` ready for a CSV cell: text that would start a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_dicts(fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A whole CSV text: a header of ``fields``, then one line per row (missing: empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(row.get(k, "")) for k in fields})
    return out.getvalue()
