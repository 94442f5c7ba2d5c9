"""Fuzzing: mutants of the fixtures, samples and real reports through `extract`, under limits.

    python benchmarks/fuzz.py --cases 200                    # a quick look
    nice -n 10 python benchmarks/fuzz.py --cases 10000 --out /tmp/fuzz   # the long run
    python benchmarks/fuzz.py --replay /tmp/fuzz/crashers     # run saved crashers again

Each case is one mutant (report_extract.synth.hostile.mutate, seeded by --seed and the
case number: the same command makes the same mutants) extracted in its own forked child
process, as a batch worker does it: the memory limit (RLIMIT_AS) set, then
report_extract.pipeline.extract with Limits (its timeout included). Two children run at
once (--workers). Each case is classified:

    ok        a report came out
    error     a clean one-line ReportError (counted by its code: corrupt_pdf, too_large, ...)
    timeout   the clean error of the per-file timeout (the limits did not stop it sooner)
    crash     any other exception (a traceback for a user), or the child died by a signal
    hang      no answer by the timeout + a grace period: the child is killed
    memory    out_of_memory, or a child whose peak RSS passed --memory-bound

Crashes, hangs and memory cases are saved to OUT/crashers/ (the mutant and a .txt with
its traceback or reason) to be turned into regression tests. Peak memory is each child's
own maximum resident set (wait4's ru_maxrss): the figure a worker reaches on that file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from report_extract.errors import ReportError  # noqa: E402
from report_extract.limits import Limits, apply_memory_limit  # noqa: E402
from report_extract.synth import hostile  # noqa: E402

CLASSES = ("ok", "error", "timeout", "crash", "hang", "memory")
BAD = ("crash", "hang", "memory")
GRACE = 10.0


@dataclass
class Case:
    number: int
    source: Path
    mutator: str = ""
    path: Path | None = None


@dataclass
class Result:
    case: Case
    klass: str
    code: str
    message: str
    seconds: float
    peak_mb: float
    detail: str = ""


@dataclass
class Tally:
    classes: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    by_mutator: dict[str, Counter] = field(default_factory=dict)
    peak_mb: float = 0.0
    peak_case: str = ""
    seconds: float = 0.0

    def add(self, result: Result) -> None:
        self.classes[result.klass] += 1
        self.codes[result.code] += 1
        base = result.case.mutator.split("+")[0]
        self.by_mutator.setdefault(base, Counter())[result.klass] += 1
        if result.peak_mb > self.peak_mb:
            self.peak_mb, self.peak_case = result.peak_mb, result.case.path.name


def seeds(extra: list[Path]) -> list[Path]:
    """The fixtures, samples and the real reports in ../shared/real/ (when present)."""
    found = sorted((REPO / "fixtures").glob("*.pdf")) + sorted((REPO / "samples").glob("*.pdf"))
    real = REPO.parent / "shared" / "real"
    found += sorted(real.glob("*.pdf")) if real.is_dir() else []
    return found + extra


def make_case(number: int, sources: list[Path], seed: int, work: Path,
              names: list[str] | None) -> Case:
    rng = random.Random(f"{seed}:{number}")
    source = sources[number % len(sources)]
    mutator, data = hostile.mutate(source.read_bytes(), rng, names)
    path = work / f"case-{number:05d}-{mutator}.pdf"
    path.write_bytes(data)
    return Case(number, source, mutator, path)


def run_child(case: Case, limits: Limits, ocr: str, write_fd: int) -> None:
    """In the forked child: extract, and write one JSON line of the outcome."""
    apply_memory_limit(limits.memory_mb)
    from report_extract.pipeline import extract

    started = time.monotonic()
    try:
        extract(case.path, limits=limits, mode=ocr)
        outcome = {"klass": "ok", "code": "ok", "message": ""}
    except ReportError as error:
        klass = {"timeout": "timeout", "out_of_memory": "memory",
                 "internal_error": "crash"}.get(error.code, "error")
        detail = "".join(traceback.format_exception(error.__cause__)) if error.__cause__ else ""
        outcome = {"klass": klass, "code": error.code, "message": str(error), "detail": detail}
    except BaseException as error:  # noqa: BLE001 - anything else is a crash for a user
        outcome = {"klass": "crash", "code": type(error).__name__, "message": str(error)[:300],
                   "detail": traceback.format_exc()}
    outcome["seconds"] = time.monotonic() - started
    os.write(write_fd, json.dumps(outcome).encode() + b"\n")
    os.close(write_fd)


@dataclass
class _Running:
    case: Case
    pid: int
    fd: int
    started: float
    data: bytes = b""


def run(cases: list[int], make, limits: Limits, workers: int, memory_bound: float,
        ocr: str, report) -> None:
    """Fork one child per case, at most `workers` at once; report(Result) each outcome."""
    queue = list(cases)
    running: dict[int, _Running] = {}  # fd -> running child
    hard = (limits.timeout or 60.0) + GRACE
    while queue or running:
        while queue and len(running) < workers:
            case = make(queue.pop(0))
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child
                os.close(read_fd)
                try:
                    run_child(case, limits, ocr, write_fd)
                finally:
                    os._exit(0)
            os.close(write_fd)
            running[read_fd] = _Running(case, pid, read_fd, time.monotonic())
        ready, _, _ = select.select(list(running), [], [], 0.2)
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if chunk:
                running[fd].data += chunk
                continue
            report(_finish(running.pop(fd), memory_bound))
        for fd, child in list(running.items()):
            if time.monotonic() - child.started > hard:
                os.kill(child.pid, signal.SIGKILL)
                report(_finish(running.pop(fd), memory_bound, hung=True))


def _finish(child: _Running, memory_bound: float, hung: bool = False) -> Result:
    _, status, usage = os.wait4(child.pid, 0)
    os.close(child.fd)
    seconds = time.monotonic() - child.started
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    if hung:
        return Result(child.case, "hang", "hang", "killed: no answer in time", seconds, peak_mb)
    if not child.data:
        how = (signal.Signals(-os.waitstatus_to_exitcode(status)).name
               if os.WIFSIGNALED(status) else f"exit {os.waitstatus_to_exitcode(status)}")
        return Result(child.case, "crash", "died", f"the child died ({how})", seconds, peak_mb)
    outcome = json.loads(child.data.decode())
    klass = outcome["klass"]
    if klass in ("ok", "error", "timeout") and peak_mb > memory_bound:
        klass = "memory"
    return Result(child.case, klass, outcome["code"], outcome["message"], outcome["seconds"],
                  peak_mb, outcome.get("detail", ""))


def save_crasher(result: Result, out: Path) -> None:
    folder = out / "crashers"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{result.klass}-{result.case.path.name}"
    target.write_bytes(result.case.path.read_bytes())
    target.with_suffix(".txt").write_text(
        f"source: {result.case.source.name}\nmutator: {result.case.mutator}\n"
        f"class: {result.klass}\ncode: {result.code}\nseconds: {result.seconds:.1f}\n"
        f"peak_mb: {result.peak_mb:.0f}\nmessage: {result.message}\n\n{result.detail}",
        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-file timeout (s)")
    parser.add_argument("--memory-limit", type=int, default=Limits().memory_mb,
                        help="RLIMIT_AS per child (MB)")
    parser.add_argument("--memory-bound", type=float, default=1536.0,
                        help="a peak RSS above this (MB) counts as a memory case")
    parser.add_argument("--mutators", nargs="*", help=f"of {', '.join(hostile.MUTATORS)}")
    parser.add_argument("--ocr", default="auto", choices=("auto", "text", "ocr"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/report-extract-fuzz"))
    parser.add_argument("--source", type=Path, action="append", default=[],
                        help="another seed PDF (repeatable)")
    parser.add_argument("--replay", type=Path, help="run the PDFs of this folder as they are")
    parser.add_argument("--keep", action="store_true", help="keep every mutant")
    args = parser.parse_args(argv)

    limits = Limits(timeout=args.timeout, memory_mb=args.memory_limit)
    import report_extract.pipeline  # noqa: F401 - imported once, shared by every fork

    work = args.out / "cases"
    work.mkdir(parents=True, exist_ok=True)
    tally = Tally()
    started = time.monotonic()
    log = (args.out / "results.jsonl").open("a", encoding="utf-8")

    if args.replay:
        files = sorted(args.replay.glob("*.pdf"))

        def make(number: int) -> Case:
            return Case(number, files[number], "replay", files[number])

        numbers = list(range(len(files)))
    else:
        sources = seeds(args.source)
        if not args.mutators or "flate_bomb" in args.mutators:
            for megabytes in hostile.BOMB_SIZES_MB:  # made once here, shared by every fork
                hostile.bomb_bytes(megabytes << 20)
                hostile.bomb_bytes(megabytes << 20, double=True)

        def make(number: int) -> Case:
            return make_case(number, sources, args.seed, work, args.mutators)

        numbers = list(range(args.start, args.start + args.cases))

    def report(result: Result) -> None:
        tally.add(result)
        log.write(json.dumps({"case": result.case.number, "source": result.case.source.name,
                              "mutator": result.case.mutator, "class": result.klass,
                              "code": result.code, "seconds": round(result.seconds, 2),
                              "peak_mb": round(result.peak_mb), "message": result.message},
                             ensure_ascii=False) + "\n")
        log.flush()
        if result.klass in BAD:
            save_crasher(result, args.out)
            print(f"{result.klass}: {result.case.path.name}: {result.code}: "
                  f"{result.message[:200]}", file=sys.stderr)
        if not args.keep and not args.replay:
            result.case.path.unlink(missing_ok=True)
        done = sum(tally.classes.values())
        if done % 50 == 0:
            print(f"[{done}/{len(numbers)}] {dict(tally.classes)} "
                  f"peak {tally.peak_mb:.0f} MB, {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)

    run(numbers, make, limits, args.workers, args.memory_bound, args.ocr, report)
    tally.seconds = time.monotonic() - started
    log.close()
    print_summary(tally, args, len(numbers))
    return 1 if any(tally.classes[k] for k in BAD) else 0


def print_summary(tally: Tally, args: argparse.Namespace, total: int) -> None:
    print(f"{total} cases in {tally.seconds:.0f} s ({args.workers} workers, timeout "
          f"{args.timeout:g} s, RLIMIT_AS {args.memory_limit} MB, seed {args.seed})")
    print("  " + ", ".join(f"{k} {tally.classes[k]}" for k in CLASSES))
    print(f"  peak RSS of one child: {tally.peak_mb:.0f} MB ({tally.peak_case}); "
          f"bound {args.memory_bound:g} MB")
    print("  clean errors by code: " + ", ".join(
        f"{code} {n}" for code, n in tally.codes.most_common() if code not in ("ok",)))
    print("  by mutator:")
    for name, counts in sorted(tally.by_mutator.items()):
        print(f"    {name:20} " + ", ".join(f"{k} {counts[k]}" for k in CLASSES if counts[k]))
    print(f"  crashers in {args.out / 'crashers'}" if any(tally.classes[k] for k in BAD)
          else "  no crash, hang or memory case")


if __name__ == "__main__":
    sys.exit(main())
