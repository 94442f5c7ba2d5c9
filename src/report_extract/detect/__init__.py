"""Detect: a Document -> the report's tables as Grids (cells with spans, boxes, pages joined).

`ruled` finds sections and rebuilds ruled grids, `borderless` rebuilds tables from text
alignment, `camelot` is the alternative detector built on camelot's parsers.
"""
