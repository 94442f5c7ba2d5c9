"""Hostile and broken variants of generated reports: the damage archives of real reports
show, and what an attacker would try, made reproducibly from a seed.

    data = mutate(pdf_bytes, random.Random(seed))          # (mutator name, bytes)
    data = MUTATORS["flate_bomb"](pdf_bytes, rng)           # one kind on purpose

Byte-level mutators damage the file as a download or a disk would (flipped bytes, a cut,
a broken xref or /Length); structural ones (pikepdf, the `dev` extra) rewrite objects:
self-references, page-tree loops, broken page boxes, huge pages, decompression bombs,
deep nesting, garbage content. benchmarks/fuzz.py runs them at scale; the tests build
their regression fixtures with the same functions (never from a copied real file).
"""

from __future__ import annotations

import functools
import io
import math
import random
import re
import zlib
from collections.abc import Callable

Mutator = Callable[[bytes, random.Random], bytes]


# --- byte level ---------------------------------------------------------------------

def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 8, 32, 128))):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def break_xref(data: bytes, rng: random.Random) -> bytes:
    """Offsets in the xref table or startxref point to the wrong place (or nowhere)."""
    spots = [m.span() for m in re.finditer(rb"\d{10} \d{5} [nf]", data)]
    spots += [m.span(1) for m in re.finditer(rb"startxref\s+(\d+)", data)]
    if not spots:
        return flip_bytes(data, rng)
    out = bytearray(data)
    for _ in range(rng.choice((1, 3, 10))):
        start, end = rng.choice(spots)
        digits = str(rng.choice((0, rng.randrange(len(data)), 10**9))).zfill(end - start)
        out[start:end] = digits.encode()[-(end - start):] if len(digits) > end - start \
            else digits.encode()
    return bytes(out)


def break_length(data: bytes, rng: random.Random) -> bytes:
    """A stream's /Length lies: 0, a little off, or huge."""
    spots = [m.span(1) for m in re.finditer(rb"/Length\s+(\d+)", data)]
    if not spots:
        return flip_bytes(data, rng)
    start, end = rng.choice(spots)
    value = int(data[start:end])
    new = rng.choice((0, max(0, value - rng.randrange(1, 50)), value + rng.randrange(1, 50),
                      10**12, -1))
    return data[:start] + str(new).encode() + data[end:]


def splice(data: bytes, rng: random.Random) -> bytes:
    """A chunk deleted, or copied over another place (a badly joined download)."""
    a, b = sorted(rng.randrange(len(data)) for _ in range(2))
    if rng.random() < 0.5:
        return data[:a] + data[b:]
    where = rng.randrange(len(data))
    return data[:where] + data[a:b][:4096] + data[where:]


def swap_tokens(data: bytes, rng: random.Random) -> bytes:
    """Structure tokens exchanged: `obj`/`endobj`, `<<`/`>>`, `[`/`]`, `R`."""
    tokens = [b"obj", b"endobj", b"<<", b">>", b"[", b"]", b" R", b"stream", b"endstream"]
    spots = [(m.start(), m.group()) for m in re.finditer(
        rb"endobj|obj|<<|>>|\[|\]| R\b|endstream|stream", data)]
    if not spots:
        return flip_bytes(data, rng)
    out = data
    for _ in range(rng.choice((1, 3, 10))):
        start, token = rng.choice(spots)
        new = rng.choice(tokens)
        out = out[:start] + new + out[start + len(token):]
    return out


# --- structural (pikepdf) -------------------------------------------------------------

def open_pdf(data: bytes):
    """A PDF's bytes as a pikepdf document, to edit its structure."""
    import pikepdf

    return pikepdf.open(io.BytesIO(data))


