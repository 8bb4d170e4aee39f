#!/usr/bin/env python3
"""An experiment, not a test: the classifier alone (phase 1) in PyTorch, on a set `xcnn generate` wrote,
to try levers against its plateau faster than a Swift build per lever (issue 9 §6; docs/explanations.md,
"Session 11").

The model is ../shared/golden/model_exact.py's Classifier (the golden model of xcnn's training step) with
E = 1: four stages of two 3×3 conv + ReLU and a 2×2 max pool, a global max pool, two dense layers of 128
with sigmoid and dropout 0.3, the logits; Keras' Glorot-uniform initialisation and zero biases. Training:
Adam, cross-entropy, batches drawn with replacement from ImageSets/Main/train.txt, one "epoch" = 25
steps, validation accuracy on val.txt after each. "learned" is the first epoch at ≥ 0.95.

Levers (each off by default, so the defaults are the paper's classifier):
  --centre C       subtract C from every input value (1.0: the white background becomes 0)
  --scale K        then multiply by K
  --init he        He-uniform conv kernels instead of Glorot
  --hidden-activation relu   ReLU instead of sigmoid in the dense head
  --pooled-norm ln|bn        LayerNorm / BatchNorm1d on the 8w pooled features
  --conv-norm bn             BatchNorm2d between every conv and its ReLU (VGG-BN's form)
  --conv-lr R      the conv stages' learning rate (the dense head keeps --lr)
  --clip G         clip the gradient's global L2 norm to G
  --lr, --batch, --steps, --dropout

Run:
  xcnn generate --preset small-colour-64 --seed 1 --output /tmp/sc64
  /tmp/venv/bin/python scripts/probe-phase1.py --data /tmp/sc64 --seeds 1,2,3,4,5 --centre 1 --diagnose
Prints one line per seed (the validation accuracy per epoch) and, with --diagnose, at steps 25, 100 and
the last: the pooled features' mean and their spread over images, the share of stage-4 channels that
never fire (dead ReLUs) and the share of saturated fc1 pre-activations (|z| > 4).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "golden"))
import model_exact  # noqa: E402  (../shared/golden beside the repository)


def arguments():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="a folder written by xcnn generate")
    p.add_argument("--target", default="triangle", help="the class whose presence makes an image positive")
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--batch", type=int, default=16, help="images per step (xcnn's 2 ranks × 8)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--conv-lr", type=float, default=None, help="learning rate of the conv stages (default: --lr)")
    p.add_argument("--clip", type=float, default=0.0, help="clip the gradient's global L2 norm to this (0: off)")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--centre", type=float, default=0.0)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--init", choices=["glorot", "he"], default="glorot")
    p.add_argument("--hidden-activation", choices=["sigmoid", "relu"], default="sigmoid")
    p.add_argument("--pooled-norm", choices=["none", "ln", "bn"], default="none")
    p.add_argument("--conv-norm", choices=["none", "bn"], default="none")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--diagnose", action="store_true")
    return p.parse_args()


def load(root, target, listing, centre, scale):
    ids = [line.split()[0] for line in open(os.path.join(root, "ImageSets", "Main", listing))]
    positives = {
        f[0] for f in (line.split() for line in open(os.path.join(root, "ImageSets", "Main", f"{target}_trainval.txt")))
        if f[1] == "1"
    }
    images = [
        np.asarray(Image.open(os.path.join(root, "JPEGImages", f"{i}.png")).convert("RGB"), np.float32).transpose(2, 0, 1)
        / 255
        for i in ids
    ]
    x = (torch.tensor(np.stack(images)) - centre) * scale
    return x, torch.tensor([1 if i in positives else 0 for i in ids])


class ProbeClassifier(model_exact.Classifier):
    """The golden classifier with E = 1 and the probe's levers; records what --diagnose prints."""

    def __init__(self, args):
        super().__init__(dropout=args.dropout)
        self.args = args
        self.pooled_bn = nn.BatchNorm1d(self.fc1.in_features)
        self.conv_bn = nn.ModuleList(
            nn.BatchNorm2d(conv.out_channels) for stage in self.stages() for conv in (stage.conv1, stage.conv2)
        )

    def forward(self, x, e=None, acts=None):
        h = x
        for k, stage in enumerate(self.stages()):
            if self.args.conv_norm == "bn":
                h = F.relu(self.conv_bn[2 * k](stage.conv1(h)))
                h = F.relu(self.conv_bn[2 * k + 1](stage.conv2(h)))
            else:
                h = stage(h)
            h = F.max_pool2d(h, 2)
        if acts is not None:
            acts["stage4"] = h
        h = F.max_pool2d(h, h.shape[-2:]).flatten(1)
        if acts is not None:
            acts["pooled"] = h
        if self.args.pooled_norm == "ln":
            h = F.layer_norm(h, h.shape[1:])
        elif self.args.pooled_norm == "bn":
            h = self.pooled_bn(h)
        activation = torch.sigmoid if self.args.hidden_activation == "sigmoid" else F.relu
        z1 = self.fc1(h)
        if acts is not None:
            acts["z1"] = z1
        h = self._drop(activation(z1))
        h = self._drop(activation(self.fc2(h)))
        return self.out(h)


def main():
    args = arguments()
    torch.set_num_threads(args.threads)
    xt, yt = load(args.data, args.target, "train.txt", args.centre, args.scale)
    xv, yv = load(args.data, args.target, "val.txt", args.centre, args.scale)
    for seed in (int(s) for s in args.seeds.split(",")):
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        model = ProbeClassifier(args)
        model_exact.keras_init(model, generator)
        if args.init == "he":
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, nn.Conv2d):
                        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu", generator=generator)
        convs = [p for n, p in model.named_parameters() if n.startswith("stage")]
        head = [p for n, p in model.named_parameters() if not n.startswith("stage")]
        conv_lr = args.lr if args.conv_lr is None else args.conv_lr
        optimizer = torch.optim.Adam([{"params": convs, "lr": conv_lr}, {"params": head, "lr": args.lr}])
        curve, learned, start = [], None, time.time()
        for step in range(1, args.steps + 1):
            model.train()
            pick = torch.randint(0, len(yt), (args.batch,), generator=generator)
            loss = F.cross_entropy(model(xt[pick]), yt[pick])
            optimizer.zero_grad()
            loss.backward()
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            if step % 25 and step != args.steps:
                continue
            model.eval()
            acts = {}
            with torch.no_grad():
                accuracy = (model(xv, acts=acts).argmax(1) == yv).float().mean().item()
            curve.append(accuracy)
            if learned is None and accuracy >= 0.95:
                learned = len(curve)
            if args.diagnose and step in (25, 100, args.steps):
                pooled, z1 = acts["pooled"], acts["z1"]
                dead = (acts["stage4"].amax(dim=(0, 2, 3)) <= 0).float().mean()
                spread = (pooled.std(0) / (pooled.mean(0) + 1e-9)).mean()
                print(
                    f"  step {step}: pooled mean {pooled.mean():.2f} (spread over images / mean {spread:.3f}), "
                    f"stage-4 dead channels {dead:.2f}, fc1 |z| mean {z1.abs().mean():.2f}, "
                    f"saturated {(z1.abs() > 4).float().mean():.2f}"
                )
        print(
            f"seed {seed}: learned at epoch {learned}  val acc " + " ".join(f"{c:.2f}" for c in curve)
            + f"  ({time.time() - start:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
