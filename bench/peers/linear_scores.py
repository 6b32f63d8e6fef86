"""The float64 reference of bench/suites/linear-scoring.mjs: F.linear of the float32 hidden states and head in
float64, then each row's log-softmax; the target tokens' log-probabilities and the top k of a stable sort.

  python3 bench/peers/linear_scores.py HIDDEN WEIGHT TARGETS ROWS D V K OUT
Reads raw float32 / int32 files; writes OUT: the rows' log-probs (float64), then their top-k indices (int32) and
the log-probs at those indices (float64), and the gap to the next log-prob past each (float64).
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
hidden, weight, targets, rows, d, v, k, out = sys.argv[1:9]
rows, d, v, k = int(rows), int(d), int(v), int(k)
x = torch.from_numpy(np.fromfile(hidden, dtype=np.float32).reshape(rows, d)).double()
w = torch.from_numpy(np.fromfile(weight, dtype=np.float32).reshape(v, d)).double()
t = torch.from_numpy(np.fromfile(targets, dtype=np.int32).astype(np.int64))
lp = torch.log_softmax(F.linear(x, w), -1)
tokens = lp.gather(-1, t[:, None])[:, 0]
values, indices = torch.sort(lp, dim=-1, descending=True, stable=True)
with open(out, "wb") as f:
    f.write(tokens.numpy().tobytes())
    f.write(indices[:, :k].to(torch.int32).numpy().tobytes())
    f.write(values[:, : k + 1].numpy().tobytes())
