"""The AI image check of CT phantom series (shared by CT QC and image review): the
scanner-independent input (normalise, preprocess), the hash-checked ONNX classifier
(check) and the hand-off that stores its verdict and queues a series for review."""
