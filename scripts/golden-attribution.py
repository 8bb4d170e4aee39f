#!/usr/bin/env python3
"""Golden cases for xcnn's post-hoc attribution methods (Sources/Attribution), from the reference libraries.

Run by hand (CI has no PyTorch); the output is committed in Tests/AttributionTests/Golden/:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch captum zennit safetensors numpy
    /tmp/venv/bin/python scripts/golden-attribution.py            # writes every case below

Model: ../shared/golden/model_exact.py (the golden model of the training step, float64 here), its classifier
rebuilt from the same Conv2d/Linear modules with nn.ReLU / nn.MaxPool2d / nn.Sigmoid modules and the product by E
as a module (`EScale`), because Captum and zennit hook modules, not functional calls. E is an input that is
never differentiated (Captum's additional_forward_args): the phase-1 classifier gets E = 1, the joint one the
explainer's inference-mode E of each image.

Each method's output is the reference library's own (Captum 0.9 / zennit 0.5), before any channel reduction:
  saliency               captum Saliency(abs=True)
  input-x-gradient       captum InputXGradient
  smoothgrad             captum NoiseTunnel(Saliency) nt_type="smoothgrad", stdevs = fraction·(max − min) of
                         each image (one call per image); the normal draws Captum makes are recorded
                         (torch.normal wrapped) and stored divided by that σ as `<v>/smoothgrad.noise`
                         [N, samples, 3, S, S], so the Swift test uses exactly Captum's noise
  integrated-gradients   captum IntegratedGradients, baseline 0, method "gausslegendre"
  guided-backprop        captum GuidedBackprop
  deconvnet              captum Deconvolution
  lrp-epsilon            zennit Epsilon(ε) on Conv2d/Linear, Pass on ReLU/Sigmoid/EScale, max pools by their
  lrp-alpha1beta0        gradient; zennit AlphaBeta(1, 0) instead of Epsilon. Initial relevance = target logit.
                         zennit, not Captum: Captum's LRP has no rule for nn.Sigmoid (the dense layers) nor
                         for the product by E (it raises TypeError on unsupported modules).
  grad-cam               captum LayerGradCam(layer = ReLU after classifier.stage4.conv2, relu_attributions=True),
                         then LayerAttribution.interpolate(..., (S, S), "bilinear")
  occlusion              captum Occlusion, sliding window (3, patch, patch), strides (3, stride, stride), baseline 0

Every method explains the target logit. Parameters are drawn as model_exact.keras_init does (plus biases in
±0.1 so bias handling is tested), rounded to float32 and then run in float64; the file stores float32.
"""
import argparse
import warnings
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


class EScale(nn.Module):
    """h·E_k, E_k [N,1,s,s] fixed for the pass (set by the classifier's forward)."""

    def __init__(self):
        super().__init__()
        self.e = None

    def forward(self, h):
        return h * self.e


