"""Two small causal language models for the tests of xentropy/onnxruntime, exported to ONNX the way optimum exports
causal LMs (inputs input_ids and attention_mask, output logits [batch_size, sequence_length, V]):
  tiny-lm.onnx       an output layer of its own, with a bias (MatMul, then Add);
  tiny-lm-tied.onnx  the output layer tied to the token embedding, read through a Transpose of its initializer;
  tiny-lm-gemm.onnx  one sequence without a batch dim ([T] in, [T, V] out): the output layer is a Gemm.
Each: 2 pre-norm transformer blocks, d 32, 4 heads, V 300, random weights (seed 0). Debian's python3-torch 1.13:
  /usr/bin/python3 scripts/make-tiny-lm.py   (writes test/models/)
"""
import math
import os

import torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "models")
V, D, HEADS, LAYERS, POSITIONS = 300, 32, 4, 2, 64


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.qkv, self.out = torch.nn.Linear(D, 3 * D), torch.nn.Linear(D, D)
        self.up, self.down = torch.nn.Linear(D, 4 * D), torch.nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, t, _ = x.shape
        q, k, v = (h.view(b, t, HEADS, -1).transpose(1, 2) for h in self.qkv(self.ln1(x)).split(D, -1))
        attention = ((q @ k.transpose(-1, -2)) / math.sqrt(D // HEADS) + mask).softmax(-1)
        x = x + self.out((attention @ v).transpose(1, 2).reshape(b, t, D))
        return x + self.down(torch.nn.functional.gelu(self.up(self.ln2(x))))


class TinyLM(torch.nn.Module):
    def __init__(self, tied):
        super().__init__()
        self.embed, self.position = torch.nn.Embedding(V, D), torch.nn.Embedding(POSITIONS, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = torch.nn.LayerNorm(D)
        self.head = torch.nn.Linear(D, V, bias=not tied)
        if tied:
            self.head.weight = self.embed.weight

    def forward(self, input_ids, attention_mask):
        return self.head(self.hidden(input_ids, attention_mask))

    def hidden(self, input_ids, attention_mask):
        t = input_ids.shape[1]
        x = self.embed(input_ids) + self.position(torch.arange(t)[None])
        mask = torch.triu(torch.full((t, t), -1e9), 1)[None, None]
        mask = mask + (1.0 - attention_mask[:, None, None, :].float()) * -1e9
        for block in self.blocks:
            x = block(x, mask)
        return self.norm(x)


class OneSequence(TinyLM):
    def forward(self, input_ids, attention_mask):
        return self.head(self.hidden(input_ids[None], attention_mask[None])[0])


def export(tied, one_sequence=False):
    torch.manual_seed(0)
    model = (OneSequence(tied) if one_sequence else TinyLM(tied)).eval()
    ids, mask = torch.randint(0, V, (1, 7)), torch.ones(1, 7, dtype=torch.long)
    axes = {0: "batch_size", 1: "sequence_length"}
    if one_sequence:
        ids, mask, axes = ids[0], mask[0], {0: "sequence_length"}
    name = "tiny-lm-gemm" if one_sequence else "tiny-lm-tied" if tied else "tiny-lm"
    path = os.path.join(HERE, f"{name}.onnx")
    # the tied model unfolded, so that its head reads the embedding's initializer through a Transpose
    torch.onnx.export(model, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes}, opset_version=14,
                      do_constant_folding=not tied)
    print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    export(False)
    export(True)
    export(False, one_sequence=True)
