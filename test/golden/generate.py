#!/usr/bin/env python3
"""Writes the golden vectors in test/golden/*.json from real PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 test/golden/generate.py
Every array is stored exactly, as little-endian bytes in base64: {"dtype", "shape", "b64"}.
Each float32 case also stores the float64 "truth": the same function run in float64 on the same
(float32-valued) inputs, so the tests can hold our float32 error to PyTorch's own float32 error.
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261124
gen = torch.Generator().manual_seed(SEED)
DTYPES = {"float32": torch.float32, "float64": torch.float64}
INF = math.inf


def enc(t):
    t = t.detach().contiguous()
    if t.dtype == torch.int64:
        t = t.to(torch.int32)
    dtype = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32"}[t.dtype]
    return {"dtype": dtype, "shape": list(t.shape), "b64": base64.b64encode(t.numpy().tobytes()).decode()}


def randn(*shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale


def randint(high, *shape):
    return torch.randint(0, high, shape, generator=gen)


def probs(*shape, dim=1):
    return torch.softmax(randn(*shape, scale=2.0), dim=dim)


# --- cross_entropy ---------------------------------------------------------------------------

def ce_run(x, target, dtype, weight, ignore_index, reduction, smoothing, grad_output):
    x = x.to(dtype).clone().requires_grad_(True)
    if target.is_floating_point():
        target = target.to(dtype)
    w = None if weight is None else weight.to(dtype)
    loss = F.cross_entropy(x, target, weight=w, ignore_index=ignore_index, reduction=reduction,
                           label_smoothing=smoothing)
    if isinstance(grad_output, torch.Tensor):
        go = grad_output.to(dtype)
    else:  # a number: the scalar's gradient, or every element's for 'none'
        go = torch.full_like(loss, grad_output)
    loss.backward(go)
    return loss.detach(), x.grad.detach()


def ce_case(name, x, target, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0, grad_output=None):
    cases = []
    for dname, dtype in DTYPES.items():
        xd = x.to(dtype)  # inputs take the case's dtype; the truth reruns them in float64
        td = target.to(dtype) if target.is_floating_point() else target
        wd = None if weight is None else weight.to(dtype)
        if grad_output is None:
            go = 1.0
        elif isinstance(grad_output, torch.Tensor):
            go = grad_output.to(dtype)
        else:
            go = grad_output
        loss, grad = ce_run(xd, td, dtype, wd, ignore_index, reduction, smoothing, go)
        case = {
            "name": f"{name} [{dname}]", "dtype": dname, "input": enc(xd),
            "target": {"kind": "probability" if target.is_floating_point() else "index", **enc(td)},
            "options": {"reduction": reduction},
            "loss": enc(loss), "grad": enc(grad),
        }
        if wd is not None:
            case["options"]["weight"] = enc(wd)
        if ignore_index != -100:
            case["options"]["ignoreIndex"] = ignore_index
        if smoothing:
            case["options"]["labelSmoothing"] = smoothing
        case["gradOutput"] = enc(go) if isinstance(go, torch.Tensor) else go
        if dtype == torch.float32:
            go64 = go.to(torch.float64) if isinstance(go, torch.Tensor) else go
            t64 = td.to(torch.float64) if td.is_floating_point() else td
            w64 = None if wd is None else wd.to(torch.float64)
            loss64, grad64 = ce_run(xd.to(torch.float64), t64, torch.float64, w64, ignore_index, reduction, smoothing, go64)
            case["lossTruth"] = enc(loss64)
            case["gradTruth"] = enc(grad64)
        cases.append(case)
    return cases


def cross_entropy_cases():
    c = []
    x = randn(4, 5, scale=2.0)
    t = randint(5, 4)
    for r in ("mean", "sum", "none"):
        c += ce_case(f"basic (4, 5) {r}", x, t, reduction=r)
    c += ce_case("none with random gradOutput", x, t, reduction="none", grad_output=randn(4))
    c += ce_case("mean with gradOutput 0.5", x, t, grad_output=0.5)
    c += ce_case("unbatched (5) mean", randn(5), randint(5), reduction="mean")
    c += ce_case("unbatched (5) none", randn(5), randint(5), reduction="none")
    c += ce_case("unbatched probabilities (5)", randn(5), probs(5, dim=0), reduction="sum")
    xk = randn(2, 3, 4, 5, scale=2.0)
    tk = randint(3, 2, 4, 5)
    for r in ("mean", "none"):
        c += ce_case(f"K-dim (2, 3, 4, 5) {r}", xk, tk, reduction=r)
    c += ce_case("K-dim with weight, ignoreIndex, smoothing", xk, torch.where(tk == 1, torch.tensor(-100), tk),
                 weight=torch.tensor([0.5, 2.0, 1.5]), smoothing=0.2)
    c += ce_case("K-dim probabilities none", xk, probs(2, 3, 4, 5), reduction="none", grad_output=randn(2, 4, 5))
    c += ce_case("K-dim probabilities mean", xk, probs(2, 3, 4, 5))
    c += ce_case("(N, C, d) with d = 1", randn(3, 4, 1), randint(4, 3, 1), reduction="none")
    w = torch.tensor([1.0, 0.5, 2.0, 0.0, 3.0])
    t_ign = torch.tensor([0, -100, 4, 2, 3, -100])
    x6 = randn(6, 5, scale=3.0)
    for r in ("mean", "sum", "none"):
        c += ce_case(f"weight {r}", x6, t_ign.clamp(min=0), weight=w, reduction=r)
        c += ce_case(f"weight + ignoreIndex {r}", x6, t_ign, weight=w, reduction=r)
        c += ce_case(f"weight + ignoreIndex + smoothing 0.1 {r}", x6, t_ign, weight=w, smoothing=0.1, reduction=r)
        c += ce_case(f"smoothing 0.3 {r}", x6, t_ign.clamp(min=0), smoothing=0.3, reduction=r)
    c += ce_case("smoothing 1.0", x6, t_ign.clamp(min=0), smoothing=1.0)
    all_ignored = torch.full((3,), -100)
    for r in ("mean", "sum", "none"):
        c += ce_case(f"all ignored {r}", randn(3, 4), all_ignored, reduction=r)
    c += ce_case("all ignored with weight mean", randn(3, 4), all_ignored, weight=torch.tensor([1.0, 2.0, 3.0, 4.0]))
    c += ce_case("all ignored with smoothing mean", randn(3, 4), all_ignored, smoothing=0.1)
    c += ce_case("targets of zero weight mean", randn(2, 3), torch.tensor([1, 1]), weight=torch.tensor([1.0, 0.0, 1.0]))
    masked = randn(3, 6)
    masked[:, 1] = -INF
    masked[0, 4] = -INF
    tm = torch.tensor([0, 2, 5])
    for r in ("mean", "none"):
        c += ce_case(f"-inf masked classes {r}", masked, tm, reduction=r)
        c += ce_case(f"-inf masked classes + smoothing 0.1 {r}", masked, tm, smoothing=0.1, reduction=r)
    c += ce_case("target on a -inf class", masked, torch.tensor([1, 2, 5]), reduction="none")
    c += ce_case("-inf masked classes, probability targets", masked, probs(3, 6).masked_fill(masked == -INF, 0.0), reduction="none")
    c += ce_case("-inf masked classes + weight", masked, tm, weight=torch.linspace(0.5, 2.0, 6))
    all_inf = randn(3, 4)
    all_inf[1] = -INF
    c += ce_case("row of all -inf", all_inf, torch.tensor([0, 1, 2]), reduction="none")
    c += ce_case("row of all -inf mean", all_inf, torch.tensor([0, 1, 2]))
    c += ce_case("row with +inf", torch.tensor([[1.0, INF, 0.0], [0.0, 1.0, 2.0]]), torch.tensor([1, 2]), reduction="none")
    c += ce_case("logits of +-1e4", torch.tensor([[1e4, -1e4, 0.0, 1e4 - 1], [-1e4, -1e4, -1e4, -1e4 + 5]]),
                 torch.tensor([1, 3]), reduction="none")
    c += ce_case("logits of +-3e38", torch.tensor([[3e38, -3e38, 0.0, 1.0], [-3e38, -3e38, 2.0, 3e38]]),
                 torch.tensor([0, 1]), reduction="none")
    c += ce_case("logits of +-3e38 + smoothing", torch.tensor([[3e38, -3e38, 0.0, 1.0], [-3e38, -3e38, 2.0, 3e38]]),
                 torch.tensor([0, 3]), reduction="none", smoothing=0.1)
    c += ce_case("logits in [90, 100] (exp overflows unshifted)", 90 + 10 * torch.rand(5, 7, generator=gen, dtype=torch.float64),
                 randint(7, 5), reduction="none")
    one_big = randn(2, 9, scale=1e-3)
    one_big[:, 3] = 40.0
    c += ce_case("one huge logit among tiny ones", one_big, torch.tensor([3, 0]), reduction="none")
    c += ce_case("equal rows", torch.ones(3, 5), torch.tensor([0, 4, 2]), reduction="none")
    c += ce_case("C = 1", randn(4, 1), torch.zeros(4, dtype=torch.int64), reduction="none")
    c += ce_case("C = 1 mean", randn(4, 1), torch.zeros(4, dtype=torch.int64))
    c += ce_case("C = 32000", randn(1, 32000, scale=3.0), torch.tensor([12345]))
    c += ce_case("C = 32000 + weight + smoothing", randn(2, 32000, scale=3.0), torch.tensor([7, 31999]),
                 weight=torch.rand(32000, generator=gen, dtype=torch.float64) + 0.5, smoothing=0.1, reduction="none")
    c += ce_case("C = 32000 probabilities + smoothing", randn(1, 32000, scale=3.0), probs(1, 32000), smoothing=0.05)
    for r in ("mean", "sum", "none"):
        c += ce_case(f"N = 0 {r}", torch.zeros(0, 5), torch.zeros(0, dtype=torch.int64), reduction=r)
    c += ce_case("N = 0 probabilities mean", torch.zeros(0, 5), torch.zeros(0, 5))
    for r in ["mean", "sum", "none"]:  # 'mean' divides by numel / C = 0 / 0
        c += ce_case(f"C = 0 probabilities {r}", torch.zeros(3, 0), torch.zeros(3, 0), reduction=r)
    c += ce_case("custom ignoreIndex 0", x6, torch.tensor([0, 1, 0, 3, 4, 0]), ignore_index=0, reduction="none")
    c += ce_case("custom ignoreIndex 0 mean", x6, torch.tensor([0, 1, 0, 3, 4, 0]), ignore_index=0)
    xs = randn(4, 300, scale=2.0)
    c += ce_case("custom ignoreIndex 255 (segmentation void)", xs, torch.tensor([255, 17, 255, 299]), ignore_index=255)
    for r in ("mean", "sum", "none"):
        c += ce_case(f"probabilities {r}", x6, probs(6, 5), reduction=r)
        c += ce_case(f"probabilities + weight {r}", x6, probs(6, 5), weight=w, reduction=r)
    c += ce_case("probabilities + weight + smoothing 0.2", x6, probs(6, 5), weight=w, smoothing=0.2)
    c += ce_case("probabilities, one-hot with zeros", x6, F.one_hot(randint(5, 6), 5).to(torch.float64), reduction="none")
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 63, 64, 65):
        c += ce_case(f"C = {n} (vector-width boundary)", randn(3, n, scale=2.0), randint(n, 3), reduction="none",
                     grad_output=randn(3))
        c += ce_case(f"C = {n} with weight and smoothing", randn(3, n, scale=2.0), randint(n, 3),
                     weight=torch.rand(n, generator=gen, dtype=torch.float64) + 0.5, smoothing=0.1, reduction="sum")
    # ignored rows whose log-softmax is NaN (all -inf, a NaN, a +inf): PyTorch's gradient there is NaN
    bad = torch.tensor([[-INF, -INF, -INF, -INF], [1.0, 2.0, 0.5, -1.0], [0.3, math.nan, 1.0, 2.0],
                        [INF, 0.0, 1.0, 2.0], [0.5, -INF, 1.0, 0.0]])
    bad_t = torch.tensor([-100, 1, -100, -100, 2])
    for r in ("mean", "sum", "none"):
        c += ce_case(f"ignored rows of -inf, NaN and +inf {r}", bad, bad_t, reduction=r)
    c += ce_case("ignored rows of -inf, NaN and +inf, smoothing", bad, bad_t, reduction="mean", smoothing=0.1)
    return c


# --- softmax, log_softmax, logsumexp ----------------------------------------------------------

def dim_inputs():
    rows = torch.stack([randn(6), randn(6) * 100, torch.full((6,), 3.0), randn(6) * 1e-3])
    adversarial = torch.tensor([
        [-INF, 0.0, 1.0, -INF, 2.0],
        [-INF, -INF, -INF, -INF, -INF],
        [INF, 0.0, 1.0, 2.0, 3.0],
        [INF, INF, 0.0, 0.0, 0.0],
        [math.nan, 0.0, 1.0, 2.0, 3.0],
        [3e38, -3e38, 0.0, 1.0, 2.0],
        [-3e38, -3e38, -3e38, -3e38, -3e38],
        [1e4, -1e4, 0.0, 1e4 - 2, 5.0],
        [95.0, 91.0, 99.0, 90.5, 100.0],
        [40.0, 1e-3, -1e-3, 2e-3, 0.0],
    ])
    return [
        ("(5)", randn(5), [0, -1]),
        ("(3, 7)", randn(3, 7, scale=3.0), [0, 1, -1, -2]),
        ("(2, 3, 4)", randn(2, 3, 4, scale=3.0), [0, 1, 2, -1]),
        ("(2, 3, 4, 5)", randn(2, 3, 4, 5, scale=3.0), [1, 2]),
        ("mixed rows (4, 6)", rows, [1, 0]),
        ("adversarial rows (10, 5)", adversarial, [1]),
        ("0-dim", torch.tensor(1.5, dtype=torch.float64), [0, -1]),
        ("(0, 4)", torch.zeros(0, 4), [1, 0]),
        ("(3, 0)", torch.zeros(3, 0), [1]),
        ("row of 32000", randn(1, 32000, scale=3.0), [1]),
        ("rows at vector widths (17, n)", randn(17, 17, scale=2.0), [1, 0]),
    ] + [(f"(2, {n})", randn(2, n, scale=2.0), [1]) for n in (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 31, 33, 65)]


def dim_cases(fn_name, fn, with_keepdim=False):
    cases = []
    for name, x, dims in dim_inputs():
        for dim in dims:
            for keepdim in ([False, True] if with_keepdim else [None]):
                for dname, dtype in DTYPES.items():
                    xd = x.to(dtype)
                    kw = {} if keepdim is None else {"keepdim": keepdim}
                    out = fn(xd, dim, **kw)
                    case = {"name": f"{fn_name} {name} dim={dim}{'' if keepdim is None else f' keepdim={keepdim}'} [{dname}]",
                            "dtype": dname, "input": enc(xd), "options": {"dim": dim, **kw}, "output": enc(out)}
                    if dtype == torch.float32:
                        case["outputTruth"] = enc(fn(xd.to(torch.float64), dim, **kw))
                    cases.append(case)
    return cases


# --- the other losses: nll_loss, BCE, BCE with logits, kl_div, mse_loss ---------------------------

def loss_run(fn, x, target, kwargs, reduction, grad_output):
    x = x.clone().requires_grad_(True)
    loss = fn(x, target, reduction=reduction, **kwargs)
    if isinstance(grad_output, torch.Tensor):
        go = grad_output
    else:
        go = torch.full_like(loss, grad_output)
    loss.backward(go)
    return loss.detach(), x.grad.detach()


def loss_case(name, fn, x, target, reduction="mean", tensors=None, options=None, grad_output=None, index_target=False,
              truth=None):
    """One case per dtype. `tensors` are float keyword arguments (weight, pos_weight) given to torch
    and stored under `options` by their JS names; `options` are plain JS options passed as they are.
    `truth(x, target, reduction, grad_output, **options)`, where given, computes the loss and gradient in 80-bit
    extended precision: the truth of both dtypes (PyTorch's own float64 can be a few ulps off it)."""
    tensors = tensors or {}
    js_names = {"weight": "weight", "pos_weight": "posWeight"}
    cases = []
    for dname, dtype in DTYPES.items():
        xd = x.to(dtype)
        td = target if index_target else target.to(dtype)
        kw = {k: v.to(dtype) for k, v in tensors.items()}
        kw.update({k: v for k, v in (options or {}).items()
                   if k in ("log_target", "ignore_index", "alpha", "gamma", "delta", "beta")})
        go = grad_output.to(dtype) if isinstance(grad_output, torch.Tensor) else (1.0 if grad_output is None else grad_output)
        loss, grad = loss_run(fn, xd, td, kw, reduction, go)
        js_options = {"reduction": reduction}
        js_options.update({js_names[k]: enc(v) for k, v in kw.items() if k in js_names})
        if "log_target" in kw:
            js_options["logTarget"] = kw["log_target"]
        if "ignore_index" in kw:
            js_options["ignoreIndex"] = kw["ignore_index"]
        js_options.update({k: kw[k] for k in ("alpha", "gamma", "delta", "beta") if k in kw})
        case = {"name": f"{name} [{dname}]", "dtype": dname, "input": enc(xd), "target": enc(td),
                "options": js_options, "gradOutput": enc(go) if isinstance(go, torch.Tensor) else go,
                "loss": enc(loss), "grad": enc(grad)}
        if truth is not None:
            loss_t, grad_t = truth(xd.to(torch.float64), td.to(torch.float64), reduction,
                                   go.to(torch.float64) if isinstance(go, torch.Tensor) else go, **(options or {}))
            case["lossTruth"] = enc(loss_t.reshape(loss.shape))
            case["gradTruth"] = enc(grad_t)
        elif dtype == torch.float32:
            kw64 = {k: (v.to(torch.float64) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
            go64 = go.to(torch.float64) if isinstance(go, torch.Tensor) else go
            t64 = td if index_target else td.to(torch.float64)
            loss64, grad64 = loss_run(fn, xd.to(torch.float64), t64, kw64, reduction, go64)
            case["lossTruth"] = enc(loss64)
            case["gradTruth"] = enc(grad64)
        cases.append(case)
    return cases


def sweep_cases(name, fn, to_input=lambda x: x, truth=None):
    """Inputs from logits over [-30, 30] against hard and soft targets: where float32 error would show."""
    x = to_input(torch.linspace(-30, 30, 601, dtype=torch.float64))
    return [case for y in (1.0, 0.0, 0.3)
            for case in loss_case(f"{name} sweep of logits in [-30, 30], target {y}", fn, x, torch.full_like(x, y), "none",
                                  truth=truth)]


def nll_loss_cases():
    c = []
    lp = torch.log_softmax(randn(5, 4, scale=2.0), 1)
    t = torch.tensor([0, 3, -100, 1, 2])
    w = torch.tensor([1.0, 2.0, 0.5, 1.5])
    for r in ("mean", "sum", "none"):
        c += loss_case(f"nll (5, 4) {r}", F.nll_loss, lp, t, r, index_target=True)
        c += loss_case(f"nll weight + ignoreIndex {r}", F.nll_loss, lp, t, r, tensors={"weight": w}, index_target=True)
    c += loss_case("nll none with gradOutput", F.nll_loss, lp, t, "none", grad_output=randn(5), index_target=True)
    c += loss_case("nll unbatched (4)", F.nll_loss, lp[0], torch.tensor(2), "none", index_target=True)
    c += loss_case("nll K-dim (2, 3, 2, 2)", F.nll_loss, torch.log_softmax(randn(2, 3, 2, 2), 1), randint(3, 2, 2, 2), "mean", index_target=True)
    c += loss_case("nll all ignored mean", F.nll_loss, lp, torch.full((5,), -100), "mean", index_target=True)
    c += loss_case("nll custom ignoreIndex 1", F.nll_loss, lp, torch.tensor([1, 3, 1, 0, 2]), "mean", options={"ignore_index": 1}, index_target=True)
    masked = lp.clone()
    masked[:, 2] = -INF
    c += loss_case("nll -inf log-probabilities", F.nll_loss, masked, torch.tensor([0, 2, 1, 3, 1]), "none", index_target=True)
    c += loss_case("nll N = 0 mean", F.nll_loss, torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64), "mean", index_target=True)
    return c


def bce_cases():
    c = []
    p = torch.rand(4, 5, generator=gen, dtype=torch.float64)
    p[0, 0], p[0, 1], p[1, 0], p[1, 1] = 0.0, 1.0, 1e-30, 1.0 - 1e-7
    y = (torch.rand(4, 5, generator=gen, dtype=torch.float64) > 0.5).to(torch.float64)
    y[0, 0], y[0, 1], y[1, 0] = 1.0, 0.0, 1.0
    soft = torch.rand(4, 5, generator=gen, dtype=torch.float64)
    for r in ("mean", "sum", "none"):
        c += loss_case(f"bce with p = 0 and 1 {r}", F.binary_cross_entropy, p, y, r)
    c += loss_case("bce soft targets", F.binary_cross_entropy, p, soft, "mean")
    c += loss_case("bce weight per element", F.binary_cross_entropy, p, y, "sum", tensors={"weight": torch.rand(4, 5, generator=gen, dtype=torch.float64)})
    c += loss_case("bce weight per column", F.binary_cross_entropy, p, y, "mean", tensors={"weight": torch.tensor([1.0, 2.0, 0.5, 0.0, 3.0])})
    c += loss_case("bce weight (4, 1) broadcast", F.binary_cross_entropy, p, y, "none", tensors={"weight": torch.tensor([[1.0], [2.0], [0.5], [3.0]])})
    c += loss_case("bce none with gradOutput", F.binary_cross_entropy, p, soft, "none", grad_output=randn(4, 5))
    c += loss_case("bce 1-D (7)", F.binary_cross_entropy, torch.rand(7, generator=gen, dtype=torch.float64), torch.rand(7, generator=gen, dtype=torch.float64), "mean")
    c += loss_case("bce empty", F.binary_cross_entropy, torch.zeros(0, 3), torch.zeros(0, 3), "mean")
    c += loss_case("bce long (3, 1000)", F.binary_cross_entropy, torch.rand(3, 1000, generator=gen, dtype=torch.float64), torch.rand(3, 1000, generator=gen, dtype=torch.float64), "sum")
    c += sweep_cases("bce", F.binary_cross_entropy, torch.sigmoid)
    return c


def bce_logits_cases():
    c = []
    x = randn(4, 6, scale=3.0)
    x[0] = torch.tensor([1e4, -1e4, INF, -INF, 0.0, 88.0])
    x[1] = torch.tensor([-1e4, 1e4, -INF, INF, -100.0, 100.0])
    y = (torch.rand(4, 6, generator=gen, dtype=torch.float64) > 0.5).to(torch.float64)
    y[0] = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.5, 0.0])
    y[1] = torch.tensor([0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    finite = randn(4, 6, scale=3.0)
    yf = torch.rand(4, 6, generator=gen, dtype=torch.float64)
    for r in ("mean", "sum", "none"):
        c += loss_case(f"bce logits at ±1e4 and ±inf {r}", F.binary_cross_entropy_with_logits, x, y, r)
    c += loss_case("bce logits soft targets", F.binary_cross_entropy_with_logits, finite, yf, "mean")
    c += loss_case("bce logits posWeight per class", F.binary_cross_entropy_with_logits, finite, yf, "none",
                   tensors={"pos_weight": torch.tensor([1.0, 2.0, 0.5, 3.0, 1.0, 10.0])})
    c += loss_case("bce logits posWeight and weight", F.binary_cross_entropy_with_logits, finite, y, "sum",
                   tensors={"pos_weight": torch.tensor([1.0, 2.0, 0.5, 3.0, 1.0, 10.0]), "weight": torch.rand(4, 6, generator=gen, dtype=torch.float64)})
    c += loss_case("bce logits posWeight at ±1e4", F.binary_cross_entropy_with_logits, x, y, "none",
                   tensors={"pos_weight": torch.tensor([2.0, 2.0, 2.0, 2.0, 2.0, 2.0])})
    c += loss_case("bce logits none with gradOutput", F.binary_cross_entropy_with_logits, finite, yf, "none", grad_output=randn(4, 6))
    c += loss_case("bce logits (2, 3, 5)", F.binary_cross_entropy_with_logits, randn(2, 3, 5), torch.rand(2, 3, 5, generator=gen, dtype=torch.float64), "mean")
    c += loss_case("bce logits empty", F.binary_cross_entropy_with_logits, torch.zeros(0), torch.zeros(0), "mean")
    for n in (1, 3, 4, 5, 8, 9, 17):
        c += loss_case(f"bce logits length {n}", F.binary_cross_entropy_with_logits, randn(n, scale=4.0), torch.rand(n, generator=gen, dtype=torch.float64), "sum")
    c += sweep_cases("bce logits", F.binary_cross_entropy_with_logits)
    return c


def kl_div_cases():
    c = []
    logq = torch.log_softmax(randn(3, 5, scale=2.0), 1)
    p = torch.softmax(randn(3, 5, scale=2.0), 1)
    p[0, 1] = 0.0
    p[1, 2] = 0.0
    masked = logq.clone()
    masked[2, 3] = -INF
    p_masked = p.clone()
    p_masked[2, 3] = 0.0
    for r in ("none", "mean", "sum", "batchmean"):
        c += loss_case(f"kl_div zero targets {r}", F.kl_div, logq, p, r)
        c += loss_case(f"kl_div log target {r}", F.kl_div, logq, torch.log(p + 1e-3), r, options={"log_target": True})
    c += loss_case("kl_div -inf input under a zero target", F.kl_div, masked, p_masked, "none")
    c += loss_case("kl_div -inf input under a positive target", F.kl_div, masked, p, "batchmean")
    c += loss_case("kl_div none with gradOutput", F.kl_div, logq, p, "none", grad_output=randn(3, 5))
    c += loss_case("kl_div empty batchmean", F.kl_div, torch.zeros(0, 5), torch.zeros(0, 5), "batchmean")
    c += loss_case("kl_div 1-D batchmean", F.kl_div, logq[0], p[0], "batchmean")
    c += sweep_cases("kl", F.kl_div, lambda x: -torch.abs(x))
    return c


def mse_cases():
    c = []
    x = randn(4, 7, scale=3.0)
    y = randn(4, 7, scale=3.0)
    for r in ("mean", "sum", "none"):
        c += loss_case(f"mse (4, 7) {r}", F.mse_loss, x, y, r)
    c += loss_case("mse none with gradOutput", F.mse_loss, x, y, "none", grad_output=randn(4, 7))
    c += loss_case("mse with inf", F.mse_loss, torch.tensor([INF, 1.0, -INF]), torch.tensor([INF, INF, 0.0]), "none")
    c += loss_case("mse empty", F.mse_loss, torch.zeros(0), torch.zeros(0), "mean")
    c += sweep_cases("mse", F.mse_loss)
    c += loss_case("mse float32 sum beyond the float32 range, mean", F.mse_loss, torch.full((4,), 1.0e19), torch.zeros(4), "mean")
    return c


def entropy_cases():
    from torch.distributions import Categorical
    def ent(x, dim):
        return Categorical(probs=torch.movedim(x, dim, -1)).entropy()
    rows = torch.rand(5, 6, generator=gen, dtype=torch.float64)
    rows[0] = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    rows[1] = torch.tensor([0.5, 0.5, 0.0, 0.0, 0.0, 0.0])
    rows[2] = torch.full((6,), 7.0)  # unnormalised
    rows[3] = torch.tensor([1e-30, 1.0, 1e-10, 0.0, 0.25, 0.0])
    inputs = [("rows with zeros, one-hot, unnormalised (5, 6)", rows, [1, -1, 0]),
              ("(2, 3, 4)", torch.rand(2, 3, 4, generator=gen, dtype=torch.float64), [0, 1, 2]),
              ("(9)", torch.rand(9, generator=gen, dtype=torch.float64), [0]),
              ("row of 1000", torch.rand(1, 1000, generator=gen, dtype=torch.float64), [1])]
    return [case for name, x, dims in inputs for dim in dims for case in plain_cases(f"entropy {name} dim={dim}", lambda t, d=dim: ent(t, d), x, {"dim": dim})]


def sigmoid_focal_loss(inputs, targets, reduction="none", alpha=0.25, gamma=2.0):
    # torchvision.ops.sigmoid_focal_loss, written from its source (torchvision is not part of Debian's
    # python3-torch); the gradient is PyTorch's autograd through these same operations.
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def focal_truth(x, y, reduction, grad_output, alpha=0.25, gamma=2.0):
    # The focal loss and its gradient in numpy's 80-bit long double, with σ(−x) taken directly so that
    # 1 − p_t does not cancel: a truth for PyTorch's float64 as well as for float32.
    x = x.numpy().astype(np.longdouble)
    y = y.numpy().astype(np.longdouble)
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(x))
        p = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        q = np.where(x >= 0, e / (1 + e), 1 / (1 + e))
        p = np.where(np.isnan(x), np.nan, p)
        q = np.where(np.isnan(x), np.nan, q)
        ce = (1 - y) * x + np.maximum(-x, 0) + np.log1p(e)
        u = q * y + p * (1 - y)
        a = alpha * y + (1 - alpha) * (1 - y) if alpha >= 0 else np.ones_like(y)
        loss = a * ce * u ** gamma
        pow_grad = np.zeros_like(u) if gamma == 0 else gamma * u ** (gamma - 1)
        grad = a * ((p * (1 - y) - q * y) * u ** gamma - ce * pow_grad * (2 * y - 1) * p * q)
        go = grad_output.numpy().astype(np.longdouble) if isinstance(grad_output, torch.Tensor) else grad_output
        if reduction == "none":
            loss_r, grad = loss, grad * go
        else:
            scale = (1 / loss.size if loss.size else np.nan) if reduction == "mean" else 1
            loss_r, grad = np.sum(loss) * scale, grad * go * scale
    return torch.from_numpy(np.asarray(loss_r, dtype=np.float64)), torch.from_numpy(np.asarray(grad, dtype=np.float64))


def focal_case(*args, **kwargs):
    return loss_case(*args, truth=focal_truth, **kwargs)


def sigmoid_focal_cases():
    c = []
    x = randn(4, 6, scale=3.0)
    hard = (torch.rand(4, 6, generator=gen, dtype=torch.float64) > 0.7).to(torch.float64)
    soft = torch.rand(4, 6, generator=gen, dtype=torch.float64)
    for r in ("none", "mean", "sum"):
        c += focal_case(f"focal defaults {r}", sigmoid_focal_loss, x, hard, r)
    for gamma in (0.0, 1.0, 0.5, 3.7):
        c += focal_case(f"focal gamma {gamma}", sigmoid_focal_loss, x, hard, "sum", options={"gamma": gamma})
    for alpha in (-1.0, 0.0, 0.9):
        c += focal_case(f"focal alpha {alpha}", sigmoid_focal_loss, x, soft, "mean", options={"alpha": alpha})
    c += focal_case("focal soft targets gamma 1.5", sigmoid_focal_loss, x, soft, "none", options={"gamma": 1.5, "alpha": 0.4})
    extreme = torch.tensor([30.0, -30.0, 1e4, -1e4, INF, -INF, 0.0, 17.0, -17.0, 90.0])
    ends = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0])
    for gamma in (2.0, 0.5):
        c += focal_case(f"focal at ±30, ±1e4 and ±inf, gamma {gamma}", sigmoid_focal_loss, extreme, ends, "none", options={"gamma": gamma})
    c += focal_case("focal none with gradOutput", sigmoid_focal_loss, x, hard, "none", grad_output=randn(4, 6))
    c += focal_case("focal (2, 3, 5)", sigmoid_focal_loss, randn(2, 3, 5, scale=2.0), torch.rand(2, 3, 5, generator=gen, dtype=torch.float64), "mean")
    c += focal_case("focal empty", sigmoid_focal_loss, torch.zeros(0), torch.zeros(0), "mean")
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17):
        y = (torch.rand(n, generator=gen, dtype=torch.float64) > 0.5).to(torch.float64)
        c += focal_case(f"focal length {n}", sigmoid_focal_loss, randn(n, scale=4.0), y, "sum", options={"gamma": 2.5})
    c += sweep_cases("focal", sigmoid_focal_loss, truth=focal_truth)
    return c


