#!/usr/bin/env python3
"""Reference speeds for xcnn: the same model and training step in PyTorch and Keras (CPU).

xcnn's figures mean little alone, so this script times one training step of the
explainer+classifier CNN (SPEC.md section 1 and 2) in the two frameworks people would otherwise
use, on the same machine and with the same thread budget:

  one step = forward + backward + Adadelta update, phase 3 (explainer and classifier train),
  loss = cross-entropy (mean over the batch) + 1e-6 * sum|E| (Keras activity-regulariser sum),
  Adadelta lr 1.0, rho 0.95, eps 1e-7; BN eps 1e-3, momentum 0.99 (Keras) = 0.01 (PyTorch);
  dropout 0.3 after each hidden dense layer; Keras-style init (Glorot-uniform kernels, zero biases).

Modes:
  --framework torch|keras    single process, --threads intra-op threads
  --framework torch --ddp-ranks N
                             PyTorch DistributedDataParallel over gloo, N local processes
                             (torch.multiprocessing spawn, loopback), --threads each, batch B per
                             process; the reported images/s is the aggregate, N*B per step
  --check                    build both models, print and verify the parameter counts, and compare
                             one training step between the frameworks (same weights and input)

Each measurement prints one line starting with "reference" and made of key=value fields:
images_per_s is batch*ranks / median step time; step_s_{median,min,max} are over the timed steps
(in DDP the per-step maximum over ranks); peak_rss_mb is each process's peak resident set (VmHWM,
ru_maxrss) after the timed steps, rank by rank in DDP. Lines starting with "#" are context.
Install the frameworks with scripts/install-reference. Each framework is imported only inside the
functions that use it: a Keras run never loads PyTorch and the reverse, as the two cannot share a
process here (their bundled LLVMs clash), and either works without the other installed.
Results measured with this script: docs/perf/reference-bench.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

LAM_L1 = 1e-6
BN_EPS = 1e-3
BN_MOMENTUM_KERAS = 0.99
ADADELTA = {"lr": 1.0, "rho": 0.95, "eps": 1e-7}

# Parameter counts required by SPEC.md section 1 at base width 32, 2 classes, dense width 128.
SPEC_COUNTS = {"explainer": 781_281, "explainer_bn": 2, "classifier": 1_221_922}


# ----------------------------------------------------------------------------- model arithmetic

def expected_counts(width: int, classes: int, hidden: int) -> dict[str, int]:
    """Trainable parameters per part, from the architecture (independent of any framework)."""
    def conv(cin, cout, k=3):
        return cin * cout * k * k + cout

    w = width
    enc = conv(3, w) + conv(w, w) + conv(w, 2 * w) + conv(2 * w, 2 * w) \
        + conv(2 * w, 4 * w) + conv(4 * w, 4 * w)
    dec = 0
    for cin, cout in ((4 * w, 4 * w), (4 * w, 2 * w), (2 * w, w)):
        dec += conv(cin, cout, 2) + 2 * conv(cout, cout)
    head = conv(w, 1, 1)
    cls = 0
    cin = 3
    for k in range(4):
        f = w * 2 ** k
        cls += conv(cin, f) + conv(f, f)
        cin = f
    cls += (8 * w + 1) * hidden + (hidden + 1) * hidden + (hidden + 1) * classes
    return {"explainer": enc + dec + head, "explainer_bn": 2, "classifier": cls}


def forward_macs(side: int, width: int, classes: int, hidden: int) -> int:
    """Forward multiply-accumulates per image (convolutions and dense layers)."""
    w, s = width, side
    macs = 0
    cin = 3
    for lvl in range(3):  # encoder
        f, sd = w * 2 ** lvl, s >> lvl
        macs += sd * sd * 9 * (cin * f + f * f)
        cin = f
    for lvl, (ci, co) in zip((2, 1, 0), ((4 * w, 4 * w), (4 * w, 2 * w), (2 * w, w))):  # decoder
        sd = s >> lvl
        macs += (sd // 2) ** 2 * ci * co * 4 + sd * sd * 9 * 2 * co * co
    macs += s * s * w  # 1x1 head
    cin = 3
    for k in range(4):  # classifier stages
        f, sd = w * 2 ** k, s >> k
        macs += sd * sd * 9 * (cin * f + f * f)
        cin = f
    macs += 8 * w * hidden + hidden * hidden + hidden * classes
    return macs


# ----------------------------------------------------------------------------- PyTorch

def build_torch_model(width: int, classes: int, hidden: int, dropout: float, e_pool: str):
    """The model as PyTorch modules (NCHW). Names: explainer.{enc1..3,dec3..1,head}, classifier.
    {stage1..4,fc1,fc2,out}; weight layouts are PyTorch's own."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class ConvPair(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)

        def forward(self, x):
            return F.relu(self.conv2(F.relu(self.conv1(x))))

    class Decoder(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.up = nn.ConvTranspose2d(cin, cout, 2, stride=2)
            self.conv1 = nn.Conv2d(cout, cout, 3, padding=1)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)

        def forward(self, x, skip):
            h = self.up(x) + skip
            return F.relu(self.conv2(F.relu(self.conv1(h))))

    class Head(nn.Module):
        def __init__(self, cin):
            super().__init__()
            self.conv = nn.Conv2d(cin, 1, 1)
            self.bn = nn.BatchNorm2d(1, eps=BN_EPS, momentum=1.0 - BN_MOMENTUM_KERAS)

        def forward(self, x):
            return F.relu(torch.tanh(self.bn(self.conv(x))))

    class Explainer(nn.Module):
        def __init__(self, w):
            super().__init__()
            self.enc1, self.enc2, self.enc3 = ConvPair(3, w), ConvPair(w, 2 * w), ConvPair(2 * w, 4 * w)
            self.dec3, self.dec2, self.dec1 = Decoder(4 * w, 4 * w), Decoder(4 * w, 2 * w), Decoder(2 * w, w)
            self.head = Head(w)

        def forward(self, x):
            s0 = self.enc1(x)
            s1 = self.enc2(F.max_pool2d(s0, 2))
            s2 = self.enc3(F.max_pool2d(s1, 2))
            h = self.dec3(F.max_pool2d(s2, 2), s2)
            h = self.dec2(h, s1)
            h = self.dec1(h, s0)
            return self.head(h)

    class Classifier(nn.Module):
        def __init__(self, w):
            super().__init__()
            self.stage1, self.stage2 = ConvPair(3, w), ConvPair(w, 2 * w)
            self.stage3, self.stage4 = ConvPair(2 * w, 4 * w), ConvPair(4 * w, 8 * w)
            self.fc1, self.fc2 = nn.Linear(8 * w, hidden), nn.Linear(hidden, hidden)
            self.out = nn.Linear(hidden, classes)

        def forward(self, x, e):
            h = x
            for k, stage in enumerate((self.stage1, self.stage2, self.stage3, self.stage4)):
                if k > 0:
                    e = F.avg_pool2d(e, 2) if e_pool == "avg" else F.max_pool2d(e, 2)
                h = F.max_pool2d(stage(h) * e, 2)
            h = torch.amax(h, dim=(2, 3))
            h = F.dropout(torch.sigmoid(self.fc1(h)), dropout, self.training)
            h = F.dropout(torch.sigmoid(self.fc2(h)), dropout, self.training)
            return self.out(h)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.explainer = Explainer(width)
            self.classifier = Classifier(width)
            for m in self.modules():  # Keras defaults; torch's Glorot fans equal Keras' here
                if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                    nn.init.xavier_uniform_(m.weight)
                    nn.init.zeros_(m.bias)

        def forward(self, x):
            e = self.explainer(x)
            return self.classifier(x, e), e

    return Model()


