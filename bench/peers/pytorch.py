"""PyTorch CPU as a peer of `npm run bench`: F.cross_entropy forward, and forward + backward, one thread.

Run by bench/suites/losses.mjs with the problem's logits and targets in two raw files (float32, int32):
  python3 bench/peers/pytorch.py LOGITS TARGETS ROWS CLASSES ROUNDS MIN_MS
Prints JSON: per mode, each round's milliseconds per call and the loss (checked by the caller).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch_modes import print_modes

torch.set_num_threads(1)
logits_path, targets_path, rows, classes, rounds, min_ms = sys.argv[1:7]
rows, classes, rounds, min_ms = int(rows), int(classes), int(rounds), float(min_ms)
x = torch.from_numpy(np.fromfile(logits_path, dtype=np.float32).reshape(rows, classes))
t = torch.from_numpy(np.fromfile(targets_path, dtype=np.int32).astype(np.int64))


def forward():
    return F.cross_entropy(x, t).item()


def forward_backward():
    leaf = x.detach().requires_grad_(True)
    loss = F.cross_entropy(leaf, t)
    loss.backward()
    return loss.item()


print_modes((("forward", forward), ("forward + gradient", forward_backward)), rounds, min_ms)