def plain_cases(name, fn, x, options):
    cases = []
    for dname, dtype in DTYPES.items():
        xd = x.to(dtype)
        case = {"name": f"{name} [{dname}]", "dtype": dname, "input": enc(xd), "options": options, "output": enc(fn(xd))}
        if dtype == torch.float32:
            case["outputTruth"] = enc(fn(xd.to(torch.float64)))
        cases.append(case)
    return cases


def sigmoid_inputs():
    return torch.cat([torch.tensor([0.0, 1.0, -1.0, 1e4, -1e4, INF, -INF, math.nan, 20.0, -20.0, 100.0, -100.0, 88.0, -88.0, 1e-8]),
                      randn(33, scale=10.0)])


# --- language-model scoring: token log-probs, perplexity, top-k, entropy of the softmax -------------
# torch 1.13 has none of these as one function: each is written from its definition in torch ops.

def token_log_probs(x, t, temperature, ignore_index, shift):
    if shift:
        x, t = x[..., :-1, :], t[..., 1:]
    lp = torch.log_softmax(x / temperature, dim=-1)
    picked = lp.gather(-1, t.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return torch.where(t == ignore_index, torch.zeros_like(picked), picked)


def perplexity(x, t, temperature, ignore_index, shift):
    if shift:
        x, t = x[..., :-1, :], t[..., 1:]
    v = x.shape[-1]
    return torch.exp(F.cross_entropy((x / temperature).reshape(-1, v), t.reshape(-1), ignore_index=ignore_index))


def top_k(x, k, temperature):
    # a stable sort: equal log-probs keep the lower index first (NaN sorts first, as in torch.topk)
    values, indices = torch.sort(torch.log_softmax(x / temperature, dim=-1), dim=-1, descending=True, stable=True)
    return values[..., :k], indices[..., :k]


def softmax_entropy(x, temperature):
    return torch.distributions.Categorical(logits=x / temperature, validate_args=False).entropy()


def scoring_truth(fn, x, temperature, target=None, ignore_index=-100, shift=False, k=None):
    # The same functions in numpy's 80-bit long double, from the max-shifted logits (exact for float32
    # inputs), with 0 · log 0 = 0: a truth for PyTorch's float64 too, whose x / T − logsumexp(x / T) rounds
    # at the scale of x (log 6 comes out as 0 for a row of six −3e38).
    a = x.numpy().astype(np.longdouble)
    if shift:
        a, target = a[..., :-1, :], target[..., 1:]
    with np.errstate(all="ignore"):
        m = np.max(a, axis=-1, keepdims=True)
        d = (a - m) / np.longdouble(temperature)
        s = np.sum(np.exp(d), axis=-1, keepdims=True)
        lp = d - np.log(s)
        if fn == "softmaxEntropy":
            p = np.exp(lp)
            out = -np.sum(np.where(p > 0, p * lp, 0), axis=-1)
        elif fn == "topK":
            # a stable sort of the exact log-probs (descending; NaN rows as all NaN, in index order)
            order = np.argsort(np.where(np.isnan(lp), -np.inf, -lp), axis=-1, kind="stable")[..., :k]
            values = np.take_along_axis(lp, order, axis=-1)
            return (torch.from_numpy(np.asarray(values, dtype=np.float64)), torch.from_numpy(order.astype(np.int32)))
        else:
            t = target.numpy().astype(np.int64)
            picked = np.take_along_axis(lp, np.maximum(t, 0)[..., None], axis=-1)[..., 0]
            picked = np.where(t == ignore_index, 0, picked)
            if fn == "tokenLogProbs":
                out = picked
            else:
                count = np.sum(t != ignore_index)
                out = np.exp(-np.sum(picked) / count) if count else np.longdouble(np.nan)
    return torch.from_numpy(np.asarray(out, dtype=np.float64))


def scoring_inputs():
    adversarial = torch.tensor([
        [-INF, 0.0, 1.0, -INF, 2.0, 0.5],
        [3e38, -3e38, 0.0, 1.0, 2.0, 3e38],
        [1e4, -1e4, 0.0, 1e4 - 2, 5.0, 1.0],
        [7.0, 7.0, 7.0, 1.0, 7.0, 2.0],
        [-3e38, -3e38, -3e38, -3e38, -3e38, -3e38],
        [40.0, 1e-3, -1e-3, 2e-3, 0.0, 40.0],
    ])
    return [
        ("[V=7]", randn(7, scale=3.0)),
        ("[5, 11]", randn(5, 11, scale=3.0)),
        ("[2, 3, 17]", randn(2, 3, 17, scale=4.0)),
        ("adversarial [6, 6]", adversarial),
        ("[2, 32000]", randn(2, 32000, scale=3.0)),
        ("[3, 1000] spiky", randn(3, 1000, scale=1.0) + 30.0 * (torch.rand(3, 1000, generator=gen, dtype=torch.float64) > 0.995)),
        ("[4, 1]", randn(4, 1)),
    ] + [(f"[3, {n}]", randn(3, n, scale=2.0)) for n in (2, 3, 4, 5, 8, 9, 15, 16, 17, 31, 33, 65)]


def scoring_cases():
    """The cases, and their logits stored once each (a case names its logits by key)."""
    cases = []
    logits = {}

    def add(fn, name, x, options, compute, truth, extra=None):
        for dname, dtype in DTYPES.items():
            xd = x.to(dtype)
            key = f"{name.split(' T=')[0].split(' k=')[0].split(' shift')[0]} [{dname}]"
            logits[key] = enc(xd)
            case = {"fn": fn, "name": f"{fn} {name} [{dname}]", "dtype": dname, "logits": key, "options": options,
                    **(extra or {})}
            out = compute(xd)
            outs = out if isinstance(out, tuple) else (out,)
            case["output"] = [enc(o if isinstance(o, torch.Tensor) else torch.tensor(o)) for o in outs]
            t = truth(xd, outs)
            case["outputTruth"] = [enc(o) for o in (t if isinstance(t, tuple) else (t,))]
            cases.append(case)

    for name, x in scoring_inputs():
        v = x.shape[-1]
        lead = tuple(x.shape[:-1])
        target = randint(v, *lead)
        if target.dim() > 0 and target.numel() > 2:
            target.view(-1)[1] = -100
        for temperature in (1.0, 0.7, 2.5):
            opts = {} if temperature == 1.0 else {"temperature": temperature}
            ex = {"target": enc(target)}
            for fn, ref in (("tokenLogProbs", token_log_probs), ("perplexity", perplexity)):
                add(fn, f"{name} T={temperature}", x, opts,
                    lambda xd, ref=ref: ref(xd, target, temperature, -100, False),
                    lambda xd, outs, fn=fn: scoring_truth(fn, xd, temperature, target), ex)
            add("softmaxEntropy", f"{name} T={temperature}", x, opts, lambda xd: softmax_entropy(xd, temperature),
                lambda xd, outs: scoring_truth("softmaxEntropy", xd, temperature))
            for k in sorted({1, min(5, v), v}):
                if v > 1000 and k == v:
                    continue
                add("topK", f"{name} k={k} T={temperature}", x, {**opts, "k": k},
                    lambda xd: top_k(xd, k, temperature),
                    lambda xd, outs: scoring_truth("topK", xd, temperature, k=k))
        if len(lead) >= 1:
            for ii in (-100, 0):
                opts = {"shift": True, **({"ignoreIndex": ii} if ii != -100 else {})}
                t = target.clamp(min=0) if ii == 0 else target
                ex = {"target": enc(t)}
                for fn, ref in (("tokenLogProbs", token_log_probs), ("perplexity", perplexity)):
                    add(fn, f"{name} shift ignoreIndex={ii}", x, opts,
                        lambda xd, ref=ref: ref(xd, t, 1.0, ii, True),
                        lambda xd, outs, fn=fn: scoring_truth(fn, xd, 1.0, t, ii, True), ex)
    return cases, logits


# --- cross_entropy's language-model options ------------------------------------------------------
# torch 1.13 has none of them: each is written from its definition in torch ops, and autograd gives the
# gradient. z-loss as Liger-Kernel: s · lse² per row not ignored, 'mean' divides it by the rows counted
# (the cross-entropy by Σ w_t); softcap as Gemma 2: c · tanh(x / c) first; safe as optax: rows of all −inf
# and ignored rows give 0; divisor: the 'sum' divided by it.

def ce_lm_run(x, t, dtype, opts, grad_output):
    x = x.to(dtype).clone().requires_grad_(True)
    w = opts.get("weight")
    w = None if w is None else w.to(dtype)
    ii = opts.get("ignoreIndex", -100)
    reduction = opts.get("reduction", "mean")
    z = x
    if "softcap" in opts:
        c = opts["softcap"]
        z = c * torch.tanh(z / c)
    keep = t != ii
    lse = torch.logsumexp(z, dim=-1)  # −inf for a row of all −inf, safe or not
    if opts.get("safe"):
        dead = torch.isneginf(z).all(dim=-1) & keep
        z = torch.where(dead.unsqueeze(-1), torch.zeros_like(z), z)
        keep_rows = keep & ~dead
    else:
        keep_rows = keep
    ce = F.cross_entropy(z, t, weight=w, ignore_index=ii, reduction="none",
                         label_smoothing=opts.get("labelSmoothing", 0.0))
    if opts.get("safe"):
        ce = torch.where(keep_rows, ce, torch.zeros_like(ce))
    s = opts.get("lseSquareScale", 0.0)
    zl = torch.where(keep_rows, s * torch.logsumexp(z, dim=-1) ** 2, torch.zeros_like(lse))
    wt = (w[t.clamp(min=0)] if w is not None else torch.ones_like(ce)) * keep
    if reduction == "none":
        loss, zloss = ce + zl, zl
    elif "divisor" in opts:
        loss, zloss = ce.sum() / opts["divisor"] + zl.sum() / opts["divisor"], zl.sum() / opts["divisor"]
    elif reduction == "sum":
        loss, zloss = ce.sum() + zl.sum(), zl.sum()
    else:
        loss, zloss = ce.sum() / wt.sum() + zl.sum() / keep.sum(), zl.sum() / keep.sum()
    go = grad_output.to(dtype) if isinstance(grad_output, torch.Tensor) else torch.full_like(loss, grad_output)
    loss.backward(go)
    return loss.detach(), x.grad.detach(), zloss.detach(), lse.detach()


def ce_lm_truth(x, t, opts, grad_output):
    # The same in numpy's 80-bit long double, straight from the formulas: a truth for PyTorch's float64 as
    # well (whose x / c, tanh and log-softmax round at the scale of the softcapped logits).
    a = x.numpy().astype(np.longdouble)
    t = t.numpy().astype(np.int64)
    n, v = a.shape
    ii = opts.get("ignoreIndex", -100)
    eps = np.longdouble(opts.get("labelSmoothing", 0.0))
    s = np.longdouble(opts.get("lseSquareScale", 0.0))
    w = opts["weight"].numpy().astype(np.longdouble) if "weight" in opts else np.ones(v, dtype=np.longdouble)
    with np.errstate(all="ignore"):
        if "softcap" in opts:
            c = np.longdouble(opts["softcap"])
            z, slope = c * np.tanh(a / c), 1 - np.tanh(a / c) ** 2
        else:
            z, slope = a, np.ones_like(a)
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        total = e.sum(axis=1, keepdims=True)
        lse = np.where(np.isneginf(m[:, 0]), -np.inf, (m + np.log(total))[:, 0])  # a row of all −inf: −inf
        p = e / total
        logp = z - lse[:, None]
        keep = t != ii
        rows = keep & ~(np.isneginf(z).all(axis=1) if opts.get("safe") else np.zeros(n, dtype=bool))
        tt = np.where(keep, t, 0)
        wt = w[tt]
        smooth = -(w[None, :] * np.where(p > 0, logp, np.where(np.isneginf(logp), -np.inf, 0))).sum(axis=1)
        ce = np.where(rows, (1 - eps) * -wt * logp[np.arange(n), tt] + (eps / v * smooth if eps > 0 else 0), 0)
        zl = np.where(rows, s * lse * lse, 0)
        q = np.zeros_like(z) + eps / v * w[None, :]
        q[np.arange(n), tt] += (1 - eps) * wt
        dce = p * q.sum(axis=1, keepdims=True) - q
        dz = 2 * s * lse[:, None] * p
        go = grad_output.numpy().astype(np.longdouble) if isinstance(grad_output, torch.Tensor) else grad_output
        reduction = opts.get("reduction", "mean")
        if reduction == "none":
            loss, zloss, gce, gz = ce + zl, zl, go, go
        elif "divisor" in opts:
            d = opts["divisor"]
            loss, zloss, gce, gz = (ce.sum() + zl.sum()) / d, zl.sum() / d, go / d, go / d
        elif reduction == "sum":
            loss, zloss, gce, gz = ce.sum() + zl.sum(), zl.sum(), go, go
        else:
            big_w, count = wt[keep].sum(), keep.sum()
            loss, zloss, gce, gz = ce.sum() / big_w + zl.sum() / count, zl.sum() / count, go / big_w, go / count
        gce = np.asarray(gce)[..., None] if np.ndim(gce) else gce
        gz = np.asarray(gz)[..., None] if np.ndim(gz) else gz
        grad = np.where(rows[:, None], (dce * gce + dz * gz) * slope, 0)
    as64 = lambda v: torch.from_numpy(np.asarray(v, dtype=np.float64))
    return as64(loss), as64(grad), as64(zloss), as64(lse)


def ce_lm_case(name, x, t, grad_output=1.0, **opts):
    cases = []
    for dname, dtype in DTYPES.items():
        xd = x.to(dtype)
        go = grad_output.to(dtype) if isinstance(grad_output, torch.Tensor) else grad_output
        loss, grad, zloss, lse = ce_lm_run(xd, t, dtype, opts, go)
        options = {k: (enc(v.to(dtype)) if isinstance(v, torch.Tensor) else v) for k, v in opts.items()}
        case = {"name": f"{name} [{dname}]", "dtype": dname, "input": enc(xd), "target": enc(t),
                "options": options, "gradOutput": enc(go) if isinstance(go, torch.Tensor) else go,
                "loss": enc(loss), "grad": enc(grad), "zLoss": enc(zloss), "lse": enc(lse)}
        go64 = go.to(torch.float64) if isinstance(go, torch.Tensor) else go
        # the truth takes the case's own inputs: its logits, weights and gradOutput rounded to its dtype
        rounded = {k: (v.to(dtype).to(torch.float64) if isinstance(v, torch.Tensor) else v) for k, v in opts.items()}
        truth = ce_lm_truth(xd.to(torch.float64), t, rounded, go64)
        for key, value in zip(("lossTruth", "gradTruth", "zLossTruth", "lseTruth"), truth):
            case[key] = enc(value)
        cases.append(case)
    return cases


def cross_entropy_lm_cases():
    c = []
    x = randn(6, 11, scale=3.0)
    t = torch.tensor([0, 10, -100, 4, 7, 3])
    w = torch.rand(11, generator=gen, dtype=torch.float64) + 0.5
    for r in ("mean", "sum", "none"):
        c += ce_lm_case(f"z-loss {r}", x, t, reduction=r, lseSquareScale=1e-2)
        c += ce_lm_case(f"softcap 2 {r}", x, t, reduction=r, softcap=2.0)
        c += ce_lm_case(f"z-loss + softcap + weight + smoothing {r}", x, t, reduction=r, lseSquareScale=1e-3,
                        softcap=5.0, weight=w, labelSmoothing=0.1)
    c += ce_lm_case("z-loss none with gradOutput", x, t, reduction="none", lseSquareScale=0.1, grad_output=randn(6))
    c += ce_lm_case("softcap 30 (Gemma 2's final logits) on logits of ±60", randn(4, 9, scale=40.0),
                    torch.tensor([1, 8, 0, 5]), softcap=30.0)
    c += ce_lm_case("softcap 0.5 (tanh saturated)", randn(3, 7, scale=10.0), torch.tensor([1, 2, 6]), softcap=0.5,
                    reduction="none")
    c += ce_lm_case("divisor", x, t, reduction="sum", divisor=7.5)
    c += ce_lm_case("divisor + z-loss + weight", x, t, reduction="sum", divisor=3.25, lseSquareScale=1e-2, weight=w)
    dead = randn(4, 6)
    dead[1] = -INF
    dead[3, :2] = -INF
    td = torch.tensor([0, 1, -100, 4])
    for r in ("mean", "none"):
        c += ce_lm_case(f"safe: a row of all -inf and an ignored row {r}", dead, td, reduction=r, safe=True)
    c += ce_lm_case("safe + z-loss + smoothing", dead, td, reduction="sum", safe=True, lseSquareScale=1e-2,
                    labelSmoothing=0.2)
    for n in (1, 3, 4, 5, 8, 9, 16, 17, 33, 65, 1000):
        c += ce_lm_case(f"C = {n}: z-loss + softcap 4", randn(3, n, scale=4.0), randint(n, 3), reduction="none",
                        lseSquareScale=1e-3, softcap=4.0, grad_output=randn(3))
    c += ce_lm_case("C = 32000: z-loss + softcap 30 + smoothing", randn(2, 32000, scale=8.0), torch.tensor([5, 31999]),
                    lseSquareScale=1e-4, softcap=30.0, labelSmoothing=0.1)
    return c


# --- linear_cross_entropy: F.linear then F.cross_entropy (PyTorch 2.13's reference semantics) -------------

def linear_ce_run(x, w, b, t, dtype, opts, grad_output):
    x = x.to(dtype).clone().requires_grad_(True)
    w = w.to(dtype).clone().requires_grad_(True)
    b = None if b is None else b.to(dtype).clone().requires_grad_(True)
    cw = opts.get("weight")
    cw = None if cw is None else cw.to(dtype)
    logits = F.linear(x, w, b)
    if "softcap" in opts:
        logits = opts["softcap"] * torch.tanh(logits / opts["softcap"])
    ii = opts.get("ignoreIndex", -100)
    reduction = opts.get("reduction", "mean")
    v = logits.shape[-1]
    flat, tf = logits.reshape(-1, v), t.reshape(-1)
    ce = F.cross_entropy(flat, tf, weight=cw, ignore_index=ii, reduction="none",
                         label_smoothing=opts.get("labelSmoothing", 0.0))
    keep = tf != ii
    zl = torch.where(keep, opts.get("lseSquareScale", 0.0) * torch.logsumexp(flat, -1) ** 2, torch.zeros_like(ce))
    wt = (cw[tf.clamp(min=0)] if cw is not None else torch.ones_like(ce)) * keep
    if reduction == "none":
        loss = (ce + zl).reshape(t.shape)
    elif reduction == "sum":
        loss = ce.sum() + zl.sum()
    else:
        loss = ce.sum() / wt.sum() + zl.sum() / keep.sum()
    go = grad_output.to(dtype) if isinstance(grad_output, torch.Tensor) else torch.full_like(loss, grad_output)
    loss.backward(go)
    return loss.detach(), x.grad.detach(), w.grad.detach(), None if b is None else b.grad.detach()


def linear_ce_case(name, x, w, t, b=None, grad_output=1.0, **opts):
    cases = []
    for dname, dtype in DTYPES.items():
        go = grad_output.to(dtype) if isinstance(grad_output, torch.Tensor) else grad_output
        loss, gx, gw, gb = linear_ce_run(x, w, b, t, dtype, opts, go)
        options = {k: (enc(v.to(dtype)) if isinstance(v, torch.Tensor) else v) for k, v in opts.items()}
        case = {"name": f"{name} [{dname}]", "dtype": dname, "input": enc(x.to(dtype)), "linearWeight": enc(w.to(dtype)),
                "target": enc(t), "options": options, "gradOutput": enc(go) if isinstance(go, torch.Tensor) else go,
                "loss": enc(loss), "gradInput": enc(gx), "gradWeight": enc(gw)}
        if b is not None:
            case["linearBias"] = enc(b.to(dtype))
            case["gradBias"] = enc(gb)
        if dtype == torch.float32:
            r64 = lambda v: None if v is None else v.to(dtype).to(torch.float64)
            go64 = go.to(torch.float64) if isinstance(go, torch.Tensor) else go
            o64 = {k: (r64(v) if isinstance(v, torch.Tensor) else v) for k, v in opts.items()}
            truth = linear_ce_run(r64(x), r64(w), r64(b), t, torch.float64, o64, go64)
            for key, value in zip(("lossTruth", "gradInputTruth", "gradWeightTruth", "gradBiasTruth"), truth):
                if value is not None:
                    case[key] = enc(value)
        cases.append(case)
    return cases


def linear_cross_entropy_cases():
    c = []
    x, w, b = randn(6, 13), randn(37, 13, scale=0.5), randn(37)
    t = torch.tensor([0, 36, -100, 4, 17, 3])
    cw = torch.rand(37, generator=gen, dtype=torch.float64) + 0.5
    for r in ("mean", "sum", "none"):
        c += linear_ce_case(f"(6, 13) · (37, 13)ᵀ + bias {r}", x, w, t, b=b, reduction=r)
    c += linear_ce_case("no bias, weight, smoothing", x, w, t, weight=cw, labelSmoothing=0.1)
    c += linear_ce_case("z-loss + softcap", x, w, t, b=b, lseSquareScale=1e-2, softcap=3.0)
    c += linear_ce_case("none with gradOutput", x, w, t, b=b, reduction="none", grad_output=randn(6))
    c += linear_ce_case("[2, 3, 13] input", randn(2, 3, 13), w, torch.tensor([[1, 2, 3], [4, -100, 36]]), b=b)
    for n, d, v in ((1, 1, 1), (3, 7, 5), (4, 8, 8), (5, 9, 17), (9, 16, 33), (13, 31, 65)):
        c += linear_ce_case(f"tile edges N={n} d={d} V={v}", randn(n, d), randn(v, d, scale=0.5), randint(v, n), b=randn(v))
    c += linear_ce_case("(64, 64) · (1000, 64)ᵀ", randn(64, 64), randn(1000, 64, scale=0.2), randint(1000, 64), b=randn(1000))
    return c


# --- huber_loss, smooth_l1_loss, l1_loss: one generator of their own, so the files above stay as they were -----

def robust_cases(name, fn, **options):
    """`fn` on random and adversarial differences: both sides of the threshold, exactly at it, ±inf, NaN, empty."""
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 1)
    try:
        x, y = randn(4, 7, scale=2.0), randn(4, 7, scale=2.0)
        c = []
        for r in ("none", "mean", "sum"):
            c += loss_case(f"{name} (4, 7) {r}", fn, x, y, r, options=options)
        c += loss_case(f"{name} none with gradOutput", fn, x, y, "none", options=options, grad_output=randn(4, 7))
        t = options.get("delta", options.get("beta", 1.0))
        edge = torch.tensor([t, -t, 0.5 * t, -0.5 * t, 0.0, -0.0, 3.0 * t + 1.0, 1e-30], dtype=torch.float64)
        c += loss_case(f"{name} at and around the threshold", fn, edge, torch.zeros_like(edge), "none", options=options)
        odd = torch.tensor([INF, -INF, 1.0, INF, math.nan, 1e38, -1e38], dtype=torch.float64)
        c += loss_case(f"{name} with inf and nan", fn, odd, torch.tensor([0.0, 0.0, INF, INF, 0.0, -1e38, 1e38],
                                                                    dtype=torch.float64), "none", options=options)
        c += loss_case(f"{name} empty", fn, torch.zeros(0), torch.zeros(0), "mean", options=options)
        c += loss_case(f"{name} length 37 (vector width and tail)", fn, randn(37, scale=3.0), randn(37), "sum",
                       options=options)
        return c
    finally:
        gen = saved


