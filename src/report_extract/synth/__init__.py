"""Synthetic 政府信息公开工作年度报告 PDFs with known ground truth, for testing the extractor.

truth.py makes the numbers, variation.py names every printing deviation, document.py lays
the report out as blocks, which pdf.py draws with reportlab and word.py writes as DOCX for
LibreOffice (office.py) to export; generate.py writes reproducible batches.
"""

from report_extract.synth.generate import generate, truth_for, write_report, write_reports
from report_extract.synth.pdf import render_pdf
from report_extract.synth.truth import AGENCIES, failed_rules, random_truth
from report_extract.synth.variation import Variation

from . import office

__all__ = ["AGENCIES", "Variation", "failed_rules", "generate", "office", "random_truth",
           "render_pdf", "truth_for", "write_report", "write_reports"]
