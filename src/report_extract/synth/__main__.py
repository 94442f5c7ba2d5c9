"""python -m report_extract.synth SEED OUT_DIR [N]: write N random reports (default 10)."""

from __future__ import annotations

import argparse

from .generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth",
                                     description="Write synthetic annual-report PDFs + truth.")
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("n", type=int, nargs="?", default=10)
    args = parser.parse_args()
    for pdf_path, _ in generate(args.seed, args.out_dir, args.n):
        print(pdf_path)


if __name__ == "__main__":
    main()
