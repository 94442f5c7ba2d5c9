"""Version stamps that decide whether an earlier run's result may be reused."""

from __future__ import annotations

import hashlib

from report_extract.write.tables import ALL_TABLES


def tool_version() -> str:
    from report_extract import __version__

    return __version__


def _schema_id() -> str:
    # Changes whenever an output table's columns or types change, so stored rows from an
    # older layout are never mixed into a newer dataset.
    text = ";".join(f"{s.name}:{','.join(f'{n}={t}' for n, t in s.fields)}" for s in ALL_TABLES)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


SCHEMA_ID = _schema_id()
