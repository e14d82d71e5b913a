"""Shared CT library (Qt-free): code that more than one station can use.

``app.ct.image_renderer`` - an image-domain CatPhan 504 renderer, independent of the
CT QC station's projection simulator (a second, different code path to test the
analysis on images it was not built with).
``app.ct.fbp`` - parallel-beam filtered back-projection of error sinograms (the CT QC
simulator's artifacts, the detector-matching ring model).
"""
