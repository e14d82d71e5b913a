"""Adapters: the only code that imports SQLAlchemy, asyncua, pynetdicom, onnxruntime."""
