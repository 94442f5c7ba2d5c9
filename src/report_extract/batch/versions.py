"""Version stamps that decide whether an earlier run's result may be reused."""

from __future__ import annotations

import hashlib

from report_extract.write.tables import REPORT_TABLES


def tool_version() -> str:
    from report_extract import __version__

    return __version__


def _schema_id() -> str:
    # Changes whenever the columns or types of a table stored in the parts change, so stored
    # rows from an older layout are never mixed into a newer dataset. Not errors or inputs:
    # those are made afresh by each run, and a column added to them redoes nothing.
    text = ";".join(f"{s.name}:{','.join(f'{n}={t}' for n, t in s.fields)}"
                    for s in REPORT_TABLES)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


SCHEMA_ID = _schema_id()