def regression_files():
    files = {"huber_loss": [], "smooth_l1_loss": [], "l1_loss": []}
    for delta in (1.0, 0.5, 2.5):
        files["huber_loss"] += robust_cases(f"huber delta {delta}", F.huber_loss, delta=delta)
    for beta in (1.0, 0.25, 0.0):
        files["smooth_l1_loss"] += robust_cases(f"smooth_l1 beta {beta}", F.smooth_l1_loss, beta=beta)
    files["l1_loss"] += robust_cases("l1", F.l1_loss)
    return files


# --- scoring from hidden states: F.linear (softcapped), then the scores of its logits ----------------------------
# torch 1.13 has none of them as one function: each is written from its definition in torch ops. The target's rank
# is 1 + how many logits are larger, or equal with a lower index; `rankSlack` counts, per row, the other logits
# within 1e-6 (relative) of the target's in float64: a float32 rank may move by that many.

def linear_scores(x, w, b, t, dtype, temperature, softcap, shift, k):
    z = F.linear(x.to(dtype), w.to(dtype), None if b is None else b.to(dtype))
    if softcap:
        z = softcap * torch.tanh(z / softcap)
    zs = z / temperature
    lp = torch.log_softmax(zs, -1)
    values, indices = torch.sort(lp, dim=-1, descending=True, stable=True)
    out = {"entropy": torch.distributions.Categorical(logits=zs, validate_args=False).entropy(),
           "logSumExp": torch.logsumexp(zs, -1), "topKLogProbs": values[..., :k], "topKIndices": indices[..., :k]}
    if t is None:
        return out
    zz, tt, ll = (z[..., :-1, :], t[..., 1:], lp[..., :-1, :]) if shift else (z, t, lp)
    keep = tt != -100
    safe = tt.clamp(min=0)
    picked = ll.gather(-1, safe[..., None])[..., 0]
    tok = torch.where(keep, picked, torch.zeros_like(picked))
    zt = zz.gather(-1, safe[..., None])
    j = torch.arange(z.shape[-1])
    ahead = (zz > zt).sum(-1) + ((zz == zt) & (j < safe[..., None])).sum(-1)
    rank = torch.where(keep, ahead + 1, torch.zeros_like(ahead)).to(torch.int32)
    near = ((zz - zt).abs() <= 1e-6 * zt.abs().clamp(min=1.0)).sum(-1) - 1
    flat_tok, flat_keep = tok.reshape(-1, tok.shape[-1]), keep.reshape(-1, keep.shape[-1])
    seq_sum, seq_count = flat_tok.sum(-1), flat_keep.sum(-1)
    per_seq = torch.exp(-seq_sum[seq_count > 0] / seq_count[seq_count > 0])
    out.update({"tokenLogProbs": tok, "targetRank": rank, "rankSlack": torch.where(keep, near, torch.zeros_like(near)),
                "accuracy": ((rank == 1) & keep).sum() / keep.sum(), "perplexity": torch.exp(-tok.sum() / keep.sum()),
                "sequencePerplexity": per_seq.mean()})
    return out


