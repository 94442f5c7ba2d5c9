"""python -m report_extract: the command line (report-extract)."""

from report_extract.cli import main

main()
