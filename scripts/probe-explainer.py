#!/usr/bin/env python3
"""An experiment, not a test: does a trained model's classifier need what its explainer marks outside
the target? (issue 9 §6; docs/explanations.md, "Session 13").

xcnn's inference re-written in PyTorch (float64) from a checkpoint: the explainer (U-Net of three levels,
head 1×1 conv → batch norm with ε 0.01 → tanh → ReLU) and the classifier (four stages of two 3×3 conv →
frozen batch norm (ε 1e-5) → ReLU, times E pooled to the stage's side, 2×2 max pool; global max pool;
two sigmoid dense layers; softmax). It first checks itself against `xcnn evaluate`'s per-image
probabilities (largest difference printed; 1e-5 or less means the re-implementation is xcnn's model).
Then, for every validation image with the target and at least one other shape, the probability of the
target class with
  full      E as the explainer gives it,
  in box    E only inside the target's box (2 px margin), zero elsewhere,
  outside   E only outside that box,
  flat box  max(E) on the whole box, zero elsewhere.
If "in box" is as high as "full", the classifier does not need E on the other shapes: E there is the
explainer's error, not the classifier's evidence.

Run (the data: `xcnn generate` with the run's preset and seed writes the same images it trained on):
  xcnn generate --preset small-no-colour-64 --seed 1 --output /tmp/nc1
  /tmp/venv/bin/python scripts/probe-explainer.py --run runs/sweep/small-no-colour-64/seed1 --data /tmp/nc1
Needs torch, numpy, Pillow and safetensors (pip).
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import load_file


def conv_pair(p, name, h, batch_norm):
    for conv in ("conv1", "conv2"):
        n = f"{name}.{conv}"
        h = F.conv2d(h, p[n + ".weight"], p[n + ".bias"], padding=1)
        if batch_norm:
            h = F.batch_norm(h, p[n + ".bn.running_mean"], p[n + ".bn.running_var"], p[n + ".bn.weight"],
                             p[n + ".bn.bias"], training=False, eps=1e-5)
        h = F.relu(h)
    return h


def explainer(p, x):
    skips, h = [], x
    for level in (1, 2, 3):
        h = conv_pair(p, f"explainer.enc{level}", h, False)
        skips.append(h)
        h = F.max_pool2d(h, 2)
    for level in (3, 2, 1):
        up = f"explainer.dec{level}.up"
        h = F.conv_transpose2d(h, p[up + ".weight"], p[up + ".bias"], stride=2) + skips[level - 1]
        h = conv_pair(p, f"explainer.dec{level}", h, False)
    z = F.conv2d(h, p["explainer.head.conv.weight"], p["explainer.head.conv.bias"])
    z = F.batch_norm(z, p["explainer.head.bn.running_mean"], p["explainer.head.bn.running_var"],
                     p["explainer.head.bn.weight"], p["explainer.head.bn.bias"], training=False, eps=0.01)
    return F.relu(torch.tanh(z))


def classifier(p, x, e, config):
    h, pooled_e = x, e
    batch_norm = config.get("classifierBatchNorm", False)
    for stage in (1, 2, 3, 4):
        h = conv_pair(p, f"classifier.stage{stage}", h, batch_norm)
        if stage > 1:
            pooled_e = (F.max_pool2d if config.get("ePooling") == "max" else F.avg_pool2d)(pooled_e, 2)
        h = F.max_pool2d(h * pooled_e, 2)
    h = h.amax(dim=(2, 3))
    h = torch.sigmoid(F.linear(h, p["classifier.fc1.weight"], p["classifier.fc1.bias"]))
    h = torch.sigmoid(F.linear(h, p["classifier.fc2.weight"], p["classifier.fc2.bias"]))
    return torch.softmax(F.linear(h, p["classifier.out.weight"], p["classifier.out.bias"]), dim=1)


def read_image(data, index):
    path = os.path.join(data, "JPEGImages", f"{index:06d}.png")
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255
    return torch.from_numpy(pixels).permute(2, 0, 1)[None]


def boxes(data, index):
    """(name, [xmin, ymin, xmax, ymax]) of every object in the image's VOC annotation."""
    found = []
    for obj in ET.parse(os.path.join(data, "Annotations", f"{index:06d}.xml")).findall("object"):
        found.append((obj.find("name").text, [int(obj.find("bndbox/" + k).text) for k in ("xmin", "ymin", "xmax", "ymax")]))
    return found


def target_box(data, index, name):
    return next((b for found, b in boxes(data, index) if found == name), None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True, help="run directory (config.json, checkpoints/, evaluation/)")
    parser.add_argument("--data", required=True, help="the run's images as `xcnn generate` writes them")
    parser.add_argument("--checkpoint", default="checkpoints/phase3-best.safetensors")
    parser.add_argument("--margin", type=int, default=2, help="pixels around the box kept in 'in box'")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    config = json.load(open(os.path.join(args.run, "config.json")))
    report = json.load(open(os.path.join(args.run, "evaluation", "evaluation.json")))
    p = {k: v.double() for k, v in load_file(os.path.join(args.run, args.checkpoint)).items()}
    target = config.get("targetClass") or "triangle"
    positive = report["classes"].index(target) if target in report["classes"] else 1
    worst, rows = 0.0, []
    for image in report["perImage"]:
        x = read_image(args.data, image["index"])
        e = explainer(p, x)
        probabilities = classifier(p, x, e, config)[0]
        worst = max(worst, abs(probabilities[image["predicted"]].item() - image["probability"]))
        score = image["scores"][0]
        if image["label"] != positive or score.get("energyOnDistractors") is None:
            continue
        xmin, ymin, xmax, ymax = target_box(args.data, image["index"], target)
        m = args.margin
        box = torch.zeros_like(e)
        box[..., max(0, ymin - m):ymax + m + 1, max(0, xmin - m):xmax + m + 1] = 1
        variants = (e, e * box, e * (1 - box), box * e.max())
        rows.append([classifier(p, x, v, config)[0, positive].item() for v in variants])
    if not rows:
        sys.exit("probe-explainer: no validation image holds the target and another shape")
    a = np.array(rows)
    print(f"check: largest |p_torch − p_xcnn| over {len(report['perImage'])} images: {worst:.1e}")
    print(f"{len(a)} images with the target and other shapes; p({target}) mean (share > 0.5):")
    for name, column in zip(("full", "in box", "outside", "flat box"), a.T):
        print(f"  {name:9s} {column.mean():.3f} ({(column > 0.5).mean():.2f})")


if __name__ == "__main__":
    main()
