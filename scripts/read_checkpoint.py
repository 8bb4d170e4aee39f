"""Opens an xcnn checkpoint with Python's safetensors (as a user would) and checks what it holds.

Usage: python3 scripts/read_checkpoint.py CHECKPOINT
Installs the `safetensors` package with pip if it is missing.
"""
import json
import subprocess
import sys


def main() -> int:
    try:
        from safetensors import safe_open
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "safetensors", "numpy"], check=True)
        from safetensors import safe_open
    path = sys.argv[1]
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
        names = list(f.keys())
        conv = f.get_tensor("explainer.enc1.conv1.weight")
        out = f.get_tensor("classifier.out.weight")
    cursor = json.loads(metadata["cursor"])
    assert metadata["format"] == "xcnn-checkpoint", metadata.get("format")
    assert conv.ndim == 4 and conv.shape[1:] == (3, 3, 3), conv.shape  # [w, 3, 3, 3], PyTorch layout
    assert out.ndim == 2, out.shape
    assert "explainer.head.bn.running_var" in names
    print(f"python safetensors: {len(names)} tensors, explainer.enc1.conv1.weight {conv.shape}, "
          f"phase {cursor['phase']} step {cursor['globalStep']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
