#!/usr/bin/env python3
"""Golden case for the classifier's batch norm (ModelConfiguration.classifierBatchNorm), from PyTorch.

Run by hand (CI has no PyTorch); the output is committed as Tests/AttributionTests/Golden/classifier-bn.safetensors:

    /tmp/venv/bin/python scripts/golden-classifier-bn.py

The classifier of xcnn with nn.BatchNorm2d(eps=1e-5, momentum=0.01) between every 3×3 convolution and its ReLU
(PyTorch's momentum 0.01 is Keras' 0.99, xcnn's --bn-momentum), E = 1 (phase 1), dropout 0, written
standalone so the case states every op: per stage conv1 → BN → ReLU → conv2 → BN → ReLU → max pool 2×2; global
max pool; fc1 → sigmoid; fc2 → sigmoid; out; cross-entropy, mean over the batch. Computed in float64 from
float32-rounded parameters and images; stored float32.

Tensors (PyTorch names as xcnn's checkpoints use them):
  <parameter>                 every classifier parameter, conv weights Glorot-uniform with gain √2, dense ×4,
                              biases ±0.1, BN γ in 1 ± 0.3, β ±0.2
  <buffer>                    classifier.stageK.convJ.bn.running_mean / running_var before the step (means ±0.2,
                              variances in [0.5, 1.5])
  input [N, 3, S, S]          uniform [0, 1); labels [N] (class as float)
  train/logits [N, K], train/loss [1]      training mode (batch statistics)
  train/grad/<parameter>      d(loss)/d(parameter) of that forward
  train/batch_mean/<layer>, train/batch_var/<layer>   [C] biased batch statistics (<layer> = classifier.stageK.convJ)
  train/<buffer>              running statistics after the step (PyTorch's rule: unbiased variance)
  eval/logits [N, K], eval/loss [1]        inference mode (the running statistics before the step)
  eval/grad/<parameter>       d(loss)/d(parameter) in inference mode (xcnn's frozen batch norm, phases 2 and 3)
"""
import json
import math
import os
import sys

import numpy as np
import safetensors.torch
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Tests", "AttributionTests", "Golden", "classifier-bn.safetensors")
CONFIG = {"side": 32, "width": 3, "classes": 3, "hidden": 8, "images": 4, "epsilon": 1e-5, "momentum": 0.01}


def parameters(g):
    """xcnn's classifier layout, in its order; values as the docstring says, rounded to float32."""
    w, hidden, classes = CONFIG["width"], CONFIG["hidden"], CONFIG["classes"]
    p, buffers = {}, {}

    def uniform(shape, limit):
        return ((torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * limit).float().double()

    cin = 3
    for stage in range(1, 5):
        cout = w << (stage - 1)
        for conv in ("conv1", "conv2"):
            name = f"classifier.stage{stage}.{conv}"
            limit = math.sqrt(6 / ((cin + cout) * 9)) * math.sqrt(2)
            p[name + ".weight"] = uniform((cout, cin, 3, 3), limit)
            p[name + ".bias"] = uniform((cout,), 0.1)
            p[name + ".bn.weight"] = 1 + uniform((cout,), 0.3)
            p[name + ".bn.bias"] = uniform((cout,), 0.2)
            buffers[name + ".bn.running_mean"] = uniform((cout,), 0.2)
            buffers[name + ".bn.running_var"] = 1 + uniform((cout,), 0.5)
            cin = cout
    for name, fan_in, fan_out in (("fc1", cin, hidden), ("fc2", hidden, hidden), ("out", hidden, classes)):
        limit = math.sqrt(6 / (fan_in + fan_out)) * 4
        p[f"classifier.{name}.weight"] = uniform((fan_out, fan_in), limit)
        p[f"classifier.{name}.bias"] = uniform((fan_out,), 0.1)
    return p, buffers


def forward(p, buffers, x, training, record=None):
    h = x
    for stage in range(1, 5):
        for conv in ("conv1", "conv2"):
            name = f"classifier.stage{stage}.{conv}"
            z = F.conv2d(h, p[name + ".weight"], p[name + ".bias"], padding=1)
            if training and record is not None:
                record[f"train/batch_mean/{name}"] = z.mean(dim=(0, 2, 3)).detach()
                record[f"train/batch_var/{name}"] = z.var(dim=(0, 2, 3), unbiased=False).detach()
            h = F.relu(
                F.batch_norm(
                    z, buffers[name + ".bn.running_mean"], buffers[name + ".bn.running_var"],
                    p[name + ".bn.weight"], p[name + ".bn.bias"], training=training,
                    momentum=CONFIG["momentum"], eps=CONFIG["epsilon"]))
        h = F.max_pool2d(h, 2)
    h = F.max_pool2d(h, h.shape[-2:]).flatten(1)
    h = torch.sigmoid(F.linear(h, p["classifier.fc1.weight"], p["classifier.fc1.bias"]))
    h = torch.sigmoid(F.linear(h, p["classifier.fc2.weight"], p["classifier.fc2.bias"]))
    return F.linear(h, p["classifier.out.weight"], p["classifier.out.bias"])


def main():
    g = torch.Generator().manual_seed(20261129)
    p, buffers = parameters(g)
    n, s = CONFIG["images"], CONFIG["side"]
    x = torch.rand((n, 3, s, s), generator=g, dtype=torch.float64).float().double()
    labels = torch.tensor([0, 2, 1, 2])
    out = {name: t for name, t in p.items()}
    out.update({name: t.clone() for name, t in buffers.items()})
    out["input"] = x
    out["labels"] = labels.double()
    for mode in ("train", "eval"):
        leaves = {name: t.clone().requires_grad_(True) for name, t in p.items()}
        running = {name: t.clone() for name, t in buffers.items()}
        record = {}
        logits = forward(leaves, running, x, mode == "train", record)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        out[f"{mode}/logits"] = logits.detach()
        out[f"{mode}/loss"] = loss.detach().reshape(1)
        out.update({f"{mode}/grad/{name}": t.grad for name, t in leaves.items()})
        out.update(record)
        if mode == "train":
            out.update({f"train/{name}": t for name, t in running.items()})
    tensors = {name: t.detach().float().contiguous() for name, t in out.items()}
    metadata = {
        "config": json.dumps(CONFIG),
        "versions": json.dumps({"torch": torch.__version__, "numpy": np.__version__}),
        "command": " ".join(["python"] + sys.argv),
    }
    safetensors.torch.save_file(tensors, OUT, metadata=metadata)
    print(f"wrote {OUT}: {len(tensors)} tensors")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    main()