def torch_counts(model) -> dict[str, int]:
    named = list(model.named_parameters())
    return {
        "explainer": sum(p.numel() for n, p in named
                         if n.startswith("explainer.") and ".bn." not in n),
        "explainer_bn": sum(p.numel() for n, p in named if ".bn." in n),
        "classifier": sum(p.numel() for n, p in named if n.startswith("classifier.")),
    }


def torch_loss(logits, e, y):
    import torch.nn.functional as F
    return F.cross_entropy(logits, y) + LAM_L1 * e.abs().sum()


def torch_step_fn(model, x, y):
    """Returns a closure running one full training step on the fixed batch (x, y)."""
    import torch
    opt = torch.optim.Adadelta(model.parameters(), lr=ADADELTA["lr"], rho=ADADELTA["rho"],
                               eps=ADADELTA["eps"])
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        logits, e = model(x)
        loss = torch_loss(logits, e, y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_batch(args, seed: int):
    import torch
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(args.batch, 3, args.side, args.side, generator=g)
    y = torch.randint(0, args.classes, (args.batch,), generator=g)
    return x, y


def run_torch_single(args) -> dict:
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build_torch_model(args.width, args.classes, args.hidden, args.dropout, args.e_pool)
    x, y = torch_batch(args, args.seed)
    times, losses = time_steps(torch_step_fn(model, x, y), args.warmup, args.steps)
    return {"framework": "torch", "mode": "single", "ranks": 1, "times": times, "losses": losses,
            "peak_rss_mb": [peak_rss_mb()], "version": "torch-" + torch.__version__.split("+")[0]}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank: int, args, port: int, queue) -> None:
    """One DDP rank: gloo over loopback, its own batch, synchronised steps."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", rank=rank, world_size=args.ddp_ranks)
    try:
        torch.manual_seed(args.seed)  # same initial weights; DDP also broadcasts rank 0's
        model = build_torch_model(args.width, args.classes, args.hidden, args.dropout, args.e_pool)
        # xcnn averages the BN running statistics only when saving, so no per-step broadcast here
        with warnings.catch_warnings():  # newer torch suggests forward_sync_buffers instead
            warnings.simplefilter("ignore", FutureWarning)
            ddp = DistributedDataParallel(model, broadcast_buffers=False)
        x, y = torch_batch(args, args.seed + 1000 * (rank + 1))
        step = torch_step_fn(ddp, x, y)
        for _ in range(args.warmup):
            step()
        dist.barrier()
        times, losses = time_steps(step, 0, args.steps)
        every = [None] * args.ddp_ranks
        dist.all_gather_object(every, times)
        peaks = [None] * args.ddp_ranks
        dist.all_gather_object(peaks, peak_rss_mb())
        if rank == 0:
            queue.put(([max(ts) for ts in zip(*every)], losses, peaks))
        dist.barrier()  # no rank tears gloo down while another still talks to it
    finally:
        dist.destroy_process_group()


def run_torch_ddp(args) -> dict:
    import torch
    import torch.multiprocessing as mp
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    try:
        mp.spawn(_ddp_worker, args=(args, _free_port(), queue), nprocs=args.ddp_ranks, join=True)
    except mp.ProcessExitedException as exc:
        # A rank that dies after rank 0 has sent the timings (seen once, as a C++ terminate
        # during gloo teardown on a loaded machine) does not invalidate the measurement.
        if queue.empty():
            raise
        print(f"# warning: a DDP rank failed after the timings were collected: {exc}",
              file=sys.stderr, flush=True)
    times, losses, peaks = queue.get()
    return {"framework": "torch", "mode": "ddp", "ranks": args.ddp_ranks, "times": times,
            "losses": losses, "peak_rss_mb": peaks,
            "version": "torch-" + torch.__version__.split("+")[0]}


# ----------------------------------------------------------------------------- Keras / TensorFlow

def import_tf(threads: int):
    """Imports TensorFlow and Keras with the thread budget set before any op runs."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    return tf, keras


