"""The AI image check's classes as defined (Qt-free, no imports from the rest of app.ct).

The 2.x training draws its labels from these definitions (models/training: ai_domain,
ct_phantom_dataset2) and the runtime's consistency rules judge the network's series class
against them (app.ct.ai.series_consistency, app.ct.review_proportion): one place for
both. The class names and their order are ``app.ct.ai.preprocess.CLASSES``.
"""
from __future__ import annotations

import math


def mtf50_of_gaussian_psf(sigma_mm: float) -> float:
    """MTF50 (lp/cm) of a Gaussian point spread function of ``sigma_mm``."""
    return 10 * math.sqrt(math.log(2) / (2 * math.pi ** 2 * sigma_mm ** 2))


BAND_CLASS_MIN_HU = 3.0           # band: a slice's body level 3..30 HU off its neighbours
NOISE_CLASS_MIN_SD_HU = 24.0      # noise: native noise SD from 24 HU
SHIFT_CLASS_MIN_HU = 12.0         # shift: a calibration offset (air and water) or cupping from 12 HU
MTF50_NORMAL_MIN = mtf50_of_gaussian_psf(0.65)   # normal: at least a 0.65 mm PSF's MTF50
MTF50_BLUR_MAX = mtf50_of_gaussian_psf(0.95)     # blur: at most a 0.95 mm PSF's (1.97 lp/cm)
