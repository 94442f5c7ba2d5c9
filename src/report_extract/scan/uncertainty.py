"""Explain doubtful OCR values: the readings the recogniser hesitated between.

normalize already refuses a value whose characters were read with low confidence (or
that is not a clean number): the value is null, the raw text kept, the reason given.
Here the reason gains the candidates, e.g. "... OCR candidates: 1 (0.89), 7 (0.08)",
so a person can decide from the report.

A failed consistency check is looked at too: when exactly one OCR'd cell among its
terms has a runner-up reading that would make it pass, that cell is refused the same
way (null, raw text kept, the candidates given). No value is ever replaced by a
candidate; if several cells could explain the failure, the failure stays as it is.

A value the reader could read only after clearing what touched its glyphs (the first
reading being no number at all) stands only where a passing check confirms it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import product

from report_extract.models import (
    BBox,
    CanonicalCell,
    CanonicalTable,
    Char,
    CheckResult,
    Document,
    Problem,
    Report,
)
from report_extract.normalize.doubt import BY_POSITION, doubt_rule
from report_extract.scan.reader import HIDDEN_DOUBT, UNREAD, OcrChar
from report_extract.scoring import is_term
from report_extract.textclean import parse_number
from report_extract.validate import check_report

MAX_CANDIDATES = 4
LOW_CONFIDENCE = 0.9  # as normalize: below this a reading is not trusted
MAX_COMBINATIONS = 256  # candidate combinations tried for one check


def explain_ocr_values(report: Report, document: Document) -> None:
    """Add the candidates to every doubtful OCR value; refuse a null mark ("—", "/")
    that was itself read with low confidence, as it may be a faded digit; refuse the
    one cell that explains a failed check."""
    pages = {page.number: page for page in document.pages if page.source == "ocr"}
    in_box: dict[tuple[int, BBox], list[Char]] = {}  # asked for several times a cell

    def chars_of(cell: CanonicalCell) -> list[Char]:
        if cell.page not in pages or cell.bbox is None:
            return []
        key = (cell.page, cell.bbox)
        if key not in in_box:
            in_box[key] = [c for c in pages[cell.page].chars
                           if cell.bbox.contains_point(*c.bbox.center)]
        return in_box[key]

    if _confirm_by_position(report, chars_of):
        report.checks = check_report(report)
    for table in report.tables.values():
        for cell in table.cells:
            chars = chars_of(cell)
            if not chars:
                continue
            if _hidden_by_seal(table, cell, chars):
                continue
            if not cell.uncertain and cell.value is None:
                _refuse_doubtful_null(table, cell, chars)
            if not cell.uncertain:
                continue
            notes = [c.doubt for c in chars if isinstance(c, OcrChar) and c.doubt]
            found = candidates(chars)
            if found:
                notes.append("OCR candidates: " + ", ".join(f"{t} ({p:.2f})" for t, p in found))
            if found and any(isinstance(c, OcrChar) and c.sealed for c in chars):
                notes.append("read through a seal")
            if notes:
                _append_reason(table.problems, cell, "; ".join(notes))
    if _refuse_unconfirmed(report, chars_of):
        report.checks = check_report(report)  # a refused value takes no part in checks
    if _refuse_check_suspects(report, chars_of):
        report.checks = check_report(report)
    if _confirm_readings(report, chars_of):
        report.checks = check_report(report)
    report.checks += _checks_over_candidates(report, chars_of)


@doubt_rule("confirmed_by_check", "report")
def _confirm_by_position(report: Report,
                        chars_of: Callable[[CanonicalCell], list[Char]]) -> bool:
    """Let the values of a column placed by the template's order (its header unread,
    see normalize) stand where read surely and where every check they are a term of
    passes with them, all such values put in at once; the others stay uncertain. A
    value no check runs on stays uncertain. True if any value was let stand."""
    placed = [(table, cell, value) for table in report.tables.values()
              for reasons in [{p.message for p in table.problems if p.kind == BY_POSITION}]
              for cell in table.cells if cell.uncertain in reasons
              and (value := _by_position_value(cell, chars_of)) is not None]
    if not placed:
        return False
    cells = [cell for _, cell, _ in placed]
    with _substituted(cells, [value for _, _, value in placed]):
        checks = check_report(report)
    confirmed = False
    for table, cell, value in placed:
        terms = [c for c in checks if is_term(table.name, cell.row, cell.column, c.identifier)]
        if terms and all(c.passed for c in terms):
            _let_stand(table, cell, value, [c.identifier for c in terms])
            confirmed = True
    return confirmed


def _by_position_value(cell: CanonicalCell,
                       chars_of: Callable[[CanonicalCell], list[Char]]) -> int | float | None:
    """The value read surely and cleanly in a cell uncertain only for its column's
    unread header, else None."""
    chars = chars_of(cell)
    if not chars or min(c.confidence for c in chars) < LOW_CONFIDENCE:
        return None
    if any(isinstance(c, OcrChar) and (c.rescued or c.doubt) for c in chars):
        return None
    value, reason = parse_number(cell.raw_text)
    return value if reason is None else None


def _let_stand(table: CanonicalTable, cell: CanonicalCell, value: int | float,
               checks: list[str]) -> None:
    old = _withdraw_refusal(table, cell)
    table.problems.append(Problem(
        table.name, "confirmed_by_check",
        f"{old}; its value {cell.raw_text} stands: {', '.join(checks)} pass with it",
        cell.raw_text, cell.page, cell.bbox))
    cell.value, cell.uncertain = value, None


@doubt_rule("rescued_glyphs_unconfirmed", "report")
def _refuse_unconfirmed(report: Report,
                       chars_of: Callable[[CanonicalCell], list[Char]]) -> bool:
    """Refuse each value read only after clearing its glyphs (the first reading was no
    number: "Q", "0!") that no passing check confirms: cleared of a seal's remnants, a 0
    can still look like a 6. True if any cell was refused."""
    passed = [c.identifier for c in report.checks if c.passed]
    failed = [c.identifier for c in report.checks if not c.passed]
    refused = False
    for table in report.tables.values():
        for cell in table.cells:
            chars = chars_of(cell)
            if cell.uncertain or not any(isinstance(c, OcrChar) and c.rescued for c in chars):
                continue
            terms_of = [i for i in passed + failed if is_term(table.name, cell.row, cell.column, i)]
            if terms_of and all(i in passed for i in terms_of):
                continue
            reason = "failed" if terms_of else "none ran"
            table.refuse(cell, f"read as {cell.raw_text} only after clearing marks that touched "
                                 f"its glyphs, and no check confirms it ({reason})")
            refused = True
    return refused


# How a value refused for its reading alone is explained (normalize's low_confidence and
# number parsing, the notes explain_ocr_values adds, _refuse_unconfirmed): any other
# reason (a column, a row, a join in doubt) is about where the value stands.
READING_NOTES = ("low recognition confidence", "not a number", "read as ", "OCR candidates",
                 "read through a seal")


@doubt_rule("reading_confirmed_by_check", "report")
def _confirm_readings(report: Report,
                      chars_of: Callable[[CanonicalCell], list[Char]]) -> bool:
    """Let an OCR value refused only for how it was read (unsure, doubted by its ink,
    read only after clearing its glyphs) stand as read where the checks it is a term of
    pass with it, at least one running: one cell at a time, every other term of such a
    check read surely (a check over two doubtful terms could pass with both wrong, and
    does not run). A check is an exact sum over terms read surely; a misread value
    fails it. Repeated while values are let stand: a check runs once all but one of
    its terms stand. True if any value was let stand."""
    confirmed = False
    progress = True
    while progress:
        progress = False
        for table in report.tables.values():
            for cell in table.cells:
                value = _read_value(cell, chars_of)
                if value is None:
                    continue
                with _substituted([cell], [value]):
                    terms = [c for c in check_report(report)
                             if is_term(table.name, cell.row, cell.column, c.identifier)]
                if terms and all(c.passed for c in terms):
                    _let_stand(table, cell, value, [c.identifier for c in terms])
                    confirmed = progress = True
    return confirmed


def _read_value(cell: CanonicalCell,
                chars_of: Callable[[CanonicalCell], list[Char]]) -> int | float | None:
    """The clean number OCR read in a cell refused only for its reading, else None."""
    if not cell.uncertain or not chars_of(cell):
        return None
    doubts = {c.doubt for c in chars_of(cell) if isinstance(c, OcrChar) and c.doubt}
    notes = cell.uncertain.split("; ")
    if not all(note.startswith(READING_NOTES) or note in doubts for note in notes):
        return None
    value, reason = parse_number(cell.raw_text)
    return value if reason is None else None


@doubt_rule("check_suspect", "report")
def _refuse_check_suspects(report: Report,
                           chars_of: Callable[[CanonicalCell], list[Char]]) -> bool:
    """Refuse, for each failed check, the single OCR'd term whose runner-up reading
    would make the check pass. True if any cell was refused."""
    refused = False
    for failure in [c for c in report.checks if not c.passed]:
        suspects: dict[tuple[str, str, str], tuple] = {}
        for table in report.tables.values():
            for cell in table.cells:
                if cell.uncertain or cell.value is None or not is_term(
                        table.name, cell.row, cell.column, failure.identifier):
                    continue
                fixes = [(text, p) for text, p in candidates(chars_of(cell))
                         if _passes_with(report, cell, text, failure)]
                if fixes:
                    suspects[(table.name, cell.row, cell.column)] = (table, cell, fixes)
        if len(suspects) == 1:
            table, cell, fixes = next(iter(suspects.values()))
            listed = ", ".join(f"{t} ({p:.2f})" for t, p in fixes)
            table.refuse(cell, f"{failure.identifier} fails as read ({cell.raw_text}); "
                                 f"only this cell has an OCR reading that passes it: {listed}")
            refused = True
    return refused


@doubt_rule("check_over_candidates", "report")
def _checks_over_candidates(report: Report,
                            chars_of: Callable[[CanonicalCell], list[Char]]
                            ) -> list[CheckResult]:
    """Checks skipped because a term is unreadable, run over the OCR candidates of the
    unreadable terms: a check that fails whichever candidate is right is reported as
    failed (a confidently misread term, or a published inconsistency, is behind it)."""
    options = {id(cell): [v for t, _ in candidates(chars_of(cell))
                          if (v := parse_number(t)[0]) is not None]
               for table in report.tables.values() for cell in table.cells if cell.uncertain}
    doubtful = [(table, cell) for table in report.tables.values() for cell in table.cells
                if cell.uncertain and options[id(cell)]]  # without candidates: undecidable
    if not doubtful:
        return []
    done = {c.identifier for c in report.checks}
    found: list[CheckResult] = []
    for identifier in sorted(_possible_checks(report, doubtful, options) - done):
        terms = [cell for table, cell in doubtful
                 if is_term(table.name, cell.row, cell.column, identifier)]
        combos = list(product(*(options[id(cell)] for cell in terms)))
        if not terms or len(combos) > MAX_COMBINATIONS:
            continue
        outcomes = [_outcome(report, terms, combo, identifier) for combo in combos]
        if outcomes and all(o is not None and not o.passed for o in outcomes):
            first = outcomes[0]
            found.append(CheckResult(first.rule, first.subject, first.expected, first.found,
                                     False, f"{identifier} fails for every OCR candidate of "
                                     f"its unreadable cells"))
    return found


def _possible_checks(report: Report, doubtful: list, options: dict) -> set[str]:
    """The checks that would run if the unreadable cells had values."""
    combo = [options[id(cell)][0] for _, cell in doubtful]
    with _substituted([cell for _, cell in doubtful], combo):
        return {c.identifier for c in check_report(report)}


def _outcome(report: Report, cells: list[CanonicalCell], values: tuple,
             identifier: str) -> CheckResult | None:
    with _substituted(cells, values):
        return next((c for c in check_report(report) if c.identifier == identifier), None)


@contextmanager
def _substituted(cells: list[CanonicalCell], values: Sequence) -> Iterator[None]:
    saved = [(c.value, c.uncertain) for c in cells]
    for cell, value in zip(cells, values, strict=True):
        cell.value, cell.uncertain = value, None
    try:
        yield
    finally:
        for cell, (value, reason) in zip(cells, saved, strict=True):
            cell.value, cell.uncertain = value, reason


def _passes_with(report: Report, cell: CanonicalCell, text: str, failure: CheckResult
                 ) -> bool:
    value, _ = parse_number(text)
    if value is None or value == cell.value:
        return False
    original, cell.value = cell.value, value
    try:
        return any(c.identifier == failure.identifier and c.passed for c in check_report(report))
    finally:
        cell.value = original


@doubt_rule("hidden_by_seal", "report")
def _hidden_by_seal(table: CanonicalTable, cell: CanonicalCell, chars: list[Char]) -> bool:
    """A value cell that shows no ink where seal ink covers the place a digit would
    stand (the reader's line over it read as nothing): not known to be blank, a value
    may be hidden under the seal. Reported null with empty raw text and that reason.
    A cell with no seal ink over it, read empty, stays a published blank. True if the
    cell was such a cell."""
    if not all(isinstance(c, OcrChar) and c.text == UNREAD and c.doubt == HIDDEN_DOUBT
               for c in chars):
        return False
    _withdraw_refusal(table, cell)
    cell.raw_text = ""
    table.refuse(cell, HIDDEN_DOUBT)
    return True


@doubt_rule("doubtful_null_mark", "report")
def _refuse_doubtful_null(table: CanonicalTable, cell: CanonicalCell,
                          chars: list[Char]) -> None:
    """A null mark ("—", "/") read with low confidence: it may be a faded digit."""
    confidence = min(c.confidence for c in chars)
    if confidence >= LOW_CONFIDENCE:
        return
    table.refuse(cell, f"null mark {cell.raw_text!r} read with low recognition confidence "
                       f"({confidence:.2f})")


def candidates(chars: list[Char]) -> list[tuple[str, float]]:
    """Numbers the characters could be: the reading, then single-glyph substitutions
    by runner-ups, each with the probability of the glyph it rests on."""
    chars = sorted(chars, key=lambda c: (c.bbox.top, c.bbox.x0))
    text = "".join(c.text for c in chars)
    glyph_probs = [c.confidence for c in chars for _ in c.text]
    options: dict[str, float] = {}
    if _is_number(text):
        options[text] = min(glyph_probs, default=0.0)
    position = 0
    for char in chars:
        runner_ups = char.alternatives if isinstance(char, OcrChar) else ()
        for offset, alternatives in enumerate(runner_ups):
            index = position + offset
            for alternative, probability in alternatives:
                variant = text[:index] + alternative + text[index + 1:]
                variant = variant.strip()
                if _is_number(variant) and probability > options.get(variant, 0.0):
                    options[variant] = probability
        position += len(char.text)
    ranked = sorted(options.items(), key=lambda item: -item[1])
    return ranked[:MAX_CANDIDATES]


def _is_number(text: str) -> bool:
    value, reason = parse_number(text)
    return value is not None and reason is None


def _refusal(cell: CanonicalCell) -> str:
    """The message CanonicalTable.refuse gave the cell's uncertain_value problem."""
    return f"{cell.row}/{cell.column}: {cell.uncertain}"


def _withdraw_refusal(table: CanonicalTable, cell: CanonicalCell) -> str:
    """Drop the cell's uncertain_value problem; its message."""
    old = _refusal(cell)
    table.problems[:] = [p for p in table.problems
                         if not (p.kind == "uncertain_value" and p.message == old)]
    return old


def _append_reason(problems: list, cell: CanonicalCell, note: str) -> None:
    old = _refusal(cell)
    cell.uncertain = f"{cell.uncertain}; {note}"
    for problem in problems:
        if problem.kind == "uncertain_value" and problem.message == old:
            problem.message = _refusal(cell)