def build_keras_model(keras, side: int, width: int, classes: int, hidden: int, dropout: float,
                      e_pool: str):
    """The model as a Keras functional model (NHWC) with outputs (logits, E). Layer names match
    the PyTorch parameter prefixes so weights can be copied by name."""
    L = keras.layers
    w = width
    img = L.Input((side, side, 3))
    h, skips = img, []
    for lvl in range(3):
        f = w * 2 ** lvl
        for c in (1, 2):
            h = L.Conv2D(f, 3, padding="same", activation="relu", name=f"explainer.enc{lvl + 1}.conv{c}")(h)
        skips.append(h)
        h = L.MaxPooling2D(2)(h)
    for lvl in (2, 1, 0):
        f = w * 2 ** lvl
        h = L.Conv2DTranspose(f, 2, strides=2, name=f"explainer.dec{lvl + 1}.up")(h)
        h = L.Add()([h, skips[lvl]])
        for c in (1, 2):
            h = L.Conv2D(f, 3, padding="same", activation="relu", name=f"explainer.dec{lvl + 1}.conv{c}")(h)
    h = L.Conv2D(1, 1, name="explainer.head.conv")(h)
    h = L.BatchNormalization(momentum=BN_MOMENTUM_KERAS, epsilon=BN_EPS, name="explainer.head.bn")(h)
    e = L.Activation("relu", name="E")(L.Activation("tanh")(h))

    h, ek = img, e
    pool = L.AveragePooling2D if e_pool == "avg" else L.MaxPooling2D
    for k in range(4):
        f = w * 2 ** k
        if k > 0:
            ek = pool(2)(ek)
        for c in (1, 2):
            h = L.Conv2D(f, 3, padding="same", activation="relu", name=f"classifier.stage{k + 1}.conv{c}")(h)
        h = L.MaxPooling2D(2)(L.Multiply()([h, ek]))  # (N,H,W,C) * (N,H,W,1), broadcast over C
    h = L.GlobalMaxPooling2D()(h)
    h = L.Dropout(dropout)(L.Dense(hidden, activation="sigmoid", name="classifier.fc1")(h))
    h = L.Dropout(dropout)(L.Dense(hidden, activation="sigmoid", name="classifier.fc2")(h))
    logits = L.Dense(classes, name="classifier.out")(h)
    return keras.Model(img, [logits, e])


