"""The tunnel test station's adapters: the only modules of the station that import I/O
libraries (asyncua, onnxruntime) or write its journal.
"""