def save_pdf(pdf) -> bytes:
    """An edited document's bytes, its damage kept as made (the same bytes each time)."""
    import pikepdf

    out = io.BytesIO()
    # No decoding while saving: a bomb stays a bomb, broken streams stay broken.
    # deterministic_id: qpdf otherwise writes a new /ID from the clock, and a mutant made
    # twice from one seed differed whenever the second changed between the saves.
    pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             object_stream_mode=pikepdf.ObjectStreamMode.disable, deterministic_id=True)
    return out.getvalue()


def _entry(dictionary, key: str):
    """dictionary[key], made an empty dictionary first if absent."""
    import pikepdf

    if key not in dictionary:
        dictionary[key] = pikepdf.Dictionary()
    return dictionary[key]


def _page(pdf, rng: random.Random):
    return pdf.pages[rng.randrange(len(pdf.pages))]


def recursive_resources(data: bytes, rng: random.Random) -> bytes:
    """A page's /Resources holds itself; or a form XObject draws itself."""
    import pikepdf

    pdf = open_pdf(data)
    page = _page(pdf, rng)
    if rng.random() < 0.5:
        resources = pdf.make_indirect(pikepdf.Dictionary(page.obj.get("/Resources", {})))
        resources["/Self"] = resources
        resources["/Font"] = resources if rng.random() < 0.5 else resources.get("/Font", {})
        page.obj["/Resources"] = resources
    else:
        form = pdf.make_stream(b"q /Loop Do Q")
        form["/Type"], form["/Subtype"] = pikepdf.Name.XObject, pikepdf.Name.Form
        form["/BBox"] = pikepdf.Array([0, 0, 100, 100])
        form["/Resources"] = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Loop=form))
        _entry(_entry(page.obj, "/Resources"), "/XObject")["/Loop"] = form
        page.obj["/Contents"] = pdf.make_stream(
            page.obj.Contents.read_bytes() + b"\nq /Loop Do Q\n"
            if isinstance(page.obj.get("/Contents"), pikepdf.Stream) else b"q /Loop Do Q")
    return save_pdf(pdf)


def page_tree_loop(data: bytes, rng: random.Random) -> bytes:
    """The page tree's /Kids contain the tree itself (or a page is its own parent)."""
    import pikepdf

    pdf = open_pdf(data)
    root = pdf.Root.Pages
    if rng.random() < 0.5:
        kids = pikepdf.Array(list(root.Kids))
        kids.append(root)
        root.Kids = kids
    else:
        inner = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Count=1,
                                                     Parent=root))
        inner.Kids = pikepdf.Array([inner, root])
        root.Kids = pikepdf.Array([*list(root.Kids), inner])
    return save_pdf(pdf)


_BAD_BOXES = ([], [0, 0, 612], [0, 0, 612, 792, 5], ["a", 0, 612, 792], [0, 0, 0, 0],
              [0, 0, 612, None], [0, 0, 1e30, 1e30], [0, 0, float("inf"), 792],
              [100, 100, 100, 700], "box", [[0, 0], [612, 792]])


def bad_page_box(data: bytes, rng: random.Random) -> bytes:
    """A /MediaBox or /CropBox that is not four numbers enclosing an area."""
    import pikepdf

    pdf = open_pdf(data)
    page = _page(pdf, rng)
    box = rng.choice(_BAD_BOXES)
    key = rng.choice(("/MediaBox", "/CropBox"))
    if isinstance(box, str):
        page.obj[key] = pikepdf.String(box)
    else:
        page.obj[key] = pikepdf.Array([_pdf_value(v) for v in box])
    return save_pdf(pdf)


def _pdf_value(value):
    import pikepdf

    if value is None:
        return pikepdf.Name.Null
    if isinstance(value, list):
        return pikepdf.Array(value)
    if isinstance(value, float) and not math.isfinite(value):
        return pikepdf.Name("/inf")
    return value


def huge_page(data: bytes, rng: random.Random) -> bytes:
    """A page kilometres wide (with its contents scaled to fill it)."""
    import pikepdf

    pdf = open_pdf(data)
    page = _page(pdf, rng)
    side = rng.choice((20000, 200000, 14400 * 100))
    page.obj.MediaBox = pikepdf.Array([0, 0, side, side])
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
    return save_pdf(pdf)


