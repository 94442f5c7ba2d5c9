"""python -m report_extract.synth SEED OUT_DIR [N] [--scan [SHARE]]: write N random reports
(default 10); with --scan, SHARE of them (default all) as image-only scans; with
--producer html / chromium, all of them as portal pages (.html, or printed by Chromium)."""

from __future__ import annotations

import argparse
import time

from report_extract.synth.generate import generate
from report_extract.synth.variation import PRODUCERS


def _share(text: str) -> float:
    share = float(text)
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a share within 0-1, e.g. 0.3")
    return share


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth",
                                     description="Write synthetic annual-report PDFs + truth.")
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("n", type=int, nargs="?", default=10)
    parser.add_argument("--producer", choices=PRODUCERS, action="append",
                        help="only reports of this producer (repeatable; default: all); the web "
                             "producers html and chromium publish every report as a page")
    parser.add_argument("--scan", type=_share, nargs="?", const=1.0, default=0.0,
                        metavar="SHARE",
                        help="write this share of the reports (default with --scan: all) as "
                             "image-only scans, degradations drawn per report")
    args = parser.parse_args()
    start = time.perf_counter()
    made = generate(args.seed, args.out_dir, args.n,
                    tuple(args.producer) if args.producer else None, scan=args.scan)
    for pdf_path, _ in made:
        print(pdf_path)
    seconds = time.perf_counter() - start
    print(f"{len(made)} reports in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
