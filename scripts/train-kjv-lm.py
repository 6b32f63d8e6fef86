"""Trains the demo's small causal language model on the King James Bible and exports it to ONNX.

The text is Debian's bible-kjv-text (public domain; read with its `bible` program), one verse a line. Every 20th
chapter is held out. The tokenizer is a byte-level BPE with V = 4096 learned here, so any text encodes; the model is
a pre-norm transformer (4 blocks, d 128, 4 heads, context 128) whose head is tied to its token embedding.
It is exported the way optimum exports causal LMs: inputs input_ids and attention_mask [batch_size, sequence_length],
output logits [batch_size, sequence_length, V].

    apt-get install -y python3-torch bible-kjv-text libopenblas0-pthread   (reference BLAS is 5x slower)
    /usr/bin/python3 scripts/train-kjv-lm.py [--steps 1200]   (about 25 minutes on two cores with OpenBLAS)

Writes demo/public/lm/: kjv-lm.onnx, kjv-lm.json (the tokenizer, the held-out cross-entropy, how it was trained)
and test/fixtures/kjv-tokens.json (sentences and their token ids, for the JavaScript tokenizer's test).
"""
import argparse
import collections
import heapq
import json
import math
import os
import re
import subprocess
import time

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "demo", "public", "lm")
V, D, HEADS, LAYERS, CONTEXT, MLP = 4096, 128, 4, 4, 128, 3
HELD_OUT_EVERY = 20
# The pre-tokenizer, written out the same in the JavaScript tokenizer: a word, a number or a run of other
# characters, each with the space before it; whitespace runs keep their last space for the next piece.
WHITE = " \\t\\n\\r\\f\\v"
PIECE = re.compile(f" ?[A-Za-z]+| ?[0-9]+| ?[^{WHITE}A-Za-z0-9]+|[{WHITE}]+(?![^{WHITE}])|[{WHITE}]+")


# --- the text -------------------------------------------------------------------------------------------------------

def chapters():
    """The Bible as a list of chapters, each a list of verses (strings)."""
    raw = subprocess.run(["bible", "-l1000000", "gen1:1-rev22:21"], capture_output=True, text=True, check=True)
    result = []
    for line in raw.stdout.splitlines():
        verse = re.match(r"^\s+\d+ (.*)$", line)
        if verse:
            result[-1].append(verse.group(1).strip())
        elif line.strip():
            result.append([])
    return [c for c in result if c]


# --- the tokenizer --------------------------------------------------------------------------------------------------