def linear_scoring_case(name, x, w, t=None, b=None, temperature=1.0, softcap=None, shift=False, k=5):
    cases = []
    options = {"k": k, **({"temperature": temperature} if temperature != 1.0 else {}),
               **({"softcap": softcap} if softcap else {}), **({"shift": True} if shift else {})}
    for dname, dtype in DTYPES.items():
        scores = linear_scores(x, w, b, t, dtype, temperature, softcap, shift, k)
        case = {"name": f"{name} [{dname}]", "dtype": dname, "input": enc(x.to(dtype)), "linearWeight": enc(w.to(dtype)),
                "options": options, "output": {key: enc(v if v.dim() else v.reshape(())) for key, v in scores.items()}}
        if b is not None:
            case["linearBias"] = enc(b.to(dtype))
        if t is not None:
            case["target"] = enc(t)
        if dtype == torch.float32:
            r64 = lambda v: None if v is None else v.to(dtype).to(torch.float64)
            truth = linear_scores(r64(x), r64(w), r64(b), t, torch.float64, temperature, softcap, shift, k)
            case["truth"] = {key: enc(v) for key, v in truth.items()}
        cases.append(case)
    return cases


def linear_scoring_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 2)
    try:
        c = []
        x, w, b = randn(6, 13), randn(37, 13, scale=0.5), randn(37)
        t = torch.tensor([0, 36, -100, 4, 17, 3])
        c += linear_scoring_case("(6, 13) · (37, 13)ᵀ + bias", x, w, t, b=b)
        c += linear_scoring_case("no target, T=0.7", x, w, b=b, temperature=0.7, k=37)
        c += linear_scoring_case("softcap 2 (the logits capped first)", x, w, t, b=b, softcap=2.0, temperature=2.5)
        xs, ts = randn(2, 4, 13), torch.tensor([[1, 2, 3, 4], [5, -100, 36, 0]])
        c += linear_scoring_case("[2, 4, 13] shift", xs, w, ts, b=b, shift=True, k=3)
        wd = torch.cat([w[:5], w[:5], w[10:]])  # rows 5-9 repeat rows 0-4: equal logits, ranked by index
        bd = torch.cat([torch.zeros(10), b[10:]])
        bd[12] = -INF
        c += linear_scoring_case("equal logits and a −inf bias", x, wd, torch.tensor([5, 0, 7, 12, 2, -100]), b=bd, k=12)
        xl, wl = randn(8, 32), randn(2000, 32, scale=0.3)
        c += linear_scoring_case("(8, 32) · (2000, 32)ᵀ", xl, wl, randint(2000, 8), k=10)
        c += linear_scoring_case("one class", randn(3, 4), randn(1, 4), torch.tensor([0, 0, -100]), k=1)
        return c
    finally:
        gen = saved


