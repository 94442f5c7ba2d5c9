"""Offline OCR engines behind one small interface.

`rapidocr` (PyPI rapidocr-onnxruntime: PP-OCRv4 ONNX models inside the wheel, nothing
downloaded at run time) is the default; `tesseract` (Debian tesseract-ocr +
tesseract-ocr-chi-sim) is kept for comparison. Both read grey crops of single text
lines (the table cells) and find text on a page region (headings, title).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import math
import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from PIL import Image

from report_extract.scan.route import ENGINES

MAX_CONFIDENCE = 0.9999  # an OCR reading is never as sure as a text layer (1.0)
MIN_ALTERNATIVE = 0.02  # runner-up readings less likely than this are not candidates
RUNNERS_UP = 6  # classes looked at per glyph (the reading and its runner-ups)
NUMBER_CHARS = frozenset("0123456789.,-—/%+")  # what a number cell can hold
DIGIT_LOOKALIKES = frozenset("oODQUlI|isSBZzgq〇○")
MAX_NUMBER_LENGTH = 16
NUMERIC_MASS = 0.5  # share of belief a character must keep within the number alphabet
REC_BATCH = 8  # crops per engine call at most (larger batches cost more per crop)
MIN_RATIO = 2.0  # width/height the recogniser sees at least (room for CTC frames)
ONNX_THREADS = 1  # per process (see RapidOcrEngine)
KNOWN_CROPS = 4096  # readings kept by their crop's pixels (RapidOcrEngine._remember)
CACHE_VARIABLE = "REPORT_EXTRACT_CACHE"  # the folded recogniser's folder (_fold_cache_file)
CACHE_PREFIX = "recogniser-"  # its file name, before the digests


class OcrUnavailableError(RuntimeError):
    """The requested OCR engine is not installed."""


@dataclass(frozen=True)
class Glyph:
    """One recognised character, its probability and the runner-up readings.

    `mass` is the total probability of the classes decoded over (1.0 over all of
    them; less over a restricted alphabet, before renormalising)."""

    text: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    mass: float = 1.0
    # where the recogniser placed it: its surest frame's middle, as a share of the crop's
    # width (-1: not known); set on the glyphs of one crop, meaningless once joined
    at: float = -1.0

    def renormalized(self) -> Glyph:
        scale = 1.0 / self.mass if self.mass > 0 else 0.0
        alternatives = tuple((t, p * scale) for t, p in self.alternatives
                             if p * scale >= MIN_ALTERNATIVE)
        return replace(self, confidence=min(1.0, self.confidence * scale),
                       alternatives=alternatives, mass=1.0)


@dataclass(frozen=True)
class LineRead:
    glyphs: tuple[Glyph, ...]
    # Read only from the glyphs cleared of what touched them, the first reading being no
    # number at all: such a value stands only where a check over it confirms it.
    rescued: bool = False

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def confidence(self) -> float:
        """The least sure glyph's; never 1.0, which marks a text layer's exact reading."""
        return min(min((g.confidence for g in self.glyphs), default=0.0), MAX_CONFIDENCE)


@dataclass(frozen=True)
class TextBox:
    """A word or line found on an image: pixel box and reading."""

    x0: float
    y0: float
    x1: float
    y1: float
    read: LineRead


class OcrEngine(Protocol):
    name: str

    def read_lines(self, crops: Sequence[np.ndarray]) -> list[LineRead]:
        """Read grey crops that each hold one line of text."""
        ...


def available_engines() -> list[str]:
    found = []
    if all(importlib.util.find_spec(m) is not None for m in ("rapidocr_onnxruntime", "onnx")):
        found.append("rapidocr")
    if shutil.which("tesseract") and "chi_sim" in _tesseract_languages():
        found.append("tesseract")
    return found


def get_engine(name: str = "rapidocr") -> OcrEngine:
    """A (cached) engine by name; OcrUnavailableError says how to install it."""
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}: choose one of {', '.join(ENGINES)}")
    if name not in available_engines():
        raise OcrUnavailableError(INSTALL_HINTS[name])
    return _engine(name)


INSTALL_HINTS = {
    "rapidocr": "OCR engine not installed: pip install -e '.[ocr]' in the checkout "
                "(rapidocr-onnxruntime)",
    "tesseract": "tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim",
}


@cache
def _engine(name: str) -> OcrEngine:
    return RapidOcrEngine() if name == "rapidocr" else TesseractEngine()


# --- RapidOCR ------------------------------------------------------------------------------


class RapidOcrEngine:
    """PP-OCRv4 through onnxruntime. Recognition is decoded here (greedy CTC, as
    RapidOCR does) to keep every character's probability and its runner-ups."""

    name = "rapidocr"

    def __init__(self) -> None:
        # Only the recogniser is loaded (pages are cut into lines here, RapidOCR's detector
        # and orientation classifier are never run), on one thread: onnxruntime's default
        # pool of one thread per core spent twice the CPU time for the same readings on a
        # busy 2-core machine, and files are read in parallel by processes instead.
        # RapidOCR's own TextRecognizer is not built: its plain session (~40 MB, ~0.1 s)
        # would never run; its character list is the model's, in the folded model too.
        from rapidocr_onnxruntime.ch_ppocr_rec.utils import CTCLabelDecode
        from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml, update_model_path

        config = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]
        self._session = _folded_session(config["model_path"])
        self._input = self._session.get_inputs()[0].name
        self._shape: tuple[int, int, int] = tuple(config["rec_img_shape"])
        characters = self._session.get_modelmeta().custom_metadata_map["character"]
        self._charset: list[str] = CTCLabelDecode(
            character=characters.splitlines(),
            character_path=config.get("rec_keys_path")).character
        self._groups: tuple[list[str], list[list[int]]] | None = None
        self._known: dict[bytes, LineRead] = {}  # oldest first (see _remember)

    def read_lines(self, crops: Sequence[np.ndarray]) -> list[LineRead]:
        """All the crops in few engine calls: those of one input width share a call.

        Each crop is padded only to its own width (at least MIN_RATIO), as if read
        alone: padded to a wider batch-mate's, its reading depended on which other
        lines the page had, and the engine spent time on the padding. Measured on
        onnxruntime's CPU provider, a call costs the same per pixel column of input
        whatever the batch (and more in batches of 16 and over), so batching saves
        little beyond the calls' overhead."""
        keys = [_crop_key(c) for c in crops]
        reads = {key: self._known[key] for key in keys if key in self._known}
        new = list({key: i for i, key in enumerate(keys) if key not in reads}.values())
        for batch in _batches([self._input_width(crops[i]) for i in new]):
            indices = [new[k] for k in batch]
            for index, read in zip(indices, self._recognize([crops[i] for i in indices]),
                                   strict=True):
                reads[keys[index]] = read
                self._remember(keys[index], read)
        return [reads[key] for key in keys]

    def _remember(self, key: bytes, read: LineRead) -> None:
        """Readings of the last KNOWN_CROPS crops, by their pixels: a crop is read the
        same alone or in any batch, and the reader often asks twice for the same
        pixels (a doubtful line's second reading, from a grey that differs from the
        first only under a seal, is the same crop on a page without one)."""
        self._known[key] = read
        if len(self._known) > KNOWN_CROPS:
            del self._known[next(iter(self._known))]

    def _input_width(self, crop: np.ndarray) -> int:
        return int(self._shape[1] * _ratio(crop))

    def _recognize(self, crops: list[np.ndarray]) -> list[LineRead]:
        ratio = max(_ratio(c) for c in crops)  # crops of one input width (see _batches)
        batch = np.stack([recogniser_input(c, ratio, self._shape) for c in crops])
        probs = self._session.run(None, {self._input: batch.astype(np.float32)})[0]
        width = batch.shape[-1]  # the input's, padding included
        return [self._decode(p, width / _scaled_width(c, ratio, self._shape))
                for p, c in zip(probs, crops, strict=True)]

    def _decode(self, probs: np.ndarray, stretch: float) -> LineRead:
        """Greedy CTC over all characters; a line that reads like a number (digits, or
        letters shaped like digits: o O l I) is decoded again over the number alphabet.

        The model spreads some belief over thousands of unrelated characters, most of
        all for a lone digit; a number cell cannot hold those, so the number reading
        renormalises over the characters it can hold. It is used only where every
        character keeps most of the belief (NUMERIC_MASS) and the character count
        stays the same, so a smudge is never turned into a digit.
        """
        reading = _greedy(probs, self._charset, stretch)
        if not numeric_like(reading.text):
            return reading
        numeric = self._numeric(probs, stretch)
        if numeric is not None and len(numeric.glyphs) == len(reading.glyphs):
            return numeric
        return reading

    def _numeric(self, probs: np.ndarray, stretch: float) -> LineRead | None:
        if self._groups is None:
            self._groups = _numeric_groups(self._charset)
        names, columns = self._groups
        grouped = np.stack([probs[:, idx].sum(axis=1) for idx in columns], axis=1)
        read = _greedy(grouped, names, stretch)
        if not read.glyphs or min(g.mass for g in read.glyphs) < NUMERIC_MASS:
            return None
        return LineRead(tuple(g.renormalized() for g in read.glyphs))


