#!/usr/bin/env python3
"""An experiment, not a test: phase 2 (the explainer learns through the frozen classifier) in PyTorch,
to try levers on the explainer faster than a Swift build per lever (issue 9 §6; docs/explanations.md,
"Session 13").

The classifier and its frozen batch-norm statistics come from an xcnn run's phase2-best checkpoint (its
weights are phase 1's, its statistics those measured with E at the hand-over); the explainer is
initialised afresh (Glorot-uniform kernels, zero biases, head γ 1, β 0) and trained as xcnn's phase 2
does: Adam, cross-entropy + λ·mean(E) (+ λ_TV·TV), the head's batch norm on batch statistics (ε 0.01).
The model code is scripts/probe-explainer.py's, which matches xcnn's inference to 1e-5.

Levers (off by default, so the defaults are xcnn's phase 2):
  --explainer-bn         batch norm (batch statistics, ε 1e-5) between every explainer conv and its ReLU
  --centre C             the explainer sees its input − C (1.0: the white background becomes 0)
  --lr, --l1, --tv, --steps, --batch

Every --every steps, on the run's validation split: accuracy, and over images with the target and
another shape the energy in the target's box, the share of E on the other shapes' boxes, and the
pointing game (maximum within the tolerance, 15 px scaled from 224², of the box). Inference puts every
batch norm on the statistics of its validation batch of 50 (a probe: not xcnn's population statistics,
and running averages at momentum 0.01 would lag the weights).

Run:
  xcnn generate --preset small-no-colour-64 --seed 1 --output /tmp/nc1
  /tmp/venv/bin/python scripts/probe-explainer-training.py --run runs/sweep/small-no-colour-64/seed1 \
      --data /tmp/nc1 --explainer-bn
Needs torch, numpy, Pillow and safetensors (pip).
"""
import argparse
import importlib.util
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("probe_explainer", os.path.join(HERE, "probe-explainer.py"))
probe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(probe)


class Explainer(torch.nn.Module):
    """xcnn's explainer: three encoder levels, three decoder levels with additive skips, the head."""

    def __init__(self, width, batch_norm):
        super().__init__()
        self.batch_norm = batch_norm
        widths = [width, 2 * width, 4 * width]

        def pair(cin, cout):
            layers = []
            for a, b in ((cin, cout), (cout, cout)):
                conv = torch.nn.Conv2d(a, b, 3, padding=1)
                torch.nn.init.xavier_uniform_(conv.weight)
                torch.nn.init.zeros_(conv.bias)
                layers.append(conv)
                if batch_norm:
                    layers.append(torch.nn.BatchNorm2d(b, eps=1e-5, momentum=0.01))
                layers.append(torch.nn.ReLU())
            return torch.nn.Sequential(*layers)

        self.enc = torch.nn.ModuleList([pair(3, widths[0]), pair(widths[0], widths[1]), pair(widths[1], widths[2])])
        ups, decs = [], []
        for level in (3, 2, 1):
            cin = widths[2] if level == 3 else widths[level]
            up = torch.nn.ConvTranspose2d(cin, widths[level - 1], 2, stride=2)
            torch.nn.init.xavier_uniform_(up.weight)
            torch.nn.init.zeros_(up.bias)
            ups.append(up)
            decs.append(pair(widths[level - 1], widths[level - 1]))
        self.ups, self.decs = torch.nn.ModuleList(ups), torch.nn.ModuleList(decs)
        self.head = torch.nn.Conv2d(width, 1, 1)
        torch.nn.init.xavier_uniform_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)
        self.head_bn = torch.nn.BatchNorm2d(1, eps=0.01, momentum=0.01)

    def forward(self, x):
        skips, h = [], x
        for level in self.enc:
            h = level(h)
            skips.append(h)
            h = F.max_pool2d(h, 2)
        for up, dec, skip in zip(self.ups, self.decs, reversed(skips)):
            h = dec(up(h) + skip)
        return F.relu(torch.tanh(self.head_bn(self.head(h))))


