"""Loads an sgp model.safetensors into the matching nn.Sequential of
bench/torch_reference.py with strict names and shapes, without the
safetensors package (Debian has torch but not safetensors): the format is
an 8-byte little-endian header length, a JSON header, then raw data.

  python3 tests/integration/load_safetensors.py MODEL_NAME FILE
Prints "loaded N tensors" and the forward pass's output shape."""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from torch_reference import make_model  # noqa: E402

DTYPES = {"F32": torch.float32, "I64": torch.int64, "F64": torch.float64}


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        tensor = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[t["dtype"]])
        out[name] = tensor.reshape(t["shape"]).clone()
    return out


def main():
    name, path = sys.argv[1], sys.argv[2]
    model = make_model(name, classes=10)
    state = load(path)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.zeros(2, 1, 28, 28))
    assert torch.isfinite(y).all(), "non-finite output"
    print(f"loaded {len(state)} tensors; output {tuple(y.shape)}")


if __name__ == "__main__":
    main()
