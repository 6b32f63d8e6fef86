#!/usr/bin/env python3
"""Fits the polynomial of assembly/math/exp.ts: e^r ≈ 1 + c1·r + … + c6·r^6 on [-ln2/2, ln2/2],
minimising the maximum relative error by iteratively reweighted least squares on Chebyshev nodes,
and prints each coefficient rounded to float32 with its bits. Needs numpy (Debian's python3-numpy).
"""
import numpy as np

DEGREE = 6
half = np.log(2) / 2
k = np.arange(4000)
r = half * np.cos(np.pi * (k + 0.5) / k.size)
A = np.stack([r ** (i + 1) for i in range(DEGREE)], 1) / np.exp(r)[:, None]
b = (np.exp(r) - 1) / np.exp(r)
w = np.ones_like(r)
for _ in range(50):
    c, *_ = np.linalg.lstsq(A * w[:, None], b * w, rcond=None)
    err = A @ c - b
    w = w * (1 + np.abs(err) / np.abs(err).max())
    w /= w.max()
c32 = c.astype(np.float32)
grid = np.linspace(-half, half, 200001)
p = 1 + sum(float(c32[i]) * grid ** (i + 1) for i in range(DEGREE))
print(f"max relative error of the float32-rounded polynomial: {np.abs(p / np.exp(grid) - 1).max():.3e}")
for i, v in enumerate(c32, 1):
    print(f"c{i} = 0x{v.view(np.uint32):08X}  // {float(v)!r}")
