#!/usr/bin/env python3
"""Converts the 8×8 handwritten digits (1,797 images) shipped with scikit-learn into demo/data/digits.json.

Run once with Debian's python3-sklearn:  /usr/bin/python3 scripts/convert-digits.py
Pixels (0–16, 64 per image, row-major) and labels are stored as base64 bytes.
"""
import base64
import json
import os

import numpy as np
from sklearn.datasets import load_digits

digits = load_digits()
pixels = digits.data.astype(np.uint8)
labels = digits.target.astype(np.uint8)
out = {
    "source": "UCI Machine Learning Repository, Optical Recognition of Handwritten Digits "
              "(E. Alpaydin, C. Kaynak, 1998), the 8x8 test-set images as shipped with scikit-learn "
              "(sklearn.datasets.load_digits). Licence: CC BY 4.0.",
    "count": int(pixels.shape[0]),
    "size": 8,
    "pixels": base64.b64encode(pixels.tobytes()).decode(),
    "labels": base64.b64encode(labels.tobytes()).decode(),
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo", "data", "digits.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
print(f"demo/data/digits.json: {pixels.shape[0]} images")