def box_mask(side, b):
    m = torch.zeros(side, side, dtype=torch.float64)
    m[b[1]:b[3] + 1, b[0]:b[2] + 1] = 1
    return m


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--explainer-bn", action="store_true")
    parser.add_argument("--centre", type=float, default=0.0)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--l1", type=float, default=0.2)
    parser.add_argument("--tv", type=float, default=0.0)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_default_dtype(torch.float32)
    config = json.load(open(os.path.join(args.run, "config.json")))
    report = json.load(open(os.path.join(args.run, "evaluation", "evaluation.json")))
    p = {k: v.float() for k, v in load_file(os.path.join(args.run, "checkpoints", "phase2-best.safetensors")).items()
         if k.startswith("classifier.")}
    target = config.get("targetClass") or "triangle"
    positive = report["classes"].index(target) if target in report["classes"] else 1
    validation = [im["index"] for im in report["perImage"]]
    held = set(validation)
    count = len(os.listdir(os.path.join(args.data, "JPEGImages")))
    train = [i for i in range(count) if i not in held]
    images = {i: probe.read_image(args.data, i).float() for i in range(count)}
    labels = {i: int(any(name == target for name, _ in probe.boxes(args.data, i))) for i in range(count)}
    side = config["side"]
    explainer = Explainer(config["baseWidth"], args.explainer_bn)
    optimizer = torch.optim.Adam(explainer.parameters(), lr=args.lr)
    rng = np.random.default_rng(args.seed)
    tolerance = 15 * side / 224

    def evaluate(step):
        correct, energy, distractor, hits, n = 0, [], [], [], 0
        with torch.no_grad():
            for start in range(0, len(validation), 50):
                chunk = validation[start:start + 50]
                x = torch.cat([images[i] for i in chunk])
                e = explainer(x - args.centre)  # every batch norm on this batch's statistics
                prob = probe.classifier(p, x, e, config)
                for k, i in enumerate(chunk):
                    correct += int(prob[k].argmax().item() == labels[i])
                    shapes = probe.boxes(args.data, i)
                    others = [b for name, b in shapes if name != target]
                    mine = [b for name, b in shapes if name == target]
                    if not mine or not others:
                        continue
                    ek = e[k, 0].double()
                    total = ek.sum().item()
                    if total <= 0:
                        energy.append(0.0), distractor.append(0.0), hits.append(0.0)
                        continue
                    inside = box_mask(side, mine[0])
                    outside = torch.zeros_like(inside)
                    for b in others:
                        outside = torch.maximum(outside, box_mask(side, b))
                    outside = outside * (1 - inside)
                    energy.append((ek * inside).sum().item() / total)
                    distractor.append((ek * outside).sum().item() / total)
                    y, xx = divmod(int(ek.argmax().item()), side)
                    b = mine[0]
                    dx = max(b[0] - xx, 0, xx - b[2])
                    dy = max(b[1] - y, 0, y - b[3])
                    hits.append(float(math.hypot(dx, dy) <= tolerance))
        print(f"step {step:5d}  val acc {correct / len(validation):.3f}  cluttered positives: energy in box "
              f"{np.mean(energy):.3f}  on other shapes' boxes {np.mean(distractor):.3f}  pointing {np.mean(hits):.2f}  "
              f"mean E {e.mean().item():.4f}", flush=True)

    for step in range(1, args.steps + 1):
        chosen = rng.choice(train, size=args.batch, replace=True)
        x = torch.cat([images[i] for i in chosen])
        y = torch.tensor([labels[i] for i in chosen])
        e = explainer(x - args.centre)
        prob = probe.classifier(p, x, e, config)
        loss = F.nll_loss(torch.log(prob.clamp_min(1e-12)), y) + args.l1 * e.abs().mean()
        if args.tv:
            loss = loss + args.tv * ((e[:, :, 1:] - e[:, :, :-1]).abs().mean() + (e[:, :, :, 1:] - e[:, :, :, :-1]).abs().mean())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % args.every == 0 or step == args.steps:
            evaluate(step)


if __name__ == "__main__":
    main()
