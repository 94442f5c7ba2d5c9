"""Fuzzy matching of printed labels to canonical keys, refusing to guess when unsure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from report_extract.normalize.numbering import numbering_agrees
from report_extract.templates import TABLE_COLUMNS, TABLE_ROWS, LabelSpec
from report_extract.textclean import label_key

MIN_SCORE = 0.6  # below this a label is not placed
MIN_SCORE_SHORT = 0.8  # for labels of up to SHORT characters: "其他说明" is not "其他"
SHORT = 3
MIN_MARGIN = 0.06  # the best must beat the runner-up (another key) by this much
CONTAINED_SCORE = 0.85  # "部分公开" printed for the long official label
MIN_CONTAINED = 4  # characters a contained label needs to count
# Matches remembered per process: reports print the same few hundred labels, and difflib
# was most of the time spent after reading a report
MATCH_CACHE = 20_000
# The label's own numbering disagreeing with a key's refuses the key ("8 属于行政查询事项"
# over the words of "1.本机关不掌握…" is not row 1): it is printed on the label's line.
NUMBERING_REFUSAL = 1.0
# A parent's disagreeing only lowers the score: which rows a parent cell spans is inferred
# (a block split over pages has its parent printed on one page only, and the join may
# extend the block above over the split-off rows).
NUMBERING_PENALTY = 0.3


@dataclass(frozen=True)
class LabelMatch:
    spec: LabelSpec | None
    score: float
    reason: str = ""


@lru_cache(maxsize=MATCH_CACHE)
def similarity(a: str, b: str) -> float:
    """Similarity of two label keys, with credit for a label printed in short. Memoised:
    a row label is compared with the template's parents for every row of every report."""
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= MIN_CONTAINED and longer.startswith(shorter):
        ratio = max(ratio, CONTAINED_SCORE)
    return ratio


@cache
def _spec_keys(spec: LabelSpec) -> tuple[str, tuple[str, ...]]:
    """The comparison keys of a template label's group and of its names."""
    return label_key(spec.group), tuple(label_key(name) for name in spec.names)


def score(spec: LabelSpec, leaf_key: str, group_key: str) -> float:
    """Best of: the label alone, and the label with its parent group (disambiguates '3.其他')."""
    best = 0.0
    spec_group, name_keys = _spec_keys(spec)
    for name_key in name_keys:
        best = max(best, similarity(leaf_key, name_key))
        if group_key and spec_group:
            best = max(best, similarity(group_key + leaf_key, spec_group + name_key))
    return best


def match_label(text: str, specs: Sequence[LabelSpec], group: str = "", *,
                paths: Mapping[str, Sequence[str]] | None = None,
                printed: Sequence[str] = ()) -> LabelMatch:
    """The spec a printed label names, or none with the reason. `paths`: each key's
    template labels from its top parent down; a numbering among `printed` (the row's
    labels, parents first) that disagrees with a key's path lowers its score, and refuses
    the key where the label's own numbering disagrees: "（三）予以公开" is not "（一）予以
    公开" however alike the words (a label read from a shifted row, or misnumbered: unsure
    either way). Memoised per process."""
    if paths is None:
        frozen = None
    elif type(paths) is FrozenPaths:
        frozen = paths.frozen
    else:
        frozen = tuple((k, tuple(v)) for k, v in paths.items())
    return _match_label(text, _specs_key(specs), group, frozen, tuple(printed))


class FrozenPaths(Mapping[str, tuple[str, ...]]):
    """Row keys -> their template paths, read-only, with the frozen form match_label's
    memo takes made once (normalize.tree.leaf_paths gives these): made per call, it cost
    more than the memo saved."""

    def __init__(self, paths: Mapping[str, Sequence[str]]):
        self.frozen = tuple((k, tuple(v)) for k, v in paths.items())
        self._paths = dict(self.frozen)

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._paths[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


class _SpecsKey:
    """Specs as a key of _match_label's memo: its hash made once per tuple of specs (a
    tuple's is not kept: hashing its ~30 frozen LabelSpecs on every call cost most of a
    memo hit). Equal as the tuples are."""

    __slots__ = ("_hash", "specs")

    def __init__(self, specs: tuple[LabelSpec, ...]):
        self.specs = specs
        self._hash = hash(specs)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SpecsKey) and (
            self.specs is other.specs or self.specs == other.specs)


# The keys of the tuples of specs asked with (the templates' own), by the tuple's id: a
# key holds its tuple, so the id stays that tuple's. A tuple of frozen LabelSpecs (str,
# tuple and bool fields) never changes; a list may, and is keyed anew each time.
_SPECS_KEYS: dict[int, _SpecsKey] = {}
MAX_SPECS_KEYS = 64


def _specs_key(specs: Sequence[LabelSpec]) -> _SpecsKey:
    if type(specs) is not tuple:
        return _SpecsKey(tuple(specs))
    key = _SPECS_KEYS.get(id(specs))
    if key is None or key.specs is not specs:
        key = _SpecsKey(specs)
        if len(_SPECS_KEYS) < MAX_SPECS_KEYS:
            _SPECS_KEYS[id(specs)] = key
    return key


@lru_cache(maxsize=MATCH_CACHE)
def _match_label(text: str, specs_key: _SpecsKey, group: str,
                 frozen_paths: tuple[tuple[str, tuple[str, ...]], ...] | None,
                 printed: tuple[str, ...]) -> LabelMatch:
    specs = specs_key.specs
    paths = None if frozen_paths is None else dict(frozen_paths)
    leaf_key = label_key(text)
    if not leaf_key:
        return LabelMatch(None, 0.0, "empty label")
    group_key = label_key(group)
    printed = printed or (group, text)

    def scored(spec: LabelSpec) -> float:
        base = score(spec, leaf_key, group_key)
        path = () if paths is None else paths.get(spec.key, ())
        if not path or numbering_agrees(printed, path):
            return base
        own = numbering_agrees([text], path)
        return base - (NUMBERING_PENALTY if own else NUMBERING_REFUSAL)

    ranked = sorted(((scored(s), s) for s in specs), key=lambda t: -t[0])
    best_score, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    short = min(len(key) for key in _spec_keys(best)[1]) <= SHORT
    if best_score < (MIN_SCORE_SHORT if short else MIN_SCORE):
        by_words = max(specs, key=lambda s: score(s, leaf_key, group_key))
        if scored(by_words) < score(by_words, leaf_key, group_key):
            return LabelMatch(None, best_score, "its numbering disagrees with the "
                              f"template's (best by its words: {by_words.label})")
        return LabelMatch(None, best_score, f"no template label is close (best: {best.label})")
    if best_score - runner_up < MIN_MARGIN:
        other = ranked[1][1]
        return LabelMatch(
            None, best_score, f"ambiguous: as close to {best.label} as to {other.label}"
        )
    return LabelMatch(best, best_score)


@cache
def template_label_keys() -> frozenset[str]:
    """The comparison keys of every label the templates print: rows, columns, groups."""
    specs = [spec for table in (*TABLE_ROWS.values(), *TABLE_COLUMNS.values()) for spec in table]
    names = {name for spec in specs for name in (*spec.names, spec.group) if name}
    return frozenset(key for name in names if (key := label_key(name)))
