"""python -m report_extract.synth SEED OUT_DIR [N]: write N random reports (default 10)."""

from __future__ import annotations

import argparse
import time

from .generate import generate
from .variation import PRODUCERS


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth",
                                     description="Write synthetic annual-report PDFs + truth.")
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("n", type=int, nargs="?", default=10)
    parser.add_argument("--producer", choices=PRODUCERS, action="append",
                        help="only reports of this producer (repeatable; default: all)")
    args = parser.parse_args()
    start = time.perf_counter()
    made = generate(args.seed, args.out_dir, args.n,
                    tuple(args.producer) if args.producer else None)
    for pdf_path, _ in made:
        print(pdf_path)
    seconds = time.perf_counter() - start
    print(f"{len(made)} reports in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
