"""Detector module matching: which tested module goes into which slot of a CT detector.

Qt-free domain code lives in this package (import, quality model, optimiser, bounds,
learned cost); ``panel*.py`` / ``ui_*.py`` hold the Qt view.
"""
