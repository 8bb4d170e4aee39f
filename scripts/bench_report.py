"""Turns the raw lines of scripts/bench into docs/perf/bench.md: medians (min-max) per configuration.

Sections are replaced by name, so benchmarks run separately (--only) keep the others' results.
"""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} vCPUs, {platform.platform()}"


def spread(values):
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def sgemm_section(path, env_core):
    rates = {}  # (config, shape) -> [GFLOP/s]
    cores = {}
    for line in open(path):
        m = re.match(r"(\w+) sgemm (\S+) (\S+) ([\d.]+) GFLOP/s", line)
        if m:
            config, shape, core, rate = m.groups()
            rates.setdefault((config, shape), []).append(float(rate))
            cores[config] = core
    configs = [c for c in ("library", "xcnn", "prescott", "environment") if c in cores]
    shapes = list(dict.fromkeys(shape for _, shape in rates))
    names = {"library": "OpenBLAS's choice", "xcnn": "xcnn's choice", "prescott": "Prescott (generic)",
             "environment": f"environment (OPENBLAS_CORETYPE={env_core})"}
    out = ["## sgemm at the model's convolution shapes (1 thread, GFLOP/s, median (min–max))", "",
           "M×N×K = filters × pixels × 9·input channels, forward im2col products at 224².", "",
           "| shape | " + " | ".join(f"{names[c]}: {cores[c]}" for c in configs) + " | xcnn ÷ Prescott |",
           "|---" * (len(configs) + 2) + "|"]
    ratios = []
    for shape in shapes:
        row = [spread(rates[(c, shape)]) for c in configs]
        ratio = statistics.median(rates[("xcnn", shape)]) / statistics.median(rates[("prescott", shape)])
        ratios.append(ratio)
        out.append(f"| {shape} | " + " | ".join(row) + f" | {ratio:.1f}× |")
    out += ["", f"xcnn's choice ÷ generic Prescott kernels: {min(ratios):.1f}× to {max(ratios):.1f}× "
            f"(median {statistics.median(ratios):.1f}×)."]
    if "library" in cores and cores["library"] == cores["xcnn"]:
        out.append(f"On this CPU OpenBLAS already picks `{cores['library']}` itself, so xcnn keeps it "
                   "(no re-execution); the override matters on CPUs the library does not recognise.")
    return "\n".join(out)


def allreduce_section(path):
    times = [float(m.group(1)) for m in (re.search(r"median ([\d.]+) ms", l) for l in open(path)) if m]
    return "\n".join(["## Allreduce, 8 MB of float32 (the model's gradient), 2 ranks, shared memory", "",
                      f"Median per round of 30 in-place averages (slowest rank): "
                      f"{', '.join(f'{t:.2f}' for t in times)} ms; median {statistics.median(times):.2f} ms."])


