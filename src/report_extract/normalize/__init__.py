"""Normalize: Grids -> canonical tables (template keys, parsed values, raw text, provenance).

`labels` matches printed labels to template keys; `align` places a grid's rows and columns
on the template and parses its values.
"""