# --- ctc_loss ---------------------------------------------------------------------------------

def ctc_run(lp, targets, input_lengths, target_lengths, dtype, opts, grad_output):
    x = lp.to(dtype).detach().requires_grad_()
    loss = F.ctc_loss(x, targets, input_lengths, target_lengths, blank=opts["blank"], reduction=opts["reduction"],
                      zero_infinity=opts["zeroInfinity"])
    go = torch.tensor(grad_output, dtype=dtype) if loss.dim() == 0 else grad_output.to(dtype)
    loss.backward(go)
    return loss, x.grad


def ctc_case(name, lp, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False,
             grad_output=None):
    """One case per dtype: log-probs (T, N, C) or (T, C), padded or concatenated targets, and the loss and autograd
    gradient; each float32 case with the float64 truth on its float32-valued inputs."""
    opts = {"blank": blank, "reduction": reduction, "zeroInfinity": zero_infinity}
    lengths = [torch.as_tensor(input_lengths), torch.as_tensor(target_lengths)]
    cases = []
    for dtype_name, dtype in DTYPES.items():
        x = lp.to(dtype)
        batch = () if x.dim() == 2 else (x.shape[1],)
        go = grad_output
        if go is None:
            go = 1.0 if reduction != "none" else torch.ones(batch, dtype=torch.float64)
        loss, grad = ctc_run(x, targets, *lengths, dtype, opts, go)
        case = {"name": f"{name} [{dtype_name}]", "dtype": dtype_name, "logProbs": enc(x), "targets": enc(targets),
                "inputLengths": enc(lengths[0].reshape(-1)), "targetLengths": enc(lengths[1].reshape(-1)),
                "options": opts, "loss": enc(loss), "grad": enc(grad),
                "gradOutput": go if isinstance(go, float) else enc(go.to(dtype))}
        if dtype == torch.float32:
            truth_loss, truth_grad = ctc_run(x.double(), targets, *lengths, torch.float64, opts,
                                             go if isinstance(go, float) else go.to(dtype).double())
            case["truth"] = {"loss": enc(truth_loss), "grad": enc(truth_grad)}
        cases.append(case)
    return cases