class HookableClassifier(nn.Module):
    """model_exact.Classifier with every op a module; same parameters (shared Conv2d/Linear modules)."""

    def __init__(self, clf, side):
        super().__init__()
        self.e_pool = clf.e_pool
        self.convs = nn.ModuleList([m for st in clf.stages() for m in (st.conv1, st.conv2)])
        self.relus = nn.ModuleList([nn.ReLU() for _ in range(8)])
        self.scales = nn.ModuleList([EScale() for _ in range(4)])
        self.pools = nn.ModuleList([nn.MaxPool2d(2) for _ in range(4)])
        self.gmp = nn.MaxPool2d(side // 16)
        self.fc1, self.sig1, self.fc2, self.sig2, self.out = clf.fc1, nn.Sigmoid(), clf.fc2, nn.Sigmoid(), clf.out

    def forward(self, x, e):
        h, ek = x, e
        for k in range(4):
            if k > 0:
                ek = F.avg_pool2d(ek, 2) if self.e_pool == "avg" else F.max_pool2d(ek, 2)
            h = self.relus[2 * k](self.convs[2 * k](h))
            h = self.relus[2 * k + 1](self.convs[2 * k + 1](h))
            self.scales[k].e = ek
            h = self.pools[k](self.scales[k](h))
        h = self.gmp(h).flatten(1)
        h = self.sig1(self.fc1(h))
        h = self.sig2(self.fc2(h))
        return self.out(h)


def import_zennit():
    """zennit imports torchvision at load time, only for its ResNet canonizers (unused here). A torchvision
    wheel built for another torch (pip's CUDA wheel beside a CPU torch) fails to load; then zennit gets a
    stand-in module with the two class names it imports, and nothing else of torchvision is used."""
    try:
        import torchvision.models.resnet  # noqa: F401
    except (ImportError, RuntimeError, OSError):
        import types
        for key in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[key]
        resnet = types.ModuleType("torchvision.models.resnet")
        resnet.Bottleneck = type("Bottleneck", (nn.Module,), {})
        resnet.BasicBlock = type("BasicBlock", (nn.Module,), {})
        models = types.ModuleType("torchvision.models")
        models.resnet = resnet
        tv = types.ModuleType("torchvision")
        tv.models = models
        sys.modules.update({"torchvision": tv, "torchvision.models": models, "torchvision.models.resnet": resnet})
    import zennit
    return zennit


def lrp(model, x, e, targets, rule_factory):
    from zennit.core import Composite
    from zennit.rules import Pass

    def module_map(ctx, name, module):
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            return rule_factory()
        if isinstance(module, (nn.ReLU, nn.Sigmoid, EScale)):
            return Pass()
        return None

    composite = Composite(module_map=module_map)
    x = x.clone().requires_grad_(True)
    with composite.context(model) as modified:
        out = modified(x, e)
        onehot = F.one_hot(targets, out.shape[1]).to(out.dtype)
        (relevance,) = torch.autograd.grad(out, x, grad_outputs=onehot * out.detach())
    return relevance.detach()


def attributions(model, x, e, targets, args, prefix, out):
    from captum.attr import (Deconvolution, GuidedBackprop, InputXGradient, IntegratedGradients, LayerAttribution,
                             LayerGradCam, NoiseTunnel, Occlusion, Saliency)
    from zennit.rules import AlphaBeta, Epsilon

    fwd = (e,)
    out[prefix + "logits"] = model(x, e).detach()
    out[prefix + "saliency"] = Saliency(model).attribute(x, target=targets, additional_forward_args=fwd, abs=True)
    out[prefix + "input-x-gradient"] = InputXGradient(model).attribute(x, target=targets, additional_forward_args=fwd)

    # SmoothGrad, one image at a time (σ is a fraction of that image's range); record Captum's normal draws.
    maps, noises = [], []
    real_normal = torch.normal
    for i in range(x.shape[0]):
        xi = x[i:i + 1]
        sigma = float(args.smooth_fraction * (xi.max() - xi.min()))
        drawn = []

        def recording_normal(*a, **k):
            t = real_normal(*a, **k)
            drawn.append(t.detach().clone())
            return t

        torch.normal = recording_normal
        try:
            m = NoiseTunnel(Saliency(model)).attribute(xi, nt_type="smoothgrad", nt_samples=args.smooth_samples,
                                                        stdevs=sigma, target=targets[i:i + 1],
                                                        additional_forward_args=(e[i:i + 1],))
        finally:
            torch.normal = real_normal
        assert len(drawn) == 1 and drawn[0].shape[0] == args.smooth_samples, "Captum drew its noise differently"
        maps.append(m)
        noises.append(drawn[0].double() / sigma)
    out[prefix + "smoothgrad"] = torch.cat(maps)
    out[prefix + "smoothgrad.noise"] = torch.stack(noises)  # [N, samples, 3, S, S]

    out[prefix + "integrated-gradients"] = IntegratedGradients(model).attribute(
        x, baselines=0.0, target=targets, additional_forward_args=fwd, n_steps=args.ig_steps, method="gausslegendre")
    out[prefix + "guided-backprop"] = GuidedBackprop(model).attribute(x, target=targets, additional_forward_args=fwd)
    out[prefix + "deconvnet"] = Deconvolution(model).attribute(x, target=targets, additional_forward_args=fwd)
    out[prefix + "lrp-epsilon"] = lrp(model, x, e, targets, lambda: Epsilon(epsilon=args.lrp_epsilon))
    out[prefix + "lrp-alpha1beta0"] = lrp(model, x, e, targets, lambda: AlphaBeta(alpha=1.0, beta=0.0))
    cam = LayerGradCam(model, model.relus[7]).attribute(x, target=targets, additional_forward_args=fwd,
                                                        relu_attributions=True)
    out[prefix + "grad-cam"] = LayerAttribution.interpolate(cam, tuple(x.shape[2:]), "bilinear")
    p, s = args.occlusion_patch, args.occlusion_stride
    out[prefix + "occlusion"] = Occlusion(model).attribute(x, sliding_window_shapes=(3, p, p), strides=(3, s, s),
                                                           baselines=0.0, target=targets, additional_forward_args=fwd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-exact", default=os.path.join(REPO, "..", "shared", "golden"),
                    help="folder holding model_exact.py")
    ap.add_argument("--output", default=os.path.join(REPO, "Tests", "AttributionTests", "Golden"))
    ap.add_argument("--max-bytes", type=int, default=1_500_000, help="refuse to write a case larger than this")
    ap.add_argument("cases", nargs="*", help="case names (default: all)")
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.model_exact))
    import model_exact as me
    import captum
    import safetensors.torch
    zennit = import_zennit()

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=UserWarning)
    cases = {
        # name: side, base width, hidden, classes, E pooling, images, seed, targets
        "s32-w3-avg": dict(side=32, width=3, hidden=16, classes=2, e_pool="avg", n=3, seed=11, targets=[1, 0, 1]),
        "s32-w4-max-k3": dict(side=32, width=4, hidden=8, classes=3, e_pool="max", n=2, seed=12, targets=[2, 0]),
    }
    method_args = argparse.Namespace(smooth_samples=8, smooth_fraction=0.15, ig_steps=24, lrp_epsilon=0.01,
                                     occlusion_patch=6, occlusion_stride=4)
    os.makedirs(a.output, exist_ok=True)
    for name, c in cases.items():
        if a.cases and name not in a.cases:
            continue
        torch.manual_seed(c["seed"])
        g = torch.Generator().manual_seed(c["seed"])
        model = me.ExplainerClassifier(side=c["side"], base_width=c["width"], classes=c["classes"], hidden=c["hidden"],
                                       dropout=0.0, e_pool=c["e_pool"], init=False)
        me.keras_init(model, generator=g, bias_range=0.1)
        with torch.no_grad():
            # A head that puts E across its range: β = 0.5, and running statistics set to this batch's own
            # (what a training-mode forward normalises with), so inference-mode E is neither all 0 nor all 1.
            model.explainer.head.bn.bias.fill_(0.5)
            # Glorot limits halve the signal at every ReLU layer; the classifier's weights get a gain (√2 per
            # convolution, He's correction, and 4 on the dense layers past the sigmoids) so that the logits
            # depend on the image enough for the maps to be far above float32 noise.
            for m in model.classifier.modules():
                if isinstance(m, nn.Conv2d):
                    m.weight.mul_(2 ** 0.5)
                elif isinstance(m, nn.Linear):
                    m.weight.mul_(4.0)
        model = model.double()
        x = torch.rand((c["n"], 3, c["side"], c["side"]), generator=g).float().double()
        with torch.no_grad():
            acts = {}
            model.train()
            model.explainer(x, acts)
            bn = model.explainer.head.bn
            bn.running_mean.copy_(acts["explainer.head.bn.batch_mean"].float().double())
            bn.running_var.copy_(acts["explainer.head.bn.batch_var"].float().double())
            model.eval()
            e_joint = model.explainer(x)
        clf = HookableClassifier(model.classifier, c["side"]).double().eval()
        targets = torch.tensor(c["targets"])
        with torch.no_grad():
            reference = model.classifier(x, e_joint)
            check = clf(x, e_joint)
        assert torch.allclose(reference, check, atol=1e-12), "the hookable classifier differs from model_exact's"
        out = {}
        for prefix, e in (("phase1/", torch.ones_like(e_joint)), ("joint/", e_joint)):
            attributions(clf, x, e, targets, method_args, prefix, out)
        tensors = {k: v.detach().float().contiguous() for k, v in out.items()}
        for n_, p in model.named_parameters():
            tensors[n_] = p.detach().float().contiguous()
        tensors["explainer.head.bn.running_mean"] = model.explainer.head.bn.running_mean.float()
        tensors["explainer.head.bn.running_var"] = model.explainer.head.bn.running_var.float()
        tensors["input"] = x.float()
        tensors["targets"] = targets.float()
        tensors["E"] = e_joint.float()
        meta = {
            "config": json.dumps(dict(c, **vars(method_args))),
            "versions": json.dumps({"torch": torch.__version__, "captum": captum.__version__,
                                    "zennit": getattr(zennit, "__version__", "0.5"), "numpy": np.__version__}),
            "command": " ".join(["scripts/golden-attribution.py"] + sys.argv[1:]),
        }
        path = os.path.join(a.output, name + ".safetensors")
        safetensors.torch.save_file(tensors, path, metadata=meta)
        size = os.path.getsize(path)
        if size > a.max_bytes:
            os.remove(path)
            raise SystemExit(f"{path}: {size} bytes is above --max-bytes {a.max_bytes}")
        print(f"{path}: {len(tensors)} tensors, {size:,} bytes; logits phase1 {out['phase1/logits'].tolist()}, "
              f"joint {out['joint/logits'].tolist()}")


if __name__ == "__main__":
    main()
