"""Synthetic 政府信息公开工作年度报告 PDFs with known ground truth, for testing the extractor.

truth.py makes the numbers, variation.py names every printing deviation, pdf.py draws the
report with reportlab, generate.py writes reproducible batches.
"""

from .generate import generate, truth_for, write_report
from .pdf import render_pdf
from .truth import AGENCIES, failed_rules, random_truth
from .variation import Variation

__all__ = ["AGENCIES", "Variation", "failed_rules", "generate", "random_truth", "render_pdf",
           "truth_for", "write_report"]