def ctc_log_probs(T, N, C, scale=2.0):
    x = randn(T, N, C, scale=scale) if N else randn(T, C, scale=scale)
    return torch.log_softmax(x, -1)


def ctc_labels(n, C, blank=0):
    """n labels in [0, C) other than the blank."""
    labels = randint(C - 1, n)
    return labels + (labels >= blank).long()


def ctc_loss_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 3)
    try:
        c = []
        lp = ctc_log_probs(12, 3, 6)
        target_lengths = torch.tensor([4, 2, 3])
        padded = torch.stack([torch.cat([ctc_labels(int(n), 6), torch.zeros(4 - int(n), dtype=torch.long)])
                              for n in target_lengths])
        concatenated = torch.cat([padded[i, :n] for i, n in enumerate(target_lengths.tolist())])
        input_lengths = torch.tensor([12, 10, 7])
        for reduction in ("mean", "sum", "none"):
            c += ctc_case(f"padded targets, {reduction}", lp, padded, input_lengths, target_lengths, reduction=reduction)
            c += ctc_case(f"concatenated targets, {reduction}", lp, concatenated, input_lengths, target_lengths,
                          reduction=reduction)
        c += ctc_case("upstream gradient per sequence", lp, padded, input_lengths, target_lengths, reduction="none",
                      grad_output=torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64))
        c += ctc_case("upstream gradient 0.25", lp, padded, input_lengths, target_lengths, grad_output=0.25)
        unbatched = ctc_log_probs(9, 0, 5)
        c += ctc_case("unbatched (T, C)", unbatched, ctc_labels(3, 5), 9, 3, reduction="sum")
        c += ctc_case("unbatched, mean", unbatched, ctc_labels(4, 5), 7, 4)
        empty = ctc_log_probs(5, 2, 4)
        c += ctc_case("empty targets", empty, torch.zeros(2, 0, dtype=torch.long), [5, 3], [0, 0], reduction="none")
        c += ctc_case("an empty target beside a full one, mean", empty, torch.tensor([[1, 2], [0, 0]]), [5, 4], [2, 0])
        repeats = ctc_log_probs(8, 2, 4)
        c += ctc_case("repeated labels need a blank between", repeats, torch.tensor([[1, 1, 2, 2], [3, 3, 3, 0]]),
                      [8, 5], [4, 3], reduction="none")
        tight = ctc_log_probs(4, 1, 5)
        c += ctc_case("target length = input length", tight, torch.tensor([[1, 2, 3, 4]]), [4], [4], reduction="sum")
        impossible = ctc_log_probs(3, 2, 4)
        targets = torch.tensor([[1, 1, 1], [2, 3, 0]])
        for zero_infinity in (False, True):
            for reduction in ("mean", "sum", "none"):
                name = f"an impossible target, zeroInfinity {str(zero_infinity).lower()}, {reduction}"
                c += ctc_case(name, impossible, targets, [3, 3], [3, 2], reduction=reduction,
                              zero_infinity=zero_infinity)
        c += ctc_case("C = 2", ctc_log_probs(7, 2, 2), torch.tensor([[1, 1], [1, 0]]), [7, 6], [2, 1])
        big = ctc_log_probs(6, 2, 5000)
        c += ctc_case("C = 5000", big, torch.stack([ctc_labels(3, 5000), ctc_labels(3, 5000)]), [6, 5], [3, 2],
                      reduction="none")
        one = ctc_log_probs(1, 3, 4)
        c += ctc_case("T = 1", one, torch.tensor([[2], [0], [1]]), [1, 1, 1], [1, 0, 1], reduction="none")
        c += ctc_case("the blank last (blank = C - 1)", ctc_log_probs(10, 2, 6), torch.tensor([[0, 4, 4], [2, 1, 0]]),
                      [10, 8], [3, 2], blank=5, reduction="none")
        c += ctc_case("peaked log-probs (logits of scale 40)", ctc_log_probs(10, 2, 6, scale=40.0),
                      torch.tensor([[1, 2, 3], [4, 4, 0]]), [10, 9], [3, 2], reduction="none")
        long = ctc_log_probs(200, 2, 8)
        c += ctc_case("T = 200, S = 60", long, torch.stack([ctc_labels(60, 8), ctc_labels(60, 8)]), [200, 150],
                      [60, 45], reduction="sum")
        return c

    finally:
        gen = saved

