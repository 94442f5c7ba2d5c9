"""The layer people look at: a static review site of a convert output (`build_site`), and
the dataset reader and indicators the notebook uses.

    report-extract review OUTDIR -o SITE/      # SITE/index.html works from file://
"""

from report_extract.review.data import Dataset, OutputError, read_output
from report_extract.review.indicators import INDICATORS, indicator_table, matrix
from report_extract.review.site import CROPS, SiteSummary, build_site

__all__ = ["CROPS", "INDICATORS", "Dataset", "OutputError", "SiteSummary", "build_site",
           "indicator_table", "matrix", "read_output"]