def flate_bomb(data: bytes, rng: random.Random, megabytes: int | None = None) -> bytes:
    """A small stream that inflates to gigabytes, as a page's contents or an image."""
    import pikepdf

    pdf = open_pdf(data)
    page = _page(pdf, rng)
    size = (megabytes or rng.choice(BOMB_SIZES_MB)) << 20
    bomb = bomb_bytes(size, double=rng.random() < 0.3)
    stream = pdf.make_stream(b"")
    filters = [pikepdf.Name.FlateDecode] * (2 if bomb[1] else 1)
    stream.write(bomb[0], filter=pikepdf.Array(filters) if len(filters) > 1 else filters[0])
    if rng.random() < 0.5:
        page.obj.Contents = stream
    else:
        stream["/Type"], stream["/Subtype"] = pikepdf.Name.XObject, pikepdf.Name.Image
        stream["/Width"] = stream["/Height"] = 20000
        stream["/ColorSpace"], stream["/BitsPerComponent"] = pikepdf.Name.DeviceGray, 8
        _entry(_entry(page.obj, "/Resources"), "/XObject")["/Bomb"] = stream
        page.obj.Contents = pdf.make_stream(b"q 600 0 0 800 0 0 cm /Bomb Do Q")
    return save_pdf(pdf)


BOMB_SIZES_MB = (300, 1024, 3072)


@functools.lru_cache(maxsize=8)
def bomb_bytes(size: int, double: bool = False) -> tuple[bytes, bool]:
    """`size` zero bytes, deflated (and deflated again when `double`). Cached: making a
    3 GB one takes seconds."""
    packer = zlib.compressobj(1)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(size >> 20)]
    parts.append(packer.flush())
    packed = b"".join(parts)
    return (zlib.compress(packed, 9), True) if double else (packed, False)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """Arrays or dictionaries nested tens of thousands deep, in contents or in an object."""
    depth = rng.choice((2000, 20000, 200000))
    nested = rng.choice((b"[" * depth + b"]" * depth, b"<<" * depth + b">>" * depth,
                         b"[" * depth))
    if rng.random() < 0.5:
        pdf = open_pdf(data)
        page = _page(pdf, rng)
        page.obj.Contents = pdf.make_stream(nested + b" Tj")
        return save_pdf(pdf)
    # In an object itself: appended as a new object that the catalog refers to.
    match = list(re.finditer(rb"(\d+) 0 obj", data))
    number = max(int(m.group(1)) for m in match) + 1 if match else 999
    body = f"{number} 0 obj\n".encode() + nested + b"\nendobj\n"
    where = data.rfind(b"xref")
    where = where if where > 0 else len(data)
    out = data[:where] + body + data[where:]
    return out.replace(b"/Type /Catalog", f"/Type /Catalog /Deep {number} 0 R".encode(), 1)


def garbage_content(data: bytes, rng: random.Random) -> bytes:
    """Content operators with wrong operands, unknown operators, huge numbers, bad fonts."""
    pdf = open_pdf(data)
    page = _page(pdf, rng)
    ops = [b"BT", b"ET", b"Tj", b"TJ", b"Tf", b"Td", b"cm", b"re", b"f", b"S", b"q", b"Q",
           b"Do", b"'", b"\"", b"BI", b"ID", b"EI", b"gs", b"sh", b"d0", b"d1"]
    operands = [b"1", b"-1e308", b"99999999999999999999", b"/F1", b"/Nope", b"(x)", b"<ff>",
                b"[(a) -1e9 (b)]", b"0", b"NaN", b"()", b"<<>>"]
    parts = [rng.choice(operands + ops) for _ in range(rng.choice((50, 500, 5000)))]
    contents = page.obj.get("/Contents")
    original = contents.read_bytes() if hasattr(contents, "read_bytes") else b""
    page.obj.Contents = pdf.make_stream(original + b"\n" + b" ".join(parts))
    return save_pdf(pdf)