# --- distillation: distillKlDiv, jsd, tvd, composed from torch ops (PyTorch has none of them) ---------------------
# p = softmax(teacher / T), q = softmax(student / T); a term whose weight (p or q) is 0 is 0. Liger-Kernel's
# definitions: JSD(β) = β KL(p‖m) + (1 − β) KL(q‖m), m = β p + (1 − β) q, β = 0 and 1 the two KLs; TVD = ½ Σ |p − q|.

def weighted_log_ratio(w, log_w, log_v):
    """w · (log w − log v) where w > 0, else 0."""
    return torch.where(w > 0, w * (log_w - log_v), torch.zeros_like(w))


def distill_terms(s, t, opts):
    """Each element's term; distillKlDiv's times T² (Hinton), jsd's and tvd's not."""
    T = opts["temperature"]
    return outcome_terms(F.log_softmax(s / T, -1), F.log_softmax(t / T, -1), opts, T)


def outcome_terms(lq, lp, opts, T):
    """The terms of the student's log-probabilities lq against the teacher's lp, outcome by outcome."""
    kind, beta = opts["divergence"], opts.get("beta", 0.5)
    q, p = lq.exp(), lp.exp()
    if kind in ("forward", "reverse"):
        return (weighted_log_ratio(p, lp, lq) if kind == "forward" else weighted_log_ratio(q, lq, lp)) * T * T
    if kind == "jsd" and beta in (0.0, 1.0):  # the two KLs themselves, not the mixture's limits (0)
        return weighted_log_ratio(p, lp, lq) if beta == 0.0 else weighted_log_ratio(q, lq, lp)
    if kind == "jsd":
        lm = torch.clamp(beta * p + (1 - beta) * q, min=torch.finfo(lq.dtype).tiny).log()
        return beta * weighted_log_ratio(p, lp, lm) + (1 - beta) * weighted_log_ratio(q, lq, lm)
    return 0.5 * (p - q).abs()


def distill_run(s, t, labels, dtype, opts, grad_output):
    x = s.to(dtype).detach().requires_grad_()
    return reduce_distill(x, distill_terms(x, t.to(dtype), opts), labels, dtype, opts, grad_output)


def reduced_terms(terms, labels, dtype, opts):
    """Rows whose label is ignoreIndex left out; 'mean' over the elements (outcomes) that count, 'batchmean' over the
    rows."""
    rows = terms.shape[:-1]
    kept = torch.ones(rows, dtype=torch.bool) if labels is None else labels.reshape(rows) != opts["ignoreIndex"]
    terms = terms * kept.unsqueeze(-1).to(dtype)
    counted = int(kept.sum())
    reduction = opts["reduction"]
    return {"none": lambda: terms, "sum": lambda: terms.sum(), "mean": lambda: terms.sum() / (counted * terms.shape[-1]),
            "batchmean": lambda: terms.sum() / counted}[reduction]()


def backward(loss, dtype, grad_output):
    loss.backward(torch.tensor(grad_output, dtype=dtype) if loss.dim() == 0 else grad_output.to(dtype))


def reduce_distill(x, terms, labels, dtype, opts, grad_output):
    """The reduced loss, and the gradient of x."""
    loss = reduced_terms(terms, labels, dtype, opts)
    backward(loss, dtype, grad_output)
    return loss, x.grad


def distill_case(name, s, t, labels=None, grad_output=None, **options):
    """One case per dtype: student and teacher logits [..., V], options, the loss and autograd gradient."""
    opts = {"divergence": "forward", "temperature": 1.0, "reduction": "batchmean", "ignoreIndex": -100,
            "teacherLogProbs": False, **options}
    cases = []
    for dtype_name, dtype in DTYPES.items():
        teacher = F.log_softmax(t.to(dtype), -1) if opts["teacherLogProbs"] else t.to(dtype)
        go = grad_output
        if go is None:
            go = 1.0 if opts["reduction"] != "none" else torch.ones(s.shape, dtype=torch.float64)
        loss, grad = distill_run(s, teacher, labels, dtype, opts, go)
        case = {"name": f"{name} [{dtype_name}]", "dtype": dtype_name, "student": enc(s.to(dtype)),
                "teacher": enc(teacher), "options": opts, "loss": enc(loss), "grad": enc(grad),
                "gradOutput": go if isinstance(go, float) else enc(go.to(dtype))}
        if labels is not None:
            case["labels"] = enc(labels)
        if dtype == torch.float32:
            truth_go = go if isinstance(go, float) else go.to(dtype).double()
            truth_loss, truth_grad = distill_run(s.to(dtype).double(), teacher.double(), labels, torch.float64, opts,
                                                 truth_go)
            case["truth"] = {"loss": enc(truth_loss), "grad": enc(truth_grad)}
        cases.append(case)
    return cases


DIVERGENCES = [("forward KL", {"divergence": "forward"}), ("reverse KL", {"divergence": "reverse"}),
               ("JSD beta 0.5", {"divergence": "jsd", "beta": 0.5}), ("JSD beta 0.2", {"divergence": "jsd", "beta": 0.2}),
               ("JSD beta 0", {"divergence": "jsd", "beta": 0.0}), ("JSD beta 1", {"divergence": "jsd", "beta": 1.0}),
               ("TVD", {"divergence": "tvd"})]


def distill_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 27)
    try:
        c = []
        s, t = randn(4, 7, scale=2.0), randn(4, 7, scale=2.0)
        labels = torch.tensor([3, -100, 0, 6])
        for label, d in DIVERGENCES:
            for reduction in ("batchmean", "mean", "sum", "none"):
                c += distill_case(f"{label}, {reduction}", s, t, reduction=reduction, **d)
            c += distill_case(f"{label}, temperature 2, labels with an ignored row", s, t, labels, temperature=2.0, **d)
            c += distill_case(f"{label}, temperature 0.5, teacher log-probabilities", s, t, temperature=0.5,
                              teacherLogProbs=True, **d)
            c += distill_case(f"{label}, none, upstream gradient per element", s, t, reduction="none",
                              grad_output=randn(4, 7), **d)
            c += distill_case(f"{label}, sum, upstream gradient -0.75", s, t, reduction="sum", grad_output=-0.75, **d)
            c += distill_case(f"{label}, [2, 3, 33] (lanes and a tail)", randn(2, 3, 33, scale=3.0),
                              randn(2, 3, 33, scale=3.0), temperature=1.5, **d)
            c += distill_case(f"{label}, V = 1", randn(3, 1), randn(3, 1), **d)
            c += distill_case(f"{label}, V = 2000, peaked teacher", randn(3, 2000, scale=2.0), randn(3, 2000, scale=12.0),
                              temperature=3.0, **d)
            # logits in [90, 100]: exp(x) overflows, exp(x − max) does not
            c += distill_case(f"{label}, logits in [90, 100]", 95 + 5 * torch.tanh(randn(2, 9)),
                              95 + 5 * torch.tanh(randn(2, 9)), **d)
            # a masked vocabulary: teacher logits −inf (p = 0), one also −inf in the student
            masked_t = randn(2, 10, scale=2.0)
            masked_t[:, 7:] = -INF
            masked_s = randn(2, 10, scale=2.0)
            masked_s[:, 9] = -INF
            if d["divergence"] in ("forward", "tvd") or d.get("beta") == 0.0:
                c += distill_case(f"{label}, teacher masked with -inf", masked_s, masked_t, **d)
            # gaps of hundreds of nats: p underflows (0 · log 0 terms) while log p is finite
            c += distill_case(f"{label}, gaps of 300 nats", randn(2, 12, scale=150.0), randn(2, 12, scale=150.0), **d)
        return c
    finally:
        gen = saved


def top_k_student_log_probs(x, ids, tail, T):
    """The student's log-probabilities of a top-k teacher's outcomes: renormalised over the ids, or the ids and the
    bucket of every other token (its log-sum-exp over them, never 1 − Σ q)."""
    a = x / T
    if tail == "renormalize" or ids.shape[-1] == x.shape[-1]:  # no bucket where the ids are the whole vocabulary
        return F.log_softmax(a.gather(-1, ids), -1)
    full = F.log_softmax(a, -1)
    others = torch.ones_like(full, dtype=torch.bool).scatter(-1, ids, False)
    rest = torch.logsumexp(torch.where(others, full, torch.full_like(full, -INF)), -1, keepdim=True)
    return torch.cat([full.gather(-1, ids), rest], -1)


def top_k_teacher_log_probs(lp, tail, T, vocab):
    """The teacher's: its k log-probabilities (and log(1 − Σ p) = log(−expm1(log Σ p))), tempered among themselves."""
    if tail == "bucket" and lp.shape[-1] < vocab:
        lp = torch.cat([lp, torch.log(-torch.expm1(torch.logsumexp(lp, -1, keepdim=True)))], -1)
    return F.log_softmax(lp / T, -1)


def distill_top_k_run(s, ids, lp, labels, dtype, opts, grad_output):
    x = s.to(dtype).detach().requires_grad_()
    T, tail = opts["temperature"], opts["tail"]
    lq, lpt = top_k_student_log_probs(x, ids, tail, T), top_k_teacher_log_probs(lp.to(dtype), tail, T, s.shape[-1])
    terms = outcome_terms(lq, lpt, opts, T)
    return reduce_distill(x, terms, labels, dtype, opts, grad_output)


def distill_top_k_case(name, s, t_logits, k, labels=None, grad_output=None, **options):
    """A teacher given as its top k (ids in the teacher's order of probability), against the student's logits."""
    opts = {"divergence": "forward", "temperature": 1.0, "reduction": "batchmean", "ignoreIndex": -100,
            "tail": "renormalize", **options}
    full = F.log_softmax(t_logits, -1)
    lp, ids = full.topk(k, -1)
    width = k + (1 if opts["tail"] == "bucket" and k < s.shape[-1] else 0)
    cases = []
    for dtype_name, dtype in DTYPES.items():
        go = grad_output
        if go is None:
            go = 1.0 if opts["reduction"] != "none" else torch.ones(*s.shape[:-1], width, dtype=torch.float64)
        loss, grad = distill_top_k_run(s, ids, lp, labels, dtype, opts, go)
        case = {"name": f"{name} [{dtype_name}]", "dtype": dtype_name, "student": enc(s.to(dtype)),
                "teacherTopK": {"indices": enc(ids), "logProbs": enc(lp.to(dtype))}, "options": opts,
                "loss": enc(loss), "grad": enc(grad), "gradOutput": go if isinstance(go, float) else enc(go.to(dtype))}
        if labels is not None:
            case["labels"] = enc(labels)
        if dtype == torch.float32:
            truth_go = go if isinstance(go, float) else go.to(dtype).double()
            truth_loss, truth_grad = distill_top_k_run(s.to(dtype).double(), ids, lp.to(dtype).double(), labels,
                                                       torch.float64, opts, truth_go)
            case["truth"] = {"loss": enc(truth_loss), "grad": enc(truth_grad)}
        cases.append(case)
    return cases


