"""report-extract: the statistical tables of 政府信息公开工作年度报告 PDFs as canonical data."""

__version__ = "0.1.0"