def training_section(path):
    rows = {}  # (framework, mode, ranks, threads, side) -> {"ips": [...], "share": [...]}
    for line in open(path):
        if not (line.startswith("xcnn ") or line.startswith("reference ")):
            continue
        fields = dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)
        key = (fields["framework"], fields["mode"], int(fields["ranks"]), int(fields["threads"]), int(fields["side"]))
        entry = rows.setdefault(key, {"ips": [], "share": []})
        entry["ips"].append(float(fields["images_per_s"]))
        if "allreduce_share" in fields:
            entry["share"].append(100 * float(fields["allreduce_share"]))
    names = {("xcnn", "single"): "xcnn, 1 rank", ("xcnn", "mpi"): "xcnn, mpirun",
             ("torch", "single"): "PyTorch", ("torch", "ddp"): "PyTorch DDP (gloo)",
             ("keras", "single"): "Keras/TensorFlow"}
    out = ["## Training step: images/s, batch 8 per process, phase 3 (forward + backward + Adadelta)", "",
           "Median (min–max) over interleaved rounds; xcnn figures are its second epoch (the first warms "
           "caches) with xcnn's own BLAS kernel choice; allreduce share = time in the step's collectives, "
           "waiting for the slower rank included. Each run times 24 steps at 64² (after one warm-up step for "
           "the references) and 6 at 224².", "",
           "| side | implementation | processes × threads | images/s | allreduce share |", "|---|---|---|---|---|"]
    for key in sorted(rows, key=lambda k: (k[4], k[0] != "xcnn", k[0], k[2], k[3])):
        framework, mode, ranks, threads, side = key
        entry = rows[key]
        share = spread(entry["share"]) + " %" if entry["share"] and ranks > 1 else ""
        label = names.get((framework, mode), f"{framework} {mode}")
        out.append(f"| {side}² | {label} | {ranks} × {threads} | {spread(entry['ips'])} | {share} |")
    for side in sorted({k[4] for k in rows}):
        one = rows.get(("xcnn", "single", 1, 1, side))
        two = rows.get(("xcnn", "mpi", 2, 1, side))
        keras2 = rows.get(("keras", "single", 1, 2, side))
        ddp = rows.get(("torch", "ddp", 2, 1, side))
        notes = []
        if one and two:
            notes.append(f"2 ranks ÷ 1 rank = {statistics.median(two['ips']) / statistics.median(one['ips']):.2f}×")
        if two and keras2:
            notes.append(f"xcnn 2 ranks ÷ Keras 2 threads = {statistics.median(two['ips']) / statistics.median(keras2['ips']):.2f}×")
        if two and ddp:
            notes.append(f"xcnn 2 ranks ÷ PyTorch DDP 2×1 = {statistics.median(two['ips']) / statistics.median(ddp['ips']):.2f}×")
        if notes:
            out.append("")
            out.append(f"At {side}²: " + "; ".join(notes) + ".")
    return "\n".join(out)


def data_section(path):
    stages = {"generation_to_disk": "generation to disk (render, PNG + mask PNG + XML)",
              "generation_in_memory": "generation in memory (render, Float [3,S,S])",
              "folder_loading": "loading an image folder of PNGs (decode, Float [3,S,S])",
              "voc_loading": "loading the VOC directory (image + mask PNG, boxes)"}
    rates = {key: [] for key in stages}
    for line in open(path):
        fields = dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)
        for key in stages:
            if key in fields:
                rates[key].append(float(fields[key]))
    out = ["## Data path at 224², one core (images/s, median (min–max))", "",
           "| stage | images/s |", "|---|---|"]
    out += [f"| {stages[key]} | {spread(values)} |" for key, values in rates.items() if values]
    loading = min(statistics.median(rates["folder_loading"]), statistics.median(rates["voc_loading"]))
    out += ["", f"A batch of 8 loads in {8000 / loading:.1f} ms from disk, "
            f"{8000 / statistics.median(rates['generation_in_memory']):.1f} ms generated in memory "
            "(a 224² training step takes about 300 ms per image on one core)."]
    return "\n".join(out)


def main():
    raw, target, env_core = sys.argv[1], sys.argv[2], sys.argv[3]
    sections = {}
    if os.path.exists(target):
        text = open(target).read()
        for block in re.split(r"(?m)^(?=## )", text):
            if block.startswith("## "):
                sections[block.split("\n", 1)[0]] = block.rstrip()
    new = []
    if os.path.exists(os.path.join(raw, "sgemm.txt")):
        new.append(sgemm_section(os.path.join(raw, "sgemm.txt"), env_core))
    if os.path.exists(os.path.join(raw, "data.txt")):
        new.append(data_section(os.path.join(raw, "data.txt")))
    if os.path.exists(os.path.join(raw, "training.txt")):
        new.append(training_section(os.path.join(raw, "training.txt")))
    if os.path.exists(os.path.join(raw, "allreduce.txt")):
        new.append(allreduce_section(os.path.join(raw, "allreduce.txt")))
    stamp = f"_{datetime.date.today()} on {machine()}_"
    for block in new:
        title, body = block.split("\n", 1)
        sections[title] = f"{title}\n\n{stamp}\n{body}"
    head = "# Benchmarks (written by scripts/bench)\n"
    with open(target, "w") as f:
        f.write(head + "\n" + "\n\n".join(sections.values()) + "\n")


if __name__ == "__main__":
    main()
