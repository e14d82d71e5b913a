"""The detector-matching station's adapters: the only modules of the station that import I/O
libraries (onnxruntime, SQLAlchemy).
"""
