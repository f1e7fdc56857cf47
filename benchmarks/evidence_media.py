"""What stripping a phone video costs the request that receives it.

Builds a video like a phone's (1920x1080 H.264 at 30 frames a second, AAC stereo at 48 kHz,
about 10 MB, with GPS, make and model tags), then runs the evidence check on it as the report
form does (type by content, parse, remux, hashes) several times. Prints the median and slowest
wall and CPU time, the CPU time of the remux alone (the rest is the type check, mutagen's parse
and two SHA-256 hashes), the packets copied, and how far the process's resident memory rose
above what it held before (its high-water mark, reset before the first run).

    .venv/bin/python benchmarks/evidence_media.py [--megabytes 10] [--runs 7]
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

import av

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from reporting.evidence import checks, media  # noqa: E402

SECONDS_PER_MB = 0.5  # at 16 Mbit/s, a phone's usual rate for 1080p


def phone_video(megabytes):
    seconds = max(1.0, megabytes * SECONDS_PER_MB)
    rng = random.Random(1)
    # A few frames of noise in turn: the encoder cannot shrink them, so the rate holds.
    noise = [rng.randbytes(1920 * 1080) for _ in range(4)]
    out = io.BytesIO()
    with av.open(out, "w", format="mov") as container:
        container.metadata.update(
            {
                "location": "+39.9042+116.4074+050.000/",
                "make": "PhoneMaker",
                "model": "Model X",
                "creation_time": "2025-05-01T12:00:00Z",
            }
        )
        picture = container.add_stream("libx264", rate=30)
        picture.width, picture.height, picture.pix_fmt = 1920, 1080, "yuv420p"
        rate = int(megabytes * 8_000 / seconds)  # kbit/s
        picture.bit_rate = rate * 1000
        picture.options = {
            "preset": "ultrafast",
            "x264-params": f"vbv-maxrate={rate}:vbv-bufsize={rate}",
        }
        sound = container.add_stream("aac", rate=48000, layout="stereo")
        for n in range(int(seconds * 30)):
            frame = av.VideoFrame(1920, 1080, "yuv420p")
            for index, plane in enumerate(frame.planes):
                plane.update(noise[(n + index) % 4][: plane.buffer_size])
            frame.pts = n
            for packet in picture.encode(frame):
                container.mux(packet)
        for packet in picture.encode():
            container.mux(packet)
        samples = sound.codec_context.frame_size
        for n in range(int(seconds * 48000) // samples):
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate, frame.pts = 48000, n * samples
            for packet in sound.encode(frame):
                container.mux(packet)
        for packet in sound.encode():
            container.mux(packet)
    return out.getvalue()


def memory_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=float, default=10.0, help="1 to 18, default 10")
    parser.add_argument("--runs", type=int, default=7, choices=range(1, 31), metavar="1-30")
    options = parser.parse_args()
    # The encoder overshoots its rate a little: 18 stays under the 20 MB upload limit.
    if not 1 <= options.megabytes <= 18:
        parser.error("--megabytes: from 1 to 18")
    data = phone_video(options.megabytes)
    with av.open(io.BytesIO(data)) as container:
        packets = sum(1 for packet in container.demux() if packet.dts is not None)
    # The high-water mark from here on: the video above was built in this process.
    Path("/proc/self/clear_refs").write_text("5")
    before = memory_kb("VmRSS")
    walls, cpus, remux = [], [], []
    for _run in range(options.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        processed = checks.process("VID_0001.mov", data)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        cpu = time.process_time()
        media.strip(data, "video/quicktime")
        remux.append(time.process_time() - cpu)
    risen = memory_kb("VmHWM") - before
    print(
        f"video: {len(data) / 1e6:.1f} MB, {packets} packets; stored {processed.size / 1e6:.1f} MB"
    )
    for label, times in (("wall", walls), ("cpu", cpus), ("cpu of the remux alone", remux)):
        median, slowest = statistics.median(times) * 1000, max(times) * 1000
        print(f"{label}: median {median:.0f} ms, slowest {slowest:.0f} ms")
    print(f"resident memory rose by at most {risen / 1024:.0f} MB above {before / 1024:.0f} MB")


if __name__ == "__main__":
    main()