def drop_objects(data: bytes, rng: random.Random) -> bytes:
    """Indirect objects replaced by null or by an object of the wrong type."""
    import pikepdf

    pdf = open_pdf(data)
    objects = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream)]
    for _ in range(rng.choice((1, 3, 10))):
        obj = rng.choice(objects)
        key = rng.choice([k for k in obj if k != "/Length"] or ["/Type"])
        obj[key] = rng.choice((pikepdf.Name.Null, pikepdf.Array([1, 2]), 7,
                               pikepdf.String("x"), pikepdf.Dictionary()))
    return save_pdf(pdf)


def many_pages(data: bytes, rng: random.Random) -> bytes:
    """A page tree that claims or holds thousands of pages."""
    pdf = open_pdf(data)
    if rng.random() < 0.5:
        pdf.Root.Pages.Count = rng.choice((-1, 0, 10**9))
        return save_pdf(pdf)
    page = pdf.pages[0]
    for _ in range(rng.choice((2500, 5000))):
        pdf.pages.append(page)
    return save_pdf(pdf)


def huge_content(data: bytes, rng: random.Random) -> bytes:
    """A page whose (compressible) content stream is tens of megabytes of text."""
    import pikepdf

    pdf = open_pdf(data)
    page = _page(pdf, rng)
    line = b"BT /F1 8 Tf 10 10 Td (0123456789) Tj ET\n"
    content = line * (rng.choice((5, 20, 60)) * (1 << 20) // len(line))
    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(content, 6), filter=pikepdf.Name.FlateDecode)
    page.obj.Contents = stream
    return save_pdf(pdf)


BYTE_MUTATORS: dict[str, Mutator] = {
    "flip_bytes": flip_bytes, "truncate": truncate, "break_xref": break_xref,
    "break_length": break_length, "splice": splice, "swap_tokens": swap_tokens,
}
STRUCTURAL_MUTATORS: dict[str, Mutator] = {
    "recursive_resources": recursive_resources, "page_tree_loop": page_tree_loop,
    "bad_page_box": bad_page_box, "huge_page": huge_page, "flate_bomb": flate_bomb,
    "deep_nesting": deep_nesting, "garbage_content": garbage_content,
    "drop_objects": drop_objects, "many_pages": many_pages, "huge_content": huge_content,
}
MUTATORS: dict[str, Mutator] = {**BYTE_MUTATORS, **STRUCTURAL_MUTATORS}
# How often each is drawn: damage is common, elaborate attacks rarer (and slower to make).
WEIGHTS = {"flip_bytes": 6, "truncate": 3, "break_xref": 3, "break_length": 3, "splice": 2,
           "swap_tokens": 3, "recursive_resources": 2, "page_tree_loop": 1, "bad_page_box": 2,
           "huge_page": 1, "flate_bomb": 1, "deep_nesting": 1, "garbage_content": 2,
           "drop_objects": 3, "many_pages": 1, "huge_content": 1}


def mutate(data: bytes, rng: random.Random, names: list[str] | None = None) -> tuple[str, bytes]:
    """One mutation drawn by weight (from `names` if given); then, at times, a second one."""
    names = names or list(MUTATORS)
    name = rng.choices(names, weights=[WEIGHTS.get(n, 1) for n in names])[0]
    try:
        out = MUTATORS[name](data, rng)
    except Exception:  # noqa: BLE001 - pikepdf refuses some inputs: damage bytes instead
        name, out = "flip_bytes", flip_bytes(data, rng)
    if rng.random() < 0.15:
        extra = rng.choice(list(BYTE_MUTATORS))
        name, out = f"{name}+{extra}", BYTE_MUTATORS[extra](out, rng)
    return name, out