def train_bpe(text, merges_wanted):
    """Byte-level BPE merges [(a, b)], most frequent pair first (ties: the smaller pair), over the text's pieces."""
    counts = collections.Counter(PIECE.findall(text))
    words = [list(w.encode()) for w in counts]
    weight = list(counts.values())
    pairs, where = collections.Counter(), collections.defaultdict(set)
    for i, w in enumerate(words):
        for p in zip(w, w[1:]):
            pairs[p] += weight[i]
            where[p].add(i)
    heap = [(-n, p) for p, n in pairs.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < merges_wanted and heap:
        n, p = heapq.heappop(heap)
        if pairs.get(p, 0) != -n or n == 0:
            continue
        new = 256 + len(merges)
        merges.append(p)
        for i in list(where[p]):
            w = words[i]
            for q in zip(w, w[1:]):
                pairs[q] -= weight[i]
            merged = merge(w, p, new)
            words[i] = merged
            changed = set(zip(w, w[1:])) | set(zip(merged, merged[1:]))
            for q in zip(merged, merged[1:]):
                pairs[q] += weight[i]
                where[q].add(i)
            for q in changed:
                heapq.heappush(heap, (-pairs[q], q))
        del pairs[p]
    return merges


def merge(ids, pair, new):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def encoder(merges):
    rank = {p: r for r, p in enumerate(merges)}

    def encode(text):
        ids = []
        for piece in PIECE.findall(text):
            w = list(piece.encode())
            while len(w) > 1:
                best = min(zip(w, w[1:]), key=lambda q: rank.get(q, math.inf))
                if best not in rank:
                    break
                w = merge(w, best, 256 + rank[best])
            ids.extend(w)
        return ids

    return encode


# --- the model ------------------------------------------------------------------------------------------------------

class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.qkv, self.proj = torch.nn.Linear(D, 3 * D), torch.nn.Linear(D, D)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(D, MLP * D), torch.nn.GELU(), torch.nn.Linear(MLP * D, D))

    def forward(self, x, bias):
        b, t, _ = x.shape
        heads = self.qkv(self.norm1(x)).view(b, t, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        q, k, v = heads[0], heads[1], heads[2]
        weights = torch.softmax(q @ k.transpose(-1, -2) * (D // HEADS) ** -0.5 + bias, -1)
        x = x + self.proj((weights @ v).transpose(1, 2).reshape(b, t, D))
        return x + self.mlp(self.norm2(x))


class KjvLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.position = torch.nn.Embedding(V, D), torch.nn.Embedding(CONTEXT, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = torch.nn.LayerNorm(D)
        self.head = torch.nn.Linear(D, V, bias=False)
        self.head.weight = self.embed.weight
        for name, p in self.named_parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02 / math.sqrt(2 * LAYERS) if name.endswith(("proj.weight", "2.weight"))
                                      else 0.02)

    def forward(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        x = self.embed(input_ids) + self.position(torch.arange(t)[None])
        causal = torch.triu(torch.full((t, t), -1e9), 1)[None, None]
        bias = causal + (1.0 - attention_mask[:, None, None, :].float()) * -1e9
        for block in self.blocks:
            x = block(x, bias)
        return self.head(self.norm(x))


# --- training -------------------------------------------------------------------------------------------------------

def windows(stream, starts):
    x = torch.stack([stream[s:s + CONTEXT] for s in starts])
    y = torch.stack([stream[s + 1:s + CONTEXT + 1] for s in starts])
    return x, y


def held_out_loss(model, stream):
    """Total nats over the held-out stream in windows of CONTEXT (each token predicted from its window), and count."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        starts = list(range(0, len(stream) - CONTEXT - 1, CONTEXT))
        for i in range(0, len(starts), 64):
            x, y = windows(stream, starts[i:i + 64])
            logits = model(x, torch.ones_like(x)).double()
            total += torch.nn.functional.cross_entropy(logits.view(-1, V), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    model.train()
    return total, count, starts


def train(model, stream, steps, batch=32, peak=2e-3):
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak, betas=(0.9, 0.95), weight_decay=0.1)
    begin = time.time()
    for step in range(1, steps + 1):
        lr = peak * min(1.0, step / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = windows(stream, torch.randint(0, len(stream) - CONTEXT - 1, (batch,)).tolist())
        loss = torch.nn.functional.cross_entropy(model(x, torch.ones_like(x)).view(-1, V), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0:
            minutes = (time.time() - begin) / 60
            print(f"step {step}  {minutes:5.1f} min  lr {lr:.2e}  loss {loss.item():.3f}", flush=True)
    return time.time() - begin


def export(model, path):
    model.eval()
    ids = torch.randint(0, V, (1, 7))
    axes = {0: "batch_size", 1: "sequence_length"}
    # not constant-folded, so that the tied head reads the embedding's initializer through a Transpose (one copy)
    torch.onnx.export(model, (ids, torch.ones_like(ids)), path, input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes},
                      opset_version=14, do_constant_folding=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1200)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    book = chapters()
    train_text = "\n" + "\n".join(v for i, c in enumerate(book) if i % HELD_OUT_EVERY for v in c) + "\n"
    held_text = "\n" + "\n".join(v for i, c in enumerate(book) if i % HELD_OUT_EVERY == 0 for v in c) + "\n"
    start = time.time()
    merges = train_bpe(train_text, V - 256)
    print(f"{len(merges)} merges in {time.time() - start:.0f} s", flush=True)
    encode = encoder(merges)
    train_stream, held_stream = torch.tensor(encode(train_text)), torch.tensor(encode(held_text))
    print(f"tokens: train {len(train_stream)}, held out {len(held_stream)}", flush=True)
    model = KjvLM()
    seconds = train(model, train_stream, args.steps)
    nats, count, starts = held_out_loss(model, held_stream)
    chars = sum(len(bytes_of(held_stream[s + 1:s + CONTEXT + 1].tolist(), merges)) for s in starts)
    held_out = {"tokens": count, "characters": chars, "natsPerToken": nats / count,
                "bitsPerToken": nats / count / math.log(2), "bitsPerCharacter": nats / chars / math.log(2)}
    print(json.dumps(held_out), flush=True)
    os.makedirs(OUT, exist_ok=True)
    export(model, os.path.join(OUT, "kjv-lm.onnx"))
    params = sum(p.numel() for p in model.parameters())
    card = {"vocabulary": V, "merges": merges, "pieces": PIECE.pattern, "context": CONTEXT, "heldOut": held_out,
            "training": {"text": "King James Bible (Debian bible-kjv-text), one verse a line",
                         "heldOutChapters": f"every {HELD_OUT_EVERY}th", "trainTokens": len(train_stream),
                         "steps": args.steps, "batch": 32, "minutes": round(seconds / 60, 1), "parameters": params,
                         "layers": LAYERS, "d": D, "heads": HEADS, "torch": torch.__version__}}
    with open(os.path.join(OUT, "kjv-lm.json"), "w") as f:
        json.dump(card, f, separators=(",", ":"))
    write_token_fixture(encode)


def bytes_of(ids, merges):
    parts = {i: bytes([i]) for i in range(256)}
    for r, (a, b) in enumerate(merges):
        parts[256 + r] = parts[a] + parts[b]
    return b"".join(parts[i] for i in ids)


def write_token_fixture(encode):
    sentences = ["In the beginning God created the heaven and the earth.",
                 "And God said, Let there be light: and there was light.",
                 "The quick brown fox jumps over the lazy dog in 1611!",
                 "  two  spaces,\ttabs\nand newlines \n\n end ",
                 "Übermäßig naïve café — 東京 🙂 déjà vu",
                 "", "a", " ", "12345678901234567890", "!!!???...,,,;;;"]
    path = os.path.join(ROOT, "test", "fixtures", "kjv-tokens.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump([{"text": s, "ids": encode(s)} for s in sentences], f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
