"""PyTorch CPU as a peer of `npm run bench:ctc`: F.ctc_loss forward, and forward + backward, one thread.

Run by bench/suites/ctc.mjs with the problem in raw files (log-probabilities float32 (T, N, C), padded targets
int32 (N, S), input and target lengths int32 (N)):
  python3 bench/peers/pytorch_ctc.py DIR T N C S ROUNDS MIN_MS
Prints JSON: per mode, each round's milliseconds per call and the loss (checked by the caller).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch_modes import print_modes

torch.set_num_threads(1)
folder, T, N, C, S, rounds, min_ms = sys.argv[1:8]
T, N, C, S, rounds, min_ms = int(T), int(N), int(C), int(S), int(rounds), float(min_ms)


def read(name, dtype, shape):
    return torch.from_numpy(np.fromfile(f"{folder}/{name}", dtype=dtype).reshape(shape))


log_probs = read("logProbs", np.float32, (T, N, C))
targets = read("targets", np.int32, (N, S)).long()
input_lengths = read("inputLengths", np.int32, (N,)).long()
target_lengths = read("targetLengths", np.int32, (N,)).long()


def forward():
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths).item()


def forward_backward():
    leaf = log_probs.detach().requires_grad_(True)
    loss = F.ctc_loss(leaf, targets, input_lengths, target_lengths)
    loss.backward()
    return loss.item()


print_modes((("forward", forward), ("forward + gradient", forward_backward)), rounds, min_ms)
