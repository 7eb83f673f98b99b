"""Benchmark: ingest of a 12 MP phone-like JPEG, against a naive full-resolution pipeline.

Field staff upload batches of photos from a phone on site; each one is hashed, read, turned,
shrunk twice and stored while they wait. The goal is ≤ 0.4 s per photo on a 2-core server.

    python bench/photos.py [--runs 7]

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageOps  # noqa: E402

from field import photos  # noqa: E402
from tests.photo_factory import make_jpeg  # noqa: E402


def naive_ingest(data: bytes, store: photos.PhotoStore) -> tuple[bytes, bytes]:
    """What one writes first: decode everything, turn everything, resample from full size twice."""
    sha = hashlib.sha256(data).hexdigest()
    img = Image.open(io.BytesIO(data))
    img.getexif()
    img.load()
    upright = ImageOps.exif_transpose(img)
    out = []
    for side in (photos.DISPLAY_MAX_SIDE, photos.THUMB_MAX_SIDE):
        k = side / max(upright.size)
        small = upright.resize((round(upright.width * k), round(upright.height * k)), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        small.save(buf, "JPEG", quality=photos.DISPLAY_QUALITY)
        out.append(buf.getvalue())
    store.put(sha, "jpg", data, out[0], out[1])
    return out[0], out[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    data = make_jpeg(
        4000, 3000, detailed=True, quality=90, orientation=6, gps=(116.8386, 38.3037),
        taken_at=datetime(2024, 5, 24, 9, 30, tzinfo=timezone(timedelta(hours=8))), make="BenchCam",
    )
    fast_times: list[float] = []
    naive_times: list[float] = []
    result = None
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        for i in range(args.runs):
            # Alternate the two so machine noise hits both alike; a fresh store each time so
            # nothing is skipped as already stored.
            store = photos.LocalPhotoStore(Path(tmp) / f"fast{i}")
            t0 = time.perf_counter()
            result = photos.ingest(data, "bench.jpg", store)
            fast_times.append(time.perf_counter() - t0)
            assert result.created

            naive_store = photos.LocalPhotoStore(Path(tmp) / f"naive{i}")
            t0 = time.perf_counter()
            naive_ingest(data, naive_store)
            naive_times.append(time.perf_counter() - t0)
        assert result is not None
        display_bytes = (store.root / result.display_path).stat().st_size
        thumb_bytes = (store.root / result.thumb_path).stat().st_size

    median = statistics.median(fast_times)
    naive_median = statistics.median(naive_times)
    print(json.dumps({
        "bench": "photo_ingest",
        "median_s": round(median, 4),
        "thumb_bytes": thumb_bytes,
        "display_bytes": display_bytes,
        "naive_median_s": round(naive_median, 4),
        "ratio": round(naive_median / median, 2),
        "runs": args.runs,
        "min_s": round(min(fast_times), 4),
        "max_s": round(max(fast_times), 4),
        "original_bytes": len(data),
        "megapixels": 12.0,
    }))


if __name__ == "__main__":
    main()
