"""Matching core: numpy in, dataclasses out; no database, no HTTP, no work at import time.

- ``matching.face``: face templates (dlib ResNet 128-d), ``encode_face``, ``face_distance`` (L2,
  lower is more similar).
- ``matching.fingerprint``: minutiae, MCC templates, LSS-R ``compare`` (higher is more similar).
- ``matching.vector_index``: ``FaceIndex`` (FAISS) for 1:N face search.
- ``matching.fusion``: ``fuse`` face distance + finger scores into one LLR and a decision band.
- ``matching.thresholds``: every threshold, with the error rate and data it was calibrated on.
- ``matching.snapshot``: crash-safe snapshot files for the derived indexes.
"""