def _folded_session(model_path: str):  # -> onnxruntime.InferenceSession
    """The recogniser with its elementwise steps folded (scan.fusion): ~1.6x as fast,
    the same probabilities to float rounding. Options as RapidOCR's own session."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = options.inter_op_num_threads = ONNX_THREADS
    cached = _fold_cache_file(model_path)
    model = _cached_model(cached)
    if model is not None:
        try:
            return ort.InferenceSession(model, sess_options=options,
                                        providers=["CPUExecutionProvider"])
        except Exception:  # noqa: BLE001 - a damaged cache file: folded again below
            pass
    return ort.InferenceSession(_fold(model_path, cached), sess_options=options,
                                providers=["CPUExecutionProvider"])


def _cached_model(cached: Path | None) -> bytes | None:
    if cached is None:
        return None
    try:
        return cached.read_bytes()
    except OSError:  # not folded yet, or unreadable: folded again
        return None


def _fold(model_path: str, cached: Path | None) -> bytes:
    """The folded model, kept in the cache where there is one."""
    from report_extract.scan.fusion import folded_model

    folded = folded_model(model_path)
    if cached is not None:
        with contextlib.suppress(OSError):  # unwritable: the next process folds it again
            _write_whole(cached, folded)
            for stale in cached.parent.glob(f"{CACHE_PREFIX}*.onnx"):  # an older model's
                if stale != cached:
                    stale.unlink(missing_ok=True)
    return folded


def _write_whole(path: Path, data: bytes) -> None:
    """Written beside `path`, then renamed onto it: no reader ever sees half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=".fold-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise


