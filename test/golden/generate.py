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


def write(name, cases):
    path = os.path.join(HERE, f"{name}.json")
    with open(path, "w") as f:
        json.dump({"generator": "test/golden/generate.py", "torch": torch.__version__, "seed": SEED,
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"test/golden/{name}.json: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    write("cross_entropy", cross_entropy_cases())
    write("softmax", dim_cases("softmax", lambda x, d: torch.softmax(x, d)))
    write("log_softmax", dim_cases("log_softmax", lambda x, d: torch.log_softmax(x, d)))
    write("logsumexp", dim_cases("logsumexp", lambda x, d, keepdim: torch.logsumexp(x, d, keepdim=keepdim), True))
