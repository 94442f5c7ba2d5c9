"""Numbering of printed labels (一、 （一） 1.) compared with a template path's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from report_extract.textclean import numbering


def numbering_level(token: str) -> str:
    """'（一）' -> 'paren', '一、' -> 'cn', '1.' -> 'arabic', '' -> ''."""
    if not token:
        return ""
    if token[0] in "（(":
        return "paren"
    return "arabic" if token[0].isdigit() else "cn"


def _canonical_token(token: str) -> str:
    level = numbering_level(token)
    core = re.sub(r"[（）()、.．\s]", "", token)
    return f"{level}:{core}" if level else ""


def path_numberings(path: Iterable[str]) -> dict[str, str]:
    """The numbering of each label on a template path, by level."""
    found: dict[str, str] = {}
    for label in path:
        token = numbering(label)
        if token:
            found[numbering_level(token)] = _canonical_token(token)
    return found


# not across lines: "（\n六\n）" is a vertical parent label of the next group beside this row
_PAREN_RE = re.compile(r"(?<!第)[（(][一二三四五六七八九十]+[）)]")


# "8 属于行政查询事项": a leaf's numbering whose point OCR lost, kept apart by a space
_POINTLESS_RE = re.compile(r"^\s*(\d{1,2})\s+(?=[\u4e00-\u9fff])")


def label_numberings(text: str) -> list[str]:
    """Every numbering a printed label carries: at the start of each of its lines (also
    a digit whose point was lost, "8 属于…"), and a bracketed one anywhere ("（五）不予处理
    （六）其他处理", two parent cells run together where a rule was not drawn), but not
    "第（五）项"."""
    tokens = [token for line in text.splitlines() if (token := _line_numbering(line))]
    return tokens + _PAREN_RE.findall(text)


def _line_numbering(line: str) -> str:
    token = numbering(line)
    if not token and (pointless := _POINTLESS_RE.match(line)):
        token = f"{pointless.group(1)}."
    return token


def numbering_agrees(printed: Sequence[str], path: Sequence[str]) -> bool:
    """Does the numbering printed on a row's labels (its parents' and its own) agree with
    the template path of a leaf? A level the path does not number says nothing; at a
    level it numbers, some printed label must carry its number ("（三）不予公开" is not
    "（一）予以公开"; a wrapped label's piece "1、申请" beside "5.要求…" does not refuse 5.)."""
    template = _path_numberings(tuple(path))
    printed_at = _printed_numberings(tuple(printed))
    return all(template[level] in tokens for level, tokens in printed_at.items()
               if level in template)


# Memoised per process (read only here): a row's labels are compared with every key's
# path (~40 a row), each path with every row of every report, and each numbering cleans
# its label's text (a third of normalize's time).
@lru_cache(maxsize=4096)
def _path_numberings(path: tuple[str, ...]) -> dict[str, str]:
    return path_numberings(path)


@lru_cache(maxsize=4096)
def _printed_numberings(printed: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The canonical numberings the printed labels carry, by level."""
    printed_at: dict[str, set[str]] = {}
    for label in printed:
        for token in label_numberings(label):
            printed_at.setdefault(numbering_level(token), set()).add(_canonical_token(token))
    return {level: frozenset(tokens) for level, tokens in printed_at.items()}
