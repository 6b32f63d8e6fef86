"""PyTorch CPU as a peer of `npm run bench:distill`: each divergence composed from torch ops, forward and forward +
backward (for the student's logits), one thread.

Run by bench/suites/distill.mjs with the problem in raw float32 files (student and teacher logits, rows × V):
  python3 bench/peers/pytorch_distill.py DIR ROWS V ROUNDS MIN_MS
Prints JSON: per divergence and mode, each round's milliseconds per call and the loss (checked by the caller).
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch_modes import time_once

torch.set_num_threads(1)
folder, rows, vocab, rounds, min_ms = sys.argv[1:6]
rows, vocab, rounds, min_ms = int(rows), int(vocab), int(rounds), float(min_ms)
student = torch.from_numpy(np.fromfile(f"{folder}/student", dtype=np.float32).reshape(rows, vocab))
teacher = torch.from_numpy(np.fromfile(f"{folder}/teacher", dtype=np.float32).reshape(rows, vocab))
T = 2.0


def kl(s):  # Hinton's KL at T, times T², the mean over rows
    return F.kl_div(F.log_softmax(s / T, -1), F.log_softmax(teacher / T, -1), log_target=True,
                    reduction="batchmean") * (T * T)


def jsd(s):  # β = 0.5, as Liger-Kernel's chunked JSD composes it
    lq, lp = F.log_softmax(s, -1), F.log_softmax(teacher, -1)
    lm = (0.5 * (lq.exp() + lp.exp())).log()
    return 0.5 * F.kl_div(lm, lp, log_target=True, reduction="batchmean") + \
        0.5 * F.kl_div(lm, lq, log_target=True, reduction="batchmean")


def tvd(s):
    return 0.5 * (F.softmax(s, -1) - F.softmax(teacher, -1)).abs().sum() / rows


def modes(fn):
    def forward():
        return fn(student).item()

    def forward_backward():
        leaf = student.detach().requires_grad_(True)
        loss = fn(leaf)
        loss.backward()
        return loss.item()

    return {mode: {"loss": f(), "ms": [time_once(f, min_ms) for _ in range(rounds)]}
            for mode, f in (("forward", forward), ("forward + gradient", forward_backward))}


print(json.dumps({"distillKlDiv": modes(kl), "jsd": modes(jsd), "tvd": modes(tvd)}))