def _fold_cache_file(model_path: str) -> Path | None:
    """Where the folded recogniser is kept between processes: folding needs `import onnx`
    (~0.5 s CPU) and ~0.1 s more, in every process that reads a scan. Named by the
    model's and the folding code's digests, so a change to either folds it again.
    REPORT_EXTRACT_CACHE sets the folder ("" keeps nothing); by default the user's
    cache folder."""
    folder = os.environ.get(CACHE_VARIABLE)
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        folder = "" if base.startswith("~") else str(Path(base) / "report-extract")
    if not folder:
        return None
    spec = importlib.util.find_spec("report_extract.scan.fusion")
    digest = hashlib.blake2b(digest_size=12)
    for source in (model_path, spec.origin if spec else None):
        if source is None:
            return None
        try:
            digest.update(Path(source).read_bytes())
        except OSError:
            return None
    return Path(folder) / f"{CACHE_PREFIX}{digest.hexdigest()}.onnx"


def _scaled_width(crop: np.ndarray, ratio: float, shape: tuple[int, int, int]) -> int:
    """The columns of the recogniser's input that the crop fills (recogniser_input)."""
    _, height, _ = shape
    width = int(height * ratio)
    aspect = crop.shape[1] / float(crop.shape[0])
    return width if math.ceil(height * aspect) > width else int(math.ceil(height * aspect))


def recogniser_input(crop: np.ndarray, ratio: float,
                     shape: tuple[int, int, int]) -> np.ndarray:
    """A grey crop as the recogniser takes it, prepared as RapidOCR prepares it: BGR,
    `shape`'s height, its own width (at most `ratio` x the height), -1..1, padded
    with zeros on the right to `ratio` x the height."""
    channels, height, _ = shape
    width = int(height * ratio)
    scaled = _scaled_width(crop, ratio, shape)
    pixels = cv2.resize(_bgr(crop), (scaled, height)).astype(np.float32).transpose((2, 0, 1))
    padded = np.zeros((channels, height, width), np.float32)
    padded[:, :, :scaled] = (pixels / 255 - 0.5) / 0.5
    return padded


def _ratio(crop: np.ndarray) -> float:
    """Width over height as the recogniser is given it: at least MIN_RATIO."""
    return max(MIN_RATIO, crop.shape[1] / crop.shape[0])


def _crop_key(crop: np.ndarray) -> bytes:
    digest = hashlib.blake2b(np.ascontiguousarray(crop).tobytes(), digest_size=16)
    digest.update(repr((crop.shape, crop.dtype.str)).encode())
    return digest.digest()


def _batches(widths: list[int]) -> list[list[int]]:
    """Indices grouped by input width, at most REC_BATCH to a group."""
    groups: dict[int, list[int]] = {}
    for index, width in enumerate(widths):
        groups.setdefault(width, []).append(index)
    return [group[start:start + REC_BATCH] for group in groups.values()
            for start in range(0, len(group), REC_BATCH)]


