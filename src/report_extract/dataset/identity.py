"""One identity per agency: a normalized key, region-prefix links, a user's alias file.

Rules (docs/dataset.md), each exact, none a guess between two bodies:

1. `agency_key(name)`: textclean.clean_text (full-width forms to half-width, radicals to
   the characters they stand for, spacing around CJK removed), then every whitespace and
   punctuation mark removed (quotes, brackets, 、，。·). The words stay: 办公室 and 办公厅,
   局 and 委员会 name different bodies and stay different.
2. Region prefix: a key that is another key with higher-level region names in front
   (淮安市 + 洪泽区人民政府) links to it: both are one agency, under the longer name. The
   shorter name must itself start with a region (洪泽区, 沭阳县), never be a bare
   人民政府 or 财政局, and the link is made only when exactly one longer name fits
   (洪泽区人民政府 beside both 淮安市洪泽区人民政府 and 某市洪泽区人民政府 is ambiguous:
   left unlinked and said so).
3. Alias file (`--agencies aliases.csv`, columns `agency,same_as`): the user's word, applied
   last, for everything else (renamed bodies, 办公室 ↔ 办公厅 where the user knows).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from report_extract.textclean import agency_key

LINK_SAME = ""  # the name's own key
LINK_REGION = "region_prefix"
LINK_ALIAS = "alias_file"

# One administrative region name: a few characters ending in a level word.
_REGION = (r"[\u3400-\u9fff]{1,12}?"
           r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗)")
_REGION_PREFIX_RE = re.compile(rf"^(?:{_REGION})+$")
_STARTS_WITH_REGION_RE = re.compile(rf"^{_REGION}.")


@dataclass(frozen=True)
class Identity:
    """What one printed name became."""

    agency: str  # as printed (the title's reading)
    name_key: str  # agency_key(agency)
    agency_key: str  # after links: the key of the agency's identity
    linked_by: str  # "", region_prefix, alias_file
    note: str


class AliasError(ValueError):
    """An alias file that cannot be used (the message names the file and line)."""


def read_aliases(path: str | os.PathLike) -> dict[str, str]:
    """name_key -> name_key of the agency it is the same as, from a CSV with columns
    agency,same_as (UTF-8, a BOM allowed; '#' lines are comments)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AliasError(f"{path}: cannot read the alias file: {exc}") from None
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"agency", "same_as"} <= set(reader.fieldnames):
        raise AliasError(f"{path}: the alias file needs the columns agency,same_as")
    aliases: dict[str, str] = {}
    for number, record in enumerate(reader, start=2):
        name, same = agency_key(record.get("agency")), agency_key(record.get("same_as"))
        if not name or not same:
            raise AliasError(f"{path}: line {number}: both agency and same_as are needed")
        if aliases.get(name, same) != same:
            raise AliasError(f"{path}: line {number}: {record['agency']} is given as the "
                             "same as two different agencies")
        aliases[name] = same
    return aliases


def region_prefix(longer: str, shorter: str) -> str | None:
    """The region names `longer` puts before `shorter`, when that is all it adds."""
    if len(longer) <= len(shorter) or not longer.endswith(shorter):
        return None
    prefix = longer[: len(longer) - len(shorter)]
    if not _REGION_PREFIX_RE.match(prefix) or not _STARTS_WITH_REGION_RE.match(shorter):
        return None
    return prefix


def identify(names: Iterable[str], aliases: dict[str, str] | None = None
             ) -> dict[str, Identity]:
    """The identity of every printed name (rules 1-3), by printed name."""
    printed = sorted(set(names))
    own = {name: agency_key(name) or name for name in printed}
    keys = sorted(set(own.values()))
    target: dict[str, tuple[str, str, str]] = {k: (k, LINK_SAME, "") for k in keys}
    for key in keys:
        longer = sorted((k for k in keys if region_prefix(k, key)), key=len)
        if longer and _one_chain(longer):  # 洪泽区… < 淮安市洪泽区… < 江苏省淮安市洪泽区…
            prefix = region_prefix(longer[0], key)
            target[key] = (longer[0], LINK_REGION,
                           f"{key} is {longer[0]} without its region prefix {prefix}")
        elif longer:
            target[key] = (key, LINK_SAME, f"{key} may be any of {', '.join(longer)} "
                           "(region prefixes differ): not linked")
    for name, same in (aliases or {}).items():
        if name in target or same in target:
            target[name] = (same, LINK_ALIAS, f"{name} is {same} by the alias file")
    return {name: _identity(name, own[name], target) for name in printed}


def _one_chain(keys: list[str]) -> bool:
    """Each key (shortest first) is the one before with more region names in front."""
    return all(region_prefix(b, a) for a, b in zip(keys, keys[1:], strict=False))


def _identity(name: str, key: str, target: dict[str, tuple[str, str, str]]) -> Identity:
    final, linked_by, note = target[key]
    seen = {key}
    # Follow links (an alias may point at a name that is itself linked), never in a loop.
    while final in target and target[final][0] != final and final not in seen:
        seen.add(final)
        nxt, how, more = target[final]
        note = f"{note}; {more}" if note else more
        linked_by = linked_by or how
        final = nxt
    return Identity(name, key, final, linked_by, note)