def keras_counts(model) -> dict[str, int]:
    out = {"explainer": 0, "explainer_bn": 0, "classifier": 0}
    for layer in model.layers:
        n = sum(int(v.numpy().size) for v in layer.trainable_weights)
        if layer.name.endswith(".bn"):
            out["explainer_bn"] += n
        elif layer.name.startswith("explainer."):
            out["explainer"] += n
        elif layer.name.startswith("classifier."):
            out["classifier"] += n
    return out


def keras_step_fn(tf, keras, model, x, y):
    """Returns (step, compiled): one training step as a tf.function on the fixed batch."""
    opt = keras.optimizers.Adadelta(learning_rate=ADADELTA["lr"], rho=ADADELTA["rho"],
                                    epsilon=ADADELTA["eps"])
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits, e = model(xb, training=True)
            ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits))
            loss = ce + LAM_L1 * tf.reduce_sum(tf.abs(e))
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss

    def step():
        return float(train_step(x, y).numpy())

    return step


def run_keras(args) -> dict:
    tf, keras = import_tf(args.threads)
    import numpy as np
    keras.utils.set_random_seed(args.seed)
    model = build_keras_model(keras, args.side, args.width, args.classes, args.hidden,
                              args.dropout, args.e_pool)
    rng = np.random.default_rng(args.seed)
    x = tf.constant(rng.random((args.batch, args.side, args.side, 3), dtype=np.float32))
    y = tf.constant(rng.integers(0, args.classes, args.batch), dtype=tf.int32)
    times, losses = time_steps(keras_step_fn(tf, keras, model, x, y), args.warmup, args.steps)
    return {"framework": "keras", "mode": "single", "ranks": 1, "times": times, "losses": losses,
            "peak_rss_mb": [peak_rss_mb()],
            "version": f"keras-{keras.__version__}/tf-{tf.__version__}"}


# ----------------------------------------------------------------------------- measurement

