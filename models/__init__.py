"""The ONNX models (``<name>/<version>/model.onnx`` + ``card.json``), shipped as package
data so a wheel install finds them: ``app.paths.models_dir()``. ``models/training/`` (the
training scripts, development only) is not part of the wheel."""
