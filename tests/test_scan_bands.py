"""Page masks labelled within the rectangle holding their ink give the whole page's
labels and stats (scan.bands.components), however the ink is placed."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from report_extract.scan.bands import components


@pytest.mark.parametrize("seed", range(6))
def test_components_within_the_ink_s_rectangle_are_the_whole_page_s(seed):
    rng = np.random.default_rng(seed)
    mask = np.zeros((301, 257), np.uint8)
    top, left = rng.integers(1, 120, size=2)  # odd and even offsets of the ink
    for _ in range(40):  # rules, glyph-like blobs and single pixels
        y, x = top + rng.integers(0, 150), left + rng.integers(0, 120)
        height, width = rng.integers(1, 12), rng.integers(1, 40)
        mask[y:y + height, x:x + width] = 255
    count, labels, stats = components(mask)
    whole_count, whole_labels, whole_stats, _ = cv2.connectedComponentsWithStats(
        mask, connectivity=8)
    assert count == whole_count > 10
    assert np.array_equal(labels, whole_labels)
    assert np.array_equal(stats[1:], whole_stats[1:])


def test_an_empty_mask_has_only_the_background():
    count, labels, stats = components(np.zeros((40, 30), np.uint8))
    assert count == 1 and not labels.any()
    assert stats.tolist() == [[0, 0, 30, 40, 1200]]
