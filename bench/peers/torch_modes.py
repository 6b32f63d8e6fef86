"""The PyTorch peers' timing: each mode called for at least MIN_MS a round, ROUNDS rounds, after a warm-up whose
value the caller checks. Printed as JSON: {mode: {"loss": value, "ms": [ms per call, each round]}}."""
import json
import time


def time_once(fn, min_ms):
    reps, start = 0, time.perf_counter()
    while True:
        fn()
        reps += 1
        elapsed = (time.perf_counter() - start) * 1000
        if elapsed >= min_ms:
            return elapsed / reps


def print_modes(modes, rounds, min_ms):
    result = {}
    for mode, fn in modes:
        loss = fn()  # warm-up, and the value the caller checks
        result[mode] = {"loss": loss, "ms": [time_once(fn, min_ms) for _ in range(rounds)]}
    print(json.dumps(result))
