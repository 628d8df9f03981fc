"""Headless Chromium for the HTML report's tests, and a tiny PNG decoder (zlib only):
enough to tell a rendered page from a blank one."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(chromium: str, tmp: Path, page: str, *args: str) -> subprocess.CompletedProcess[
        str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir()
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", *args, page]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def dump_dom(chromium: str, tmp: Path, page: str) -> str:
    return run_chromium(chromium, tmp, page, "--window-size=1280,900", "--dump-dom").stdout


def screenshot(chromium: str, tmp: Path, page: str, png: Path) -> Path:
    run_chromium(chromium, tmp, page, f"--screenshot={png}", "--window-size=1280,900")
    assert png.is_file(), f"chromium wrote no screenshot at {png}"
    print(f"\nscreenshot of {page}: {png}")
    return png


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """``(width, height, rows)`` of an 8-bit RGB or RGBA PNG, rows unfiltered."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat = 8, []
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filt, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if filt == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif filt == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif filt == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif filt == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prev[i]
                c = prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        else:
            assert filt == 0, f"unknown PNG filter {filt}"
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def colour_counts(path: Path) -> tuple[int, int, Counter[bytes]]:
    width, height, rows = png_pixels(path)
    channels = len(rows[0]) // width
    counts: Counter[bytes] = Counter()
    for row in rows:
        for x in range(0, width * channels, channels):
            counts[row[x:x + 3]] += 1
    return width, height, counts


def assert_not_blank(png: Path) -> None:
    width, height, counts = colour_counts(png)
    assert (width, height) == (1280, 900)
    most = counts.most_common(1)[0][1]
    assert len(counts) > 200, f"{png}: only {len(counts)} colours: a blank page?"
    assert most < 0.8 * width * height, f"{png}: one colour covers most of the page"
