"""check_file's shortcuts give the sizes and refusals a full decode gives (issue 16)."""

from __future__ import annotations

import base64
import random
import zlib

import pytest

from report_extract.errors import TooLargeError
from report_extract.limits import Limits, ascii85decode, check_file, decoded_size, most_decoded


def _reference_a85(data: bytes) -> bytes | type[Exception]:
    body = data.split(b"~>", 1)[0]
    if body.lstrip().startswith(b"<~"):
        body = body.lstrip()[2:]
    try:
        return base64.a85decode(body, ignorechars=b" \t\n\r\x0b\x0c\x00")
    except ValueError as error:
        return type(error)


def _ours_a85(data: bytes) -> bytes | type[Exception]:
    try:
        return ascii85decode(data)
    except ValueError as error:
        return type(error)


def test_ascii85_decodes_as_the_standard_library_does():
    """Whole and partial groups, "z", overflowing groups ("s8W-!" is 2**32), bad digits."""
    rng = random.Random(16)
    cases = [b"", b"!", b"s8W-!", b"s8W-", b"uuuuu", b"z", b"!!z!!", b"9jqo^~>", b"<~9jqo^~>",
             b"9jq o^\nBl", b"9jqo^v"]
    for _ in range(3000):
        raw = bytes(rng.choice([0, 255, rng.randrange(256)]) for _ in range(rng.randrange(40)))
        encoded = bytearray(base64.a85encode(raw, wrapcol=rng.choice([0, 7])))
        for _ in range(rng.choice([0, 0, 1, 2])):
            if encoded:
                encoded[rng.randrange(len(encoded))] = rng.choice(b"!stuz \n~x")
        cases.append(bytes(encoded))
    for case in cases:
        assert _ours_a85(case) == _reference_a85(case), case


@pytest.mark.parametrize("filters, data", [
    ([b"FlateDecode"], zlib.compress(b"\0" * 1_000_000, 9)),
    ([b"ASCII85Decode"], b"zzzzzzzzzz~>"),
    ([b"ASCIIHexDecode"], b"0" * 101),
    ([b"RunLengthDecode"], b"\x81\x00" * 50),
    ([b"ASCII85Decode", b"FlateDecode"], base64.a85encode(zlib.compress(b"\0" * 10**6, 9))),
])
def test_most_decoded_bounds_the_densest_streams(filters, data):
    assert decoded_size(data, filters, 1 << 30) <= most_decoded(len(data), filters)


def _pdf_with_streams(*streams: bytes) -> bytes:
    """Numbered Flate streams (no page tree: only check_file's stream walk reads it)."""
    parts = [b"%PDF-1.7\n"]
    for number, data in enumerate(streams, start=1):
        packed = zlib.compress(data, 9)
        parts.append(b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\n"
                     b"endobj\n" % (number, len(packed), packed))
    return b"".join(parts) + b"%%EOF\n"


def test_streams_left_unmeasured_give_their_sizes_when_asked(tmp_path):
    path = tmp_path / "streams.pdf"
    path.write_bytes(_pdf_with_streams(b"a" * 5000, b"0 0 m 1 1 l S\n" * 100))
    sizes = check_file(path, path.name).sizes
    assert sizes.get(1) == 5000 and sizes.get(2) == 1400 and sizes.get(3, 0) == 0
    assert sorted(sizes) == [1, 2]


def test_the_total_is_exact_where_the_bounds_would_pass_its_limit(tmp_path):
    """Each stream's bound (~1032x its ~40 bytes) is within 1 MB, all of them are not,
    their decoded sizes are: no refusal. Then one more stream makes the total too large."""
    path = tmp_path / "streams.pdf"
    path.write_bytes(_pdf_with_streams(*[b"\0" * 50_000] * 20))
    assert sum(check_file(path, path.name, Limits(max_streams_total_mb=1)).sizes.values()) \
        == 1_000_000
    path.write_bytes(_pdf_with_streams(*[b"\0" * 50_000] * 21))
    with pytest.raises(TooLargeError) as error:
        check_file(path, path.name, Limits(max_streams_total_mb=1))
    assert str(error.value) == ("streams.pdf: too large: its streams decode to over 1 MB "
                                "together")
