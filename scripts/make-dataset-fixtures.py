#!/usr/bin/env python3
"""Writes the image/XML fixtures of Tests/DatasetsTests/Fixtures (good/ and bad/); committed once, rerun to refresh.
Needs numpy and Pillow (JPEG encoding only; PNGs are written by hand to control every chunk)."""
import os, struct, zlib, io
import numpy as np
from PIL import Image

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DatasetsTests", "Fixtures")
good, bad = os.path.join(root, "good"), os.path.join(root, "bad")
os.makedirs(good, exist_ok=True)
os.makedirs(bad, exist_ok=True)

# The pattern every good image holds (odd sizes catch stride mistakes); the tests compute the same.
W, H = 7, 5
y, x = np.mgrid[0:H, 0:W]
rgb = np.stack([x * 30, y * 50, (x + y) * 10], axis=-1).astype(np.uint8)
gray = (x * 30 + y * 10).astype(np.uint8)

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

def png(width, height, depth, colour, rows, extra=b"", interlace=0):
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)

def jpeg(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **options)
    return out.getvalue()

# --- good: every PNG colour type and depth the loader converts, and JPEGs
write(good, "rgb.png", png(W, H, 8, 2, [r.tobytes() for r in rgb]))
write(good, "gray.png", png(W, H, 8, 0, [r.tobytes() for r in gray]))
alpha = np.full((H, W), 77, np.uint8)
write(good, "gray-alpha.png", png(W, H, 8, 4, [np.stack([g, a], -1).tobytes() for g, a in zip(gray, alpha)]))
write(good, "rgba.png", png(W, H, 8, 6, [np.concatenate([r, alpha[i][:, None]], -1).tobytes() for i, r in enumerate(rgb)]))
rgb16 = rgb.astype(">u2") * 257  # v * 257 keeps v in the high byte, so stripping to 8 bits gives v back
write(good, "rgb16.png", png(W, H, 16, 2, [r.tobytes() for r in rgb16]))
write(good, "gray16.png", png(W, H, 16, 0, [r.tobytes() for r in gray.astype(">u2") * 257]))
# Palette: one entry per pixel colour, plus a tRNS chunk (dropped with alpha).
colours = [tuple(c) for c in rgb.reshape(-1, 3)]
palette = sorted(set(colours))
index = np.array([palette.index(c) for c in colours], np.uint8).reshape(H, W)
plte = chunk(b"PLTE", b"".join(bytes(c) for c in palette)) + chunk(b"tRNS", bytes([128] * len(palette)))
write(good, "palette.png", png(W, H, 8, 3, [r.tobytes() for r in index], extra=plte))
checker = ((x + y) % 2).astype(np.uint8)  # 1-bit gray: a checkerboard, 0 -> 0 and 1 -> 255 after expansion
write(good, "gray1.png", png(W, H, 1, 0, [np.packbits(r).tobytes() for r in checker]))
write(good, "rgb.jpg", jpeg(Image.fromarray(rgb, "RGB")))
write(good, "gray.jpeg", jpeg(Image.fromarray(gray, "L")))
write(good, "progressive.jpg", jpeg(Image.fromarray(rgb, "RGB"), progressive=True))

# --- bad images
valid_png = png(W, H, 8, 2, [r.tobytes() for r in rgb])
valid_jpg = jpeg(Image.fromarray(np.tile(rgb, (8, 8, 1)), "RGB"))
write(bad, "empty.png", b"")
write(bad, "truncated.png", valid_png[: len(valid_png) // 2])
write(bad, "truncated.jpg", valid_jpg[: len(valid_jpg) // 2])
write(bad, "text.png", b"this is a text file, not a PNG\n")
write(bad, "garbage.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 2)
write(bad, "cmyk.jpg", jpeg(Image.fromarray(np.zeros((H, W, 4), np.uint8), "CMYK")))
huge = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
write(bad, "huge-header.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", huge) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
# A JPEG whose SOF claims 60000 x 60000 (libjpeg itself accepts up to 65500).
sof = valid_jpg.index(b"\xff\xc0")
write(bad, "huge-header.jpg", valid_jpg[: sof + 5] + struct.pack(">HH", 60000, 60000) + valid_jpg[sof + 9 :])
# A decompression bomb's header: 16384² one-bit gray (the whole image compresses to 33 KB and
# decodes to 805 MB of RGB); only four rows are stored, since the header alone must be refused.
bomb = struct.pack(">IIBBBBB", 16384, 16384, 1, 0, 0, 0, 0)
write(bad, "bomb-16384.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bomb) + chunk(b"IDAT", zlib.compress(b"\x00" * (4 * 2049), 9)) + chunk(b"IEND", b""))
corrupt = bytearray(valid_png)
corrupt[-13] ^= 0xFF  # the last byte of IDAT's CRC (IEND is the final 12 bytes): data intact, checksum wrong
write(bad, "bad-crc.png", bytes(corrupt))
write(bad, "notes.txt", b"a stray non-image file in a class folder\n")

# --- bad annotations
def annotation(filename="000999.png", objects="", size="<size><width>32</width><height>32</height><depth>3</depth></size>", head=""):
    return (head + "<annotation><filename>%s</filename>%s%s</annotation>\n" % (filename, size, objects)).encode()
box = "<object><name>triangle</name><bndbox><xmin>%d</xmin><ymin>2</ymin><xmax>%d</xmax><ymax>9</ymax></bndbox></object>"
write(bad, "malformed.xml", b"<annotation><filename>000000.png</filename><size><width>32</width></annotation>\n")
write(bad, "missing-image.xml", annotation("does-not-exist.png"))
write(bad, "traversal.xml", annotation("../../etc/passwd"))
write(bad, "doctype-xxe.xml", annotation(head='<?xml version="1.0"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', filename="&xxe;"))
lol = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
write(bad, "entity-bomb.xml", annotation(head=lol, filename="&lol2;"))
write(bad, "box-outside.xml", annotation(objects=box % (3, 40)))
write(bad, "box-inverted.xml", annotation(objects=box % (20, 10)))
write(bad, "no-filename.xml", b"<annotation><size><width>32</width><height>32</height><depth>3</depth></size></annotation>\n")
write(bad, "wrong-root.xml", b"<html><filename>000000.png</filename></html>\n")
write(bad, "zero-size.xml", annotation(size="<size><width>0</width><height>32</height><depth>3</depth></size>"))
write(bad, "empty.xml", b"")