def _greedy(probs: np.ndarray, charset: Sequence[str], stretch: float) -> LineRead:
    """Greedy CTC (class 0 is the blank); each character keeps the frame where it is
    most certain. Classes that are one character in two widths ("1" and full-width
    "１") count as one reading: the model splits its belief between them."""
    best = probs.argmax(axis=1)
    glyphs: list[Glyph] = []
    frame = 0
    while frame < len(best):
        label = int(best[frame])
        end = frame
        while end + 1 < len(best) and best[end + 1] == label:
            end += 1
        if label != 0:
            peak = frame + int(probs[frame:end + 1, label].argmax())
            # its place: the peak frame's middle, as a share of the input, times `stretch`
            # (the input's width over the columns the crop fills): a share of the crop
            glyphs.append(_glyph(probs[peak], label, charset, (peak + 0.5) / len(best) * stretch))
        frame = end + 1
    return LineRead(tuple(glyphs))


def _glyph(frame: np.ndarray, label: int, charset: Sequence[str], at: float) -> Glyph:
    readings: dict[str, float] = {}
    # The six likeliest classes, likeliest first (a full sort of ~6,600 classes per
    # glyph cost a tenth of the recognition time).
    top = np.argpartition(frame, -RUNNERS_UP)[-RUNNERS_UP:]
    for k in top[np.argsort(frame[top], kind="stable")[::-1]]:
        text = unicodedata.normalize("NFKC", charset[int(k)]) if k else ""
        readings[text] = readings.get(text, 0.0) + float(frame[k])
    best = unicodedata.normalize("NFKC", charset[label])
    readings[best] = max(readings.get(best, 0.0), float(frame[label]))
    alternatives = tuple((text, p) for text, p in readings.items()
                         if text != best and p >= MIN_ALTERNATIVE)
    return Glyph(best, readings[best], alternatives, float(frame.sum()), at)


def numeric_like(text: str) -> bool:
    """Digits and number punctuation, or one or two letters shaped like digits."""
    allowed = all(ch in NUMBER_CHARS or ch in DIGIT_LOOKALIKES or ch == " " for ch in text)
    has_digit = any(ch.isdigit() for ch in text)
    short = 0 < len(text) <= (MAX_NUMBER_LENGTH if has_digit else 2)
    return allowed and short


def _numeric_groups(charset: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Class indices of each character a number can hold (the blank first)."""
    members: dict[str, list[int]] = {"": [0]}
    for index, char in enumerate(charset):
        if index and unicodedata.normalize("NFKC", char) in NUMBER_CHARS:
            members.setdefault(unicodedata.normalize("NFKC", char), []).append(index)
    names = list(members)
    return names, [members[n] for n in names]


def _bgr(gray: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR) if gray.ndim == 2 else gray


# --- Tesseract -----------------------------------------------------------------------------

LINE_HEIGHT = 48  # px each stacked line is scaled to: tesseract reads ~30 px glyphs best
LINE_GAP = 24


@cache
def _tesseract_languages() -> tuple[str, ...]:
    try:
        done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                              check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in done.stdout.splitlines()[1:])


class TesseractEngine:
    """tesseract 5 with chi_sim. One process per call: the line crops are stacked into
    one image (spawning a process per cell would dominate the time)."""

    name = "tesseract"

    def read_lines(self, crops: Sequence[np.ndarray]) -> list[LineRead]:
        if not crops:
            return []
        scaled = [_to_height(c, LINE_HEIGHT) for c in crops]
        width = max(c.shape[1] for c in scaled) + 2 * LINE_GAP
        sheet = np.full(((LINE_HEIGHT + LINE_GAP) * len(scaled) + LINE_GAP, width), 255,
                        np.uint8)
        for k, crop in enumerate(scaled):
            top = LINE_GAP + k * (LINE_HEIGHT + LINE_GAP)
            sheet[top:top + LINE_HEIGHT, LINE_GAP:LINE_GAP + crop.shape[1]] = crop
        words: list[list[tuple[float, str, float]]] = [[] for _ in crops]
        for word in _tesseract_words(sheet, psm=6):
            k = int((word.y0 + word.y1) / 2 - LINE_GAP / 2) // (LINE_HEIGHT + LINE_GAP)
            if 0 <= k < len(crops):
                words[k].append((word.x0, word.read.text, word.read.confidence))
        return [_line_from_words(sorted(w)) for w in words]


def _to_height(crop: np.ndarray, height: int) -> np.ndarray:
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)


def _line_from_words(words: list[tuple[float, str, float]]) -> LineRead:
    return LineRead(tuple(Glyph(ch, conf) for _, text, conf in words for ch in text))


def _tesseract_words(gray: np.ndarray, psm: int) -> list[TextBox]:
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, "PNG")
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
        input=buffer.getvalue(), capture_output=True, check=True, timeout=600)
    words: list[TextBox] = []
    for line in done.stdout.decode("utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = (int(v) for v in fields[6:10])
        conf = max(float(fields[10]), 0.0) / 100
        read = LineRead(tuple(Glyph(ch, conf) for ch in fields[11].strip()))
        words.append(TextBox(left, top, left + width, top + height, read))
    return words
