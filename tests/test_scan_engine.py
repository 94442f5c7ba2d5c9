"""The OCR engine wrapper: a crop's reading does not depend on the crops read with it,
and the same pixels are recognised once. Needs the `ocr` extra (rapidocr-onnxruntime)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from report_extract.scan.engines import available_engines, get_engine

pytestmark = pytest.mark.skipif(
    "rapidocr" not in available_engines(),
    reason="OCR engine not installed: pip install -e '.[ocr]' in the checkout "
           "(rapidocr-onnxruntime)")

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # .ci/run installs it


def line(text: str) -> np.ndarray:
    """Grey crop of one printed line, 32 px glyphs with paper around them."""
    if not FONT.exists():
        pytest.skip(f"font {FONT} not installed (Debian fonts-wqy-zenhei)")
    font = ImageFont.truetype(str(FONT), 32)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 16, bottom - top + 8), 255)
    ImageDraw.Draw(image).text((8 - left, 4 - top), text, font=font, fill=0)
    return np.asarray(image)


def test_a_crop_reads_the_same_alone_and_among_wider_crops():
    engine = get_engine("rapidocr")
    # Padded to the wider batch-mate, as before, the reading's probabilities changed.
    digits, wider = line("4119"), line("41190")
    alone = engine.read_lines([digits])[0]
    engine._known.clear()  # read again, this time beside wider crops
    among = engine.read_lines([wider, digits, line("1234567890 4119 2020")])[1]
    assert alone.text == "4119"
    assert among == alone


def test_the_same_pixels_are_recognised_once(monkeypatch):
    engine = get_engine("rapidocr")
    engine._known.clear()
    seen: list[int] = []
    recognize = engine._recognize
    monkeypatch.setattr(engine, "_recognize",
                        lambda crops: seen.append(len(crops)) or recognize(crops))
    first, second = line("305"), line("17")
    reads = engine.read_lines([first, second, first.copy()])
    assert [r.text for r in reads] == ["305", "17", "305"]
    assert sum(seen) == 2
    assert [r.text for r in engine.read_lines([second])] == ["17"]
    assert sum(seen) == 2  # read before: not recognised again


def test_the_folded_recogniser_gives_the_plain_models_probabilities():
    # scan.fusion rewrites the graph (affine steps into convolutions, hard-swish as
    # x * HardSigmoid(x)); only float rounding may differ from RapidOCR's own session,
    # and the input is prepared exactly as RapidOCR prepares it.
    from rapidocr_onnxruntime.main import (
        DEFAULT_CFG_PATH,
        TextRecognizer,
        read_yaml,
        update_model_path,
    )

    from report_extract.scan.engines import recogniser_input

    rapid = TextRecognizer(update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"])
    engine = get_engine("rapidocr")
    assert engine._charset == rapid.postprocess_op.character
    crops = [line(text) for text in ("其他", "4119", "收到和处理政府信息公开申请情况")]
    for crop in crops:
        ratio = max(2.0, crop.shape[1] / crop.shape[0])
        batch = rapid.resize_norm_img(np.dstack([crop] * 3), ratio)[None]
        assert np.array_equal(recogniser_input(crop, ratio, engine._shape)[None], batch)
        plain = rapid.session(batch.astype(np.float32))[0]
        folded = engine._session.run(None, {engine._input: batch.astype(np.float32)})[0]
        assert plain.shape == folded.shape
        assert np.abs(plain - folded).max() < 1e-4
        assert (plain.argmax(axis=-1) == folded.argmax(axis=-1)).all()
    assert [r.text for r in engine.read_lines(crops)] == [
        "其他", "4119", "收到和处理政府信息公开申请情况"]


def test_no_scalar_scale_and_shift_is_left_between_the_recognisers_convolutions():
    # A Mul and an Add by scalars made onnxruntime convert the feature map out of its
    # blocked layout and back (scan.fusion._affine_as_conv turns them into convolutions).
    import onnx
    from onnx import numpy_helper
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml, update_model_path

    from report_extract.scan.fusion import folded_model

    path = update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]["model_path"]
    plain, folded = onnx.load(path).graph, onnx.load_from_string(folded_model(path)).graph

    def scalar_affines(graph: onnx.GraphProto) -> int:
        scalars = {i.name for i in graph.initializer if numpy_helper.to_array(i).size == 1}
        scalars |= {n.output[0] for n in graph.node if n.op_type == "Constant"
                    and numpy_helper.to_array(n.attribute[0].t).size == 1}
        readers: dict[str, list[onnx.NodeProto]] = {}
        for node in graph.node:
            for name in node.input:
                readers.setdefault(name, []).append(node)
        return sum(1 for node in graph.node if node.op_type == "Mul"
                   and sum(name in scalars for name in node.input) == 1
                   and [r.op_type for r in readers.get(node.output[0], [])] == ["Add"]
                   and any(name in scalars for name in readers[node.output[0]][0].input))

    assert scalar_affines(plain) > 30  # after most convolutions and every hard-swish
    assert scalar_affines(folded) == 0


def _recogniser_path() -> str:
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH, read_yaml, update_model_path

    return update_model_path(read_yaml(DEFAULT_CFG_PATH))["Rec"]["model_path"]


def test_the_folded_recogniser_is_kept_for_the_next_process(tmp_path, monkeypatch):
    # Folding needs `import onnx` (~0.5 s CPU): a process that finds the folded model in
    # the cache reads with it and never imports onnx.
    import subprocess
    import sys

    from report_extract.scan.engines import CACHE_VARIABLE, _folded_session
    from report_extract.scan.fusion import folded_model

    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "recogniser-0123.onnx").write_bytes(b"an older model's")
    _folded_session(_recogniser_path())
    kept = list((tmp_path / "cache").iterdir())  # the older one removed
    assert [p.name.startswith("recogniser-") and p.suffix == ".onnx" for p in kept] == [True]
    assert kept[0].read_bytes() == folded_model(_recogniser_path())
    np.save(tmp_path / "crop.npy", line("4119"))
    script = ("import sys, numpy as np\n"
              "from report_extract.scan.engines import RapidOcrEngine\n"
              f"read = RapidOcrEngine().read_lines([np.load({str(tmp_path / 'crop.npy')!r})])\n"
              "print(read[0].text, 'onnx' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.split() == ["4119", "False"]


def test_a_damaged_folded_recogniser_is_folded_again(tmp_path, monkeypatch):
    from report_extract.scan.engines import CACHE_VARIABLE, _fold_cache_file, _folded_session
    from report_extract.scan.fusion import folded_model

    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path))
    kept = _fold_cache_file(_recogniser_path())
    kept.write_bytes(b"half a model")
    session = _folded_session(_recogniser_path())
    batch = np.zeros((1, 3, 48, 96), np.float32)
    assert session.run(None, {session.get_inputs()[0].name: batch})[0].shape[-1] > 6000
    assert kept.read_bytes() == folded_model(_recogniser_path())


def test_an_unwritable_cache_costs_only_the_folding(tmp_path, monkeypatch):
    from report_extract.scan.engines import CACHE_VARIABLE, _folded_session

    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "a-file" / "cache"))
    session = _folded_session(_recogniser_path())
    batch = np.zeros((1, 3, 48, 96), np.float32)
    assert session.run(None, {session.get_inputs()[0].name: batch})[0].shape[-1] > 6000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_each_glyph_is_placed_within_its_own_ink():
    # Glyph.at: where the recogniser emitted the glyph, as a share of the crop's width
    # (the place of a glyph it skipped is ink no place accounts for: reader._skipped_glyph)
    if not FONT.exists():
        pytest.skip(f"font {FONT} not installed (Debian fonts-wqy-zenhei)")
    text = "沭阳县人民政府2025年"
    font = ImageFont.truetype(str(FONT), 32)
    crop = line(text)
    left = 8 - font.getbbox(text)[0]
    spans = [(left + font.getlength(text[:k]), left + font.getlength(text[:k + 1]))
             for k in range(len(text))]
    engine = get_engine("rapidocr")
    engine._known.clear()
    read = engine.read_lines([crop])[0]
    assert read.text == text
    for glyph, (x0, x1) in zip(read.glyphs, spans, strict=True):
        assert x0 - 2 <= glyph.at * crop.shape[1] <= x1 + 2, glyph.text
