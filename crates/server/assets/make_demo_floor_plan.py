#!/usr/bin/env python3
"""Draws the demo's floor plan (demo_floor_plan.png): a corridor below, two offices and a
meeting room above, walls, doors and windows, 1000 x 600 px. The demo places its desks on
it (`demo_mobile_work.rs`: x 10/24/43/57 %, y 40 %). Run once; the PNG is committed."""
import struct, zlib, pathlib

W, H = 1000, 600
FLOOR, WALL, ROOM_A, ROOM_B, MEETING, CORRIDOR, WINDOW, DOOR = (
    (246, 244, 239), (60, 60, 66), (232, 240, 250), (236, 246, 234), (250, 240, 226),
    (238, 238, 238), (150, 190, 225), (246, 244, 239))
px = [[FLOOR] * W for _ in range(H)]

def rect(x0, y0, x1, y1, c):
    for y in range(max(0, y0), min(H, y1)):
        row = px[y]
        for x in range(max(0, x0), min(W, x1)):
            row[x] = c

# Rooms (x 40–960, y 40–400), the corridor below.
rect(40, 40, 340, 400, ROOM_A)
rect(340, 40, 640, 400, ROOM_B)
rect(640, 40, 960, 400, MEETING)
rect(40, 400, 960, 560, CORRIDOR)
# Outer walls, inner walls.
for x0, y0, x1, y1 in [(34, 34, 966, 40), (34, 560, 966, 566), (34, 34, 40, 566), (960, 34, 966, 566),
                       (40, 398, 960, 404), (337, 40, 343, 400), (637, 40, 643, 400)]:
    rect(x0, y0, x1, y1, WALL)
# Windows in the outer wall, doors to the corridor.
for x in (90, 230, 390, 530, 700, 840):
    rect(x, 34, x + 70, 40, WINDOW)
for x in (150, 450, 760):
    rect(x, 398, x + 60, 404, DOOR)
# Desks as light tables under the markers (x 10/24/43/57 %, y 40 %), a meeting table.
for x in (100, 240, 430, 570):
    rect(x - 50, 200, x + 50, 280, (214, 206, 190))
rect(700, 160, 900, 300, (214, 206, 190))

raw = b"".join(b"\x00" + bytes(c for p in row for c in p) for row in px)

def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
out = pathlib.Path(__file__).with_name("demo_floor_plan.png")
out.write_bytes(png)
print(out, len(png), "bytes")