def peak_rss_mb() -> float:
    """This process's peak resident set so far, MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def time_steps(step, warmup: int, steps: int) -> tuple[list[float], list[float]]:
    """Runs warm-up steps, then times each step; returns (seconds, losses) of the timed ones."""
    for _ in range(warmup):
        step()
    times, losses = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
        losses.append(loss)
    return times, losses


def report(args, result: dict) -> str:
    times = result["times"]
    med = statistics.median(times)
    images = args.batch * result["ranks"]
    macs = forward_macs(args.side, args.width, args.classes, args.hidden)
    fields = {
        "framework": result["framework"], "mode": result["mode"], "ranks": result["ranks"],
        "threads": args.threads, "side": args.side, "batch": args.batch, "steps": len(times),
        "warmup": args.warmup,
        "images_per_s": f"{images / med:.3g}",
        "images_per_s_mean": f"{images * len(times) / sum(times):.3g}",
        "step_s_median": f"{med:.4g}", "step_s_min": f"{min(times):.4g}",
        "step_s_max": f"{max(times):.4g}",
        # nominal: 3x the forward MACs (forward, input and weight gradients) as direct
        # convolutions, 2 FLOP each; a library using Winograd or FFT does fewer real FLOPs
        "nominal_gflop_per_s": f"{6 * macs * images / med / 1e9:.3g}",
        # loss at the first and last timed step (same batch, dropout on): a sanity check that
        # the steps run and update the weights
        "loss_first": f"{result['losses'][0]:.5g}", "loss_last": f"{result['losses'][-1]:.5g}",
        "peak_rss_mb": ",".join(f"{m:.0f}" for m in result["peak_rss_mb"]),
        "load1": f"{os.getloadavg()[0]:.2f}",
        "version": result["version"],
    }
    return "reference " + " ".join(f"{k}={v}" for k, v in fields.items())


# ----------------------------------------------------------------------------- --check

def scaled_err(a, ref) -> float:
    import numpy as np
    a, ref = np.asarray(a, np.float64), np.asarray(ref, np.float64)
    scale = float(np.abs(ref).max())
    diff = float(np.abs(a - ref).max())
    return diff / scale if scale > 0 else diff


def torch_to_keras(name: str, v):
    """PyTorch layout -> Keras layout (conv and transposed conv: transpose(2,3,1,0); dense: T)."""
    if name.endswith(".weight") and v.ndim == 4:
        return v.transpose(2, 3, 1, 0)
    if name.endswith(".weight") and v.ndim == 2:
        return v.T
    return v


def check_counts(tag: str, counts: dict[str, int], want: dict[str, int]) -> bool:
    ok = counts == want
    fields = " ".join(f"{k}={v}" for k, v in counts.items())
    print(f"check framework={tag} {fields} total={sum(counts.values())} "
          f"{'ok' if ok else 'MISMATCH want ' + str(want)}", flush=True)
    return ok


def run_check(args) -> int:
    """Counts in both frameworks, then one training step compared between them. PyTorch and
    TensorFlow cannot share a process here (their bundled LLVMs clash), so the PyTorch side runs
    here and writes its weights, batch and results to a file that a child process, with
    TensorFlow only, reads and compares."""
    import numpy as np
    want = expected_counts(args.width, args.classes, args.hidden)
    ok = True
    if (args.width, args.classes, args.hidden) == (32, 2, 128) and want != SPEC_COUNTS:
        print(f"check arithmetic disagrees with SPEC: {want} vs {SPEC_COUNTS}")
        ok = False
    print(f"# expected at width {args.width}, classes {args.classes}, hidden {args.hidden}: "
          f"explainer {want['explainer']:,} + BN {want['explainer_bn']} (+2 running statistics), "
          f"classifier {want['classifier']:,}; forward "
          f"{forward_macs(224, args.width, args.classes, args.hidden) / 1e9:.2f} GMAC per 224x224 image",
          flush=True)

    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    # dropout 0 so that the two frameworks compute the same function
    model = build_torch_model(args.width, args.classes, args.hidden, 0.0, args.e_pool)
    ok &= check_counts("torch", torch_counts(model), want)

    side = args.check_side
    rng = np.random.default_rng(args.seed)
    x = rng.random((args.batch, 3, side, side), dtype=np.float32)
    y = (np.arange(args.batch) + 1) % args.classes
    params = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    opt = torch.optim.Adadelta(model.parameters(), lr=ADADELTA["lr"], rho=ADADELTA["rho"],
                               eps=ADADELTA["eps"])
    model.train()
    logits, e = model(torch.from_numpy(x))
    loss = torch_loss(logits, e, torch.from_numpy(y))
    loss.backward()
    opt.step()
    record = {"x": x, "y": y, "E": e.detach().numpy(), "logits": logits.detach().numpy(),
              "loss": np.array(loss.item())}
    for n, p in model.named_parameters():
        record["p0/" + n] = params[n]
        record["grad/" + n] = p.grad.numpy()
        record["p1/" + n] = p.detach().numpy()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "torch-step.npz")
        np.savez(path, **record)
        cmd = [sys.executable, os.path.abspath(__file__), "--check-keras-against", path,
               "--threads", str(args.threads), "--width", str(args.width),
               "--classes", str(args.classes), "--hidden", str(args.hidden),
               "--e-pool", args.e_pool, "--check-side", str(side)]
        rc = subprocess.run(cmd).returncode
    return 0 if ok and rc == 0 else 1


def run_keras_check(args) -> int:
    """The Keras half of --check: counts, then the same step from the PyTorch weights."""
    import numpy as np
    want = expected_counts(args.width, args.classes, args.hidden)
    try:
        tf, keras = import_tf(args.threads)
    except ImportError as exc:
        print(f"check framework=keras UNAVAILABLE ({exc}); run scripts/install-reference")
        return 1
    ref = np.load(args.check_keras_against)
    side = args.check_side
    model = build_keras_model(keras, side, args.width, args.classes, args.hidden, 0.0, args.e_pool)
    ok = check_counts("keras", keras_counts(model), want)

    kvars = {}
    for layer in model.layers:
        if not layer.weights:
            continue
        n = layer.name
        if n.endswith(".bn"):
            layer.set_weights([ref[f"p0/{n}.weight"], ref[f"p0/{n}.bias"],
                               np.zeros(1, np.float32), np.ones(1, np.float32)])
            kvars[n + ".weight"], kvars[n + ".bias"] = layer.gamma, layer.beta
        else:
            layer.set_weights([torch_to_keras(n + ".weight", ref[f"p0/{n}.weight"]),
                               ref[f"p0/{n}.bias"]])
            kvars[n + ".weight"], kvars[n + ".bias"] = layer.kernel, layer.bias
    torch_names = {k[3:] for k in ref.files if k.startswith("p0/")}
    if set(kvars) != torch_names:
        print(f"check crossframework MISMATCH: names {sorted(set(kvars) ^ torch_names)}")
        return 1

    names = list(kvars)
    variables = [kvars[n] for n in names]
    opt = keras.optimizers.Adadelta(learning_rate=ADADELTA["lr"], rho=ADADELTA["rho"],
                                    epsilon=ADADELTA["eps"])
    y = tf.constant(ref["y"])
    with tf.GradientTape() as tape:
        logits, e = model(tf.constant(ref["x"].transpose(0, 2, 3, 1)), training=True)
        ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        loss = ce + LAM_L1 * tf.reduce_sum(tf.abs(e))
    grads = tape.gradient(loss, variables)
    opt.apply_gradients(zip(grads, variables))

    tloss = float(ref["loss"])
    errs = {
        "E": scaled_err(e.numpy().transpose(0, 3, 1, 2), ref["E"]),
        "logits": scaled_err(logits.numpy(), ref["logits"]),
        "loss": abs(float(loss) - tloss) / abs(tloss),
        "grads": 0.0, "step1_update": 0.0,
    }
    # explainer.head.conv.bias has an exactly zero gradient (the BN cancels it): noise only
    noise = "explainer.head.conv.bias"
    for n, g, v in zip(names, grads, variables):
        if n == noise:
            continue
        errs["grads"] = max(errs["grads"], scaled_err(g.numpy(), torch_to_keras(n, ref["grad/" + n])))
        p0 = torch_to_keras(n, ref["p0/" + n])
        tdelta = torch_to_keras(n, ref["p1/" + n]) - p0
        errs["step1_update"] = max(errs["step1_update"], scaled_err(v.numpy() - p0, tdelta))
    tols = {"E": 1e-4, "logits": 1e-4, "loss": 1e-5, "grads": 1e-3, "step1_update": 1e-2}
    same = all(errs[k] <= tols[k] for k in tols)
    print(f"check crossframework side={side} batch={len(ref['y'])} loss_torch={tloss:.7g} "
          f"loss_keras={float(loss):.7g} "
          + " ".join(f"{k}_scaled_err={v:.2g}" for k, v in errs.items())
          + f" {'ok' if same else 'MISMATCH (tolerances ' + str(tols) + ')'}", flush=True)
    return 0 if ok and same else 1


# ----------------------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--framework", choices=("torch", "keras"), default="torch")
    p.add_argument("--side", type=int, default=224, help="input side, a multiple of 16 (224)")
    p.add_argument("--batch", type=int, default=8, help="images per step per process (8)")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads per process (1)")
    p.add_argument("--steps", type=int, default=10, help="timed steps after warm-up (10)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (2)")
    p.add_argument("--ddp-ranks", type=int, default=0,
                   help="PyTorch DDP (gloo) over N local processes; 0 = single process")
    p.add_argument("--width", type=int, default=32, help="base width (32)")
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--hidden", type=int, default=128, help="dense width (128)")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--e-pool", choices=("avg", "max"), default="avg")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--check", action="store_true",
                   help="verify parameter counts and compare one step between the frameworks")
    p.add_argument("--check-side", type=int, default=32, help="input side for --check (32)")
    p.add_argument("--check-keras-against", metavar="NPZ", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.side % 16 or args.side <= 0 or args.check_side % 16 or args.check_side <= 0:
        p.error("sides must be positive multiples of 16")
    if min(args.batch, args.threads, args.steps) < 1 or args.warmup < 0 or args.ddp_ranks < 0:
        p.error("batch, threads, steps must be >= 1; warmup, ddp-ranks >= 0")
    if args.ddp_ranks and args.framework != "torch":
        p.error("--ddp-ranks is for --framework torch")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.check_keras_against:
        return run_keras_check(args)
    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {platform.node()} "
          f"{os.cpu_count()} cpus, load {' '.join(f'{v:.2f}' for v in os.getloadavg())}, "
          f"python {platform.python_version()}", flush=True)
    if args.check:
        return run_check(args)
    if args.framework == "keras":
        result = run_keras(args)
    elif args.ddp_ranks:
        result = run_torch_ddp(args)
    else:
        result = run_torch_single(args)
    print(report(args, result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