def distill_top_k_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 28)
    try:
        c = []
        s, t = randn(4, 50, scale=2.0), randn(4, 50, scale=3.0)
        labels = torch.tensor([3, -100, 0, 6])
        for label, d in DIVERGENCES:
            for tail in ("renormalize", "bucket"):
                name = f"top-k, {tail}, {label}"
                c += distill_top_k_case(f"{name}, k 8", s, t, 8, tail=tail, **d)
                c += distill_top_k_case(f"{name}, k 5, temperature 2, labels with an ignored row", s, t, 5, labels,
                                        tail=tail, temperature=2.0, **d)
                c += distill_top_k_case(f"{name}, k 3, none, upstream gradient per outcome", s, t, 3, tail=tail,
                                        reduction="none", grad_output=randn(4, 3 + (tail == "bucket")), **d)
                c += distill_top_k_case(f"{name}, k 6, mean", s, t, 6, tail=tail, reduction="mean", **d)
                c += distill_top_k_case(f"{name}, k = V", randn(2, 9), randn(2, 9), 9, tail=tail, **d)
        return c
    finally:
        gen = saved


def distill_hard_soft_run(s, t, labels, dtype, opts, grad_output):
    """weightHard · F.cross_entropy(student, labels) + weightSoft · the divergence (Liger's distillation base, with
    the divergence's mean over the counted rows, or their elements for 'mean')."""
    x = s.to(dtype).detach().requires_grad_()
    terms = distill_terms(x, t.to(dtype), opts)
    kept = labels != opts["ignoreIndex"]
    terms = terms * kept.unsqueeze(-1).to(dtype)
    counted, reduction = int(kept.sum()), opts["reduction"]
    soft = {"sum": terms.sum(), "mean": terms.sum() / (counted * terms.shape[-1]), "batchmean": terms.sum() / counted}
    hard = F.cross_entropy(x, labels, ignore_index=opts["ignoreIndex"], reduction="sum" if reduction == "sum" else "mean")
    loss = opts["weightHard"] * hard + opts["weightSoft"] * soft[reduction]
    loss.backward(torch.tensor(grad_output, dtype=dtype))
    return loss, x.grad


def distill_hard_soft_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 29)
    try:
        c = []
        s, t = randn(5, 11, scale=2.0), randn(5, 11, scale=2.0)
        labels = torch.tensor([3, -100, 0, 10, 7])
        for label, d in DIVERGENCES:
            for reduction, T, go in (("batchmean", 1.0, 1.0), ("mean", 2.0, 1.0), ("sum", 0.5, -0.5)):
                opts = {"divergence": "forward", "temperature": T, "reduction": reduction, "ignoreIndex": -100,
                        "weightHard": 0.7, "weightSoft": 0.4, **d}
                for dtype_name, dtype in DTYPES.items():
                    loss, grad = distill_hard_soft_run(s, t, labels, dtype, opts, go)
                    case = {"name": f"hard + soft, {label}, {reduction}, temperature {T} [{dtype_name}]",
                            "dtype": dtype_name, "student": enc(s.to(dtype)), "teacher": enc(t.to(dtype)),
                            "labels": enc(labels), "options": opts, "loss": enc(loss), "grad": enc(grad),
                            "gradOutput": go}
                    if dtype == torch.float32:
                        truth_loss, truth_grad = distill_hard_soft_run(s.to(dtype).double(), t.to(dtype).double(),
                                                                       labels, torch.float64, opts, go)
                        case["truth"] = {"loss": enc(truth_loss), "grad": enc(truth_grad)}
                    c.append(case)
        return c
    finally:
        gen = saved


# --- fused distillation: the student's logits F.linear(x, w, b) against a teacher's logits, top k or own head ------

def linear_distill_run(x, w, b, teacher, labels, dtype, opts, grad_output):
    """The loss and the gradients of x, w and b, by autograd through F.linear and the divergence's composition (and
    weightHard · F.cross_entropy beside it)."""
    x, w = x.to(dtype).detach().requires_grad_(), w.to(dtype).detach().requires_grad_()
    b = None if b is None else b.to(dtype).detach().requires_grad_()
    logits = F.linear(x, w, b)
    T = opts["temperature"]
    if "indices" in teacher:
        ids, tail = teacher["indices"].long(), opts["tail"]
        lq = top_k_student_log_probs(logits, ids, tail, T)
        terms = outcome_terms(lq, top_k_teacher_log_probs(teacher["logProbs"].to(dtype), tail, T, w.shape[0]), opts, T)
    else:
        t = teacher["logits"].to(dtype) if "logits" in teacher else F.linear(
            teacher["input"].to(dtype), teacher["linearWeight"].to(dtype),
            None if teacher.get("linearBias") is None else teacher["linearBias"].to(dtype))
        terms = distill_terms(logits, t, opts)
    loss = opts.get("weightSoft", 1.0) * reduced_terms(terms, labels, dtype, opts)
    if opts.get("weightHard", 0.0):
        hard = F.cross_entropy(logits.reshape(-1, w.shape[0]), labels.reshape(-1), ignore_index=opts["ignoreIndex"],
                               reduction="sum" if opts["reduction"] == "sum" else "mean")
        loss = opts["weightHard"] * hard + loss
    backward(loss, dtype, grad_output)
    return loss, x.grad, w.grad, None if b is None else b.grad


def linear_distill_case(name, x, w, teacher, b=None, labels=None, grad_output=None, **options):
    """One case per dtype: the student's hidden states and head, the teacher, options, the loss and the gradients."""
    opts = {"divergence": "forward", "temperature": 1.0, "reduction": "batchmean", "ignoreIndex": -100, **options}
    if "indices" in teacher:
        opts.setdefault("tail", "renormalize")
    k = teacher["indices"].shape[-1] if "indices" in teacher else w.shape[0]
    width = k + (1 if opts.get("tail") == "bucket" and k < w.shape[0] else 0)
    cases = []
    for dtype_name, dtype in DTYPES.items():
        go = grad_output
        if go is None:
            go = 1.0 if opts["reduction"] != "none" else torch.ones(*x.shape[:-1], width, dtype=torch.float64)
        go = go if isinstance(go, float) else go.to(dtype)
        at = lambda v, d=dtype: v if v is None or v.dtype == torch.int64 else v.to(d)
        results = linear_distill_run(x, w, b, teacher, labels, dtype, opts, go)
        case = {"name": f"{name} [{dtype_name}]", "dtype": dtype_name, "input": enc(at(x)), "linearWeight": enc(at(w)),
                "teacher": {key: enc(at(v)) for key, v in teacher.items() if v is not None}, "options": opts,
                "gradOutput": go if isinstance(go, float) else enc(go)}
        if b is not None:
            case["linearBias"] = enc(at(b))
        if labels is not None:
            case["labels"] = enc(labels)
        names = ("loss", "gradInput", "gradWeight", "gradBias")
        case.update({key: enc(v) for key, v in zip(names, results) if v is not None})
        if dtype == torch.float32:
            r64 = lambda v: v if v is None or v.dtype == torch.int64 else v.to(dtype).double()
            truth = linear_distill_run(r64(x), r64(w), r64(b), {key: r64(v) for key, v in teacher.items()}, labels,
                                       torch.float64, opts, go if isinstance(go, float) else go.double())
            case["truth"] = {key: enc(v) for key, v in zip(names, truth) if v is not None}
        cases.append(case)
    return cases


def linear_distill_cases():
    global gen
    saved, gen = gen, torch.Generator().manual_seed(SEED + 30)
    try:
        c = []
        x, w, b = randn(6, 9), randn(37, 9, scale=0.7), randn(37)
        tx, tw, tb = randn(6, 5), randn(37, 5, scale=1.5), randn(37)
        t_logits = F.linear(tx, tw, tb)
        lp, ids = F.log_softmax(t_logits, -1).topk(5, -1)
        labels = torch.tensor([3, -100, 0, 36, 7, 20])
        logits = {"logits": t_logits}
        head = {"input": tx, "linearWeight": tw, "linearBias": tb}
        top = {"indices": ids, "logProbs": lp}
        for label, d in DIVERGENCES:
            if label in ("JSD beta 0", "JSD beta 1"):
                continue
            c += linear_distill_case(f"fused {label}, teacher logits, bias, temperature 2", x, w, logits, b,
                                     temperature=2.0, **d)
            c += linear_distill_case(f"fused {label}, teacher head, sum, upstream -0.5", x, w, head, b,
                                     reduction="sum", grad_output=-0.5, **d)
            c += linear_distill_case(f"fused {label}, teacher head without bias, labels with an ignored row, "
                                     "temperature 0.5", x, w, {**head, "linearBias": None}, labels=labels,
                                     temperature=0.5, **d)
            c += linear_distill_case(f"fused {label}, teacher logits, none, upstream per element", x, w, logits, b,
                                     reduction="none", grad_output=randn(6, 37), **d)
            c += linear_distill_case(f"fused {label}, top 5, bucket, mean", x, w, top, b, reduction="mean",
                                     tail="bucket", **d)
            c += linear_distill_case(f"fused {label}, top 5, renormalize, none, upstream per outcome", x, w, top,
                                     reduction="none", grad_output=randn(6, 5), **d)
            c += linear_distill_case(f"fused {label}, hard + soft, teacher head", x, w, head, b, labels=labels,
                                     temperature=2.0, weightHard=0.6, weightSoft=0.5, **d)
        c += linear_distill_case("fused forward KL, [2, 3, 9] hidden states, teacher head", x.reshape(2, 3, 9), w,
                                 {**head, "input": tx.reshape(2, 3, 5)}, b, temperature=1.5)
        return c
    finally:
        gen = saved


def write(name, cases, **shared):
    path = os.path.join(HERE, f"{name}.json")
    with open(path, "w") as f:
        json.dump({"generator": "test/golden/generate.py", "torch": torch.__version__, "seed": SEED,
                   **shared, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"test/golden/{name}.json: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    write("cross_entropy", cross_entropy_cases())
    write("softmax", dim_cases("softmax", lambda x, d: torch.softmax(x, d)))
    write("log_softmax", dim_cases("log_softmax", lambda x, d: torch.log_softmax(x, d)))
    write("logsumexp", dim_cases("logsumexp", lambda x, d, keepdim: torch.logsumexp(x, d, keepdim=keepdim), True))
    write("nll_loss", nll_loss_cases())
    write("binary_cross_entropy", bce_cases())
    write("binary_cross_entropy_with_logits", bce_logits_cases())
    write("kl_div", kl_div_cases())
    write("mse_loss", mse_cases())
    write("entropy", entropy_cases())
    write("sigmoid", plain_cases("sigmoid", torch.sigmoid, sigmoid_inputs(), {}) + plain_cases("sigmoid (3, 5)", torch.sigmoid, randn(3, 5, scale=5.0), {}))
    write("log_sigmoid", plain_cases("logsigmoid", F.logsigmoid, sigmoid_inputs(), {}) + plain_cases("logsigmoid (3, 5)", F.logsigmoid, randn(3, 5, scale=5.0), {}))
    write("sigmoid_focal_loss", sigmoid_focal_cases())
    scoring, scoring_logits = scoring_cases()
    write("scoring", scoring, logits=scoring_logits)
    write("cross_entropy_lm", cross_entropy_lm_cases())
    write("linear_cross_entropy", linear_cross_entropy_cases())
    for name, cases in regression_files().items():
        write(name, cases)
    write("linear_scoring", linear_scoring_cases())
    write("ctc_loss", ctc_loss_cases())
    write("distill", distill_cases() + distill_top_k_cases() + distill_hard_soft_cases())
    write("linear_distill", linear_distill_cases())
