#!/usr/bin/python3
"""bench/level.py - which deflate setting a large model file should be saved
with: the payload of each model file given (zcat of it) deflated by the zlib
rnnfilter links, as a gzip member, with each setting that could serve it,
for its size against the payload and its CPU MB/s to deflate and to inflate.
The files of bench/level.md are those of bench/keybytes.sh's stream of 2000
keys, saved with -m, with independent keys and with --global.

    /usr/bin/python3 bench/level.py MODEL.rnn... > bench/level.md
"""
import gzip
import os
import sys
import time
import zlib

SETTINGS = [
    ("stored (level 0)", 0, zlib.Z_DEFAULT_STRATEGY),
    ("Huffman only (level 1)", 1, zlib.Z_HUFFMAN_ONLY),
    ("run-length (level 1)", 1, zlib.Z_RLE),
    ("level 1", 1, zlib.Z_DEFAULT_STRATEGY),
]


def cpu():
    t = os.times()
    return t.user + t.system


def main(paths):
    print("# Deflate settings for a large model file")
    print()
    print("zlib %s.  Date: %s." % (zlib.ZLIB_RUNTIME_VERSION,
                                    time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    print("Command: /usr/bin/python3 bench/level.py %s" % " ".join(
        os.path.basename(p) for p in paths))
    print()
    print("| model file | payload MB | setting | size / payload "
          "| deflate MB/s CPU | inflate MB/s CPU |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    fast = {}
    for p in paths:
        with gzip.open(p, "rb") as f:
            data = f.read()
        mb = len(data) / 1e6
        for name, level, strategy in SETTINGS:
            t = cpu()
            z = zlib.compressobj(level, zlib.DEFLATED, 31, 8, strategy)
            out = z.compress(data) + z.flush()
            dt = cpu() - t
            t = cpu()
            zlib.decompress(out, 31)
            it = cpu() - t
            print("| %s | %.1f | %s | %.3f | %.0f | %.0f |" % (
                os.path.basename(p), mb, name, len(out) / len(data),
                mb / dt if dt > 0 else 0, mb / it if it > 0 else 0))
            ok = dt > 0 and mb / dt >= 200 and it > 0 and mb / it >= 200
            fast[name] = fast.get(name, True) and ok
    print()
    print("The target (issue 13): save and load at 200 MB/s of model file or "
          "more.  Settings that meet it on every file here: %s.  rnnfilter "
          "stores payloads above 4 MiB (HUFFMAN_MAX in src/modelio.c) and "
          "Huffman-codes smaller ones, whose time does not matter." %
          (", ".join(n for n in fast if fast[n]) or "none"))


if __name__ == "__main__":
    main(sys.argv[1:])
