"""Preprocessing shared by training and inference (Qt-free, numpy only).

The classifier sees three adjacent slices (the slice and its neighbours along z, so a
z-band can be told from a CT-number shift) resampled to 256 x 256 over the
reconstruction field of view, in HU. Intensity scaling is inside the ONNX graph;
here only geometry: resample and stack.
"""
from __future__ import annotations

import numpy as np

from app.core.errors import InputRejected

INPUT_SIZE = 256
CLASSES = ("normal", "ring", "streak", "band", "noise", "shift", "blur")


def resample(slice_hu: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """Area-resample a square slice to ``size`` x ``size`` (exact block mean when the
    matrix is a multiple of ``size``)."""
    a = np.asarray(slice_hu, dtype=np.float32)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputRejected(f"The image must be a square 2-D slice, got shape {a.shape}.")
    n = a.shape[0]
    if n == size:
        return a
    if n % size == 0:
        f = n // size
        return a.reshape(size, f, size, f).mean(axis=(1, 3))
    if n < 64:
        raise InputRejected(f"The image matrix {n} x {n} is too small for the AI check "
                            f"(at least 64 x 64).")
    import cv2

    interp = cv2.INTER_AREA if n > size else cv2.INTER_LINEAR
    return cv2.resize(a, (size, size), interpolation=interp)


def stack_neighbours(volume_hu: np.ndarray, index: int, size: int = INPUT_SIZE) -> np.ndarray:
    """(3, size, size) float32: slices index-1, index, index+1 (edges repeat)."""
    vol = np.asarray(volume_hu)
    if vol.ndim != 3:
        raise InputRejected(f"A volume (slices, rows, columns) is required, got {vol.shape}.")
    nz = vol.shape[0]
    idx = [min(max(i, 0), nz - 1) for i in (index - 1, index, index + 1)]
    return np.stack([resample(vol[i], size) for i in idx]).astype(np.float32)
