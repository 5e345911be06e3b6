#!/usr/bin/env python3
"""nab_score.py - the scoring rules of the Numenta Anomaly Benchmark (NAB),
written from the rules as stated in issue 11 (not from NAB's code).

As a program it scores published detector outputs, to check this scorer:

  bench/nab_score.py NABDIR DETECTOR [DETECTOR...]

reads NABDIR/labels/combined_windows.json, NABDIR/results/thresholds.json
and NABDIR/results/final_results.json, and the detector outputs
DIR/DETECTOR/<folder>/DETECTOR_<file>.csv (timestamp, anomaly_score), DIR
being NABDIR/results unpacked, or --outputs DIR.  For each detector and
profile it prints the normalised score at NAB's published threshold next to
NAB's published score, and the score at the threshold this scorer finds best.

As a module (bench/nab.py uses it):
  windows(nabdir)            {relative path: [(start, end) timestamps]}
  prepare(timestamps, windows) a File: row-wise window ids and positions
  optimise(files, scores, p) (threshold, raw) maximising the raw total
  raw_score(files, scores, p, threshold)
  normalised(raw, files, p)

The rules:
- rows in time order; the first min(floor(0.15 n), 750) rows of a file are
  probationary and never scored (neither detections nor misses);
- a row is a detection when its score >= the threshold, one threshold for
  all files (none = 1.1);
- profile (A_TP, A_FP, A_FN);
- sigma(y) = 2 / (1 + exp(5 y)) - 1, and -1 for y > 3;
- in a window [a, b] of w = b - a + 1 rows, row i has y = -(b - i + 1) / w;
  a window's value is A_TP sigma(y) / sigma(-1) of its first detection, or
  -A_FN without one;
- a detection outside every window costs A_FP * -1 before the first window
  of its file has ended, else A_FP sigma((i - b') / (w' - 1)), b' and w'
  the end and width of the last window that ended before it;
- normalised = 100 (raw - null) / (perfect - null), null = -A_FN windows,
  perfect = A_TP windows, over all files.
"""
import csv
import json
import math
import os
import sys

PROFILES = {
    "standard": (1.0, 0.11, 1.0),
    "reward_low_FP_rate": (1.0, 0.22, 1.0),
    "reward_low_FN_rate": (1.0, 0.11, 2.0),
}
NONE = 1.1


def sigma(y):
    return -1.0 if y > 3 else 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def _ts(s):
    """A timestamp as in the data files, without fractional zero seconds."""
    s = s.strip()
    if "." in s:
        head, frac = s.split(".", 1)
        if frac.strip("0") == "":
            s = head
    return s


def windows(nabdir):
    with open(os.path.join(nabdir, "labels", "combined_windows.json")) as f:
        w = json.load(f)
    return {k: [(_ts(a), _ts(b)) for a, b in v] for k, v in w.items()}


class File:
    """One file's rows: for each scored row its window (-1 outside), the
    value of a detection there as a TP (sigma(y) / sigma(-1)) or the
    unweighted FP cost (sigma(x), or -1 before any window ended)."""

    def __init__(self, timestamps, wins):
        n = len(timestamps)
        index = {t: i for i, t in enumerate(timestamps)}
        spans = []
        for a, b in wins:
            if a not in index or b not in index:
                raise ValueError("window %s..%s not on a row" % (a, b))
            spans.append((index[a], index[b]))
        spans.sort()
        self.n = n
        self.nwin = len(spans)
        self.prob = min(n * 15 // 100, 750)
        win = [-1] * n
        val = [0.0] * n
        top = sigma(-1.0)
        prev = None  # (end, width) of the last window that ended
        k = 0
        for i in range(n):
            while k < len(spans) and spans[k][1] < i:
                prev = (spans[k][1], spans[k][1] - spans[k][0] + 1)
                k += 1
            if k < len(spans) and spans[k][0] <= i <= spans[k][1]:
                a, b = spans[k]
                w = b - a + 1
                win[i] = k
                val[i] = sigma(-(b - i + 1) / w) / top
            elif prev is None:
                val[i] = -1.0
            else:
                val[i] = sigma((i - prev[0]) / max(prev[1] - 1, 1))
        # windows wholly inside the probationary period cannot be scored
        self.scored_win = sorted({int(x) for x in win[self.prob:] if x >= 0})
        self.win = win[self.prob:]
        self.val = val[self.prob:]


def _parts(f, scores, profile):
    """The file's scored rows as lists: score, window (-1 outside) and the
    weighted value of a detection there."""
    tp, fp, fn = PROFILES[profile]
    if len(scores) != f.n:
        raise ValueError("%d scores for %d rows" % (len(scores), f.n))
    w = [tp * v if k >= 0 else fp * v for k, v in zip(f.win, f.val)]
    return list(scores[f.prob:]), f.win, w


def optimise(files, scores, profile):
    """The threshold maximising the raw total over FILES (a list of File)
    with SCORES (a list of score lists, one per file), trying every
    distinct score and none (1.1); (threshold, raw).  Of equal totals the
    higher threshold wins."""
    tp, fp, fn = PROFILES[profile]
    pts = []
    for n, (f, sc) in enumerate(zip(files, scores)):
        s, k, w = _parts(f, sc, profile)
        pts.extend((a, (n, b) if b >= 0 else None, c)
                   for a, b, c in zip(s, k, w))
    pts.sort(key=lambda p: -p[0])
    best = {}
    total = -fn * sum(len(f.scored_win) for f in files)  # nothing detected
    best_t, best_raw = NONE, total
    i, n = 0, len(pts)
    while i < n:
        t = pts[i][0]
        while i < n and pts[i][0] == t:
            _, k, w = pts[i]
            if k is None:
                total += w
            else:
                old = best.get(k, -fn)
                if w > old:
                    best[k] = w
                    total += w - old
            i += 1
        if total > best_raw + 1e-12:
            best_t, best_raw = t, total
    return best_t, best_raw


def raw_score(files, scores, profile, threshold):
    """The raw total at THRESHOLD (a detection is score >= THRESHOLD)."""
    tp, fp, fn = PROFILES[profile]
    total = 0.0
    for f, sc in zip(files, scores):
        s, k, w = _parts(f, sc, profile)
        best = {win: -fn for win in f.scored_win}
        for a, b, c in zip(s, k, w):
            if a >= threshold:
                if b < 0:
                    total += c
                elif c > best[b]:
                    best[b] = c
        total += sum(best.values())
    return total


def normalised(raw, files, profile):
    tp, fp, fn = PROFILES[profile]
    nwin = sum(f.nwin for f in files)
    null = -fn * sum(len(f.scored_win) for f in files)
    return 100.0 * (raw - null) / (tp * nwin - null)


def read_scores(path, column="anomaly_score"):
    """(timestamps, scores) of a CSV with a timestamp column and COLUMN;
    an empty field scores 0."""
    ts, sc = [], []
    with open(path, newline="") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        it, ic = hdr.index("timestamp"), hdr.index(column)
        for row in rd:
            ts.append(_ts(row[it]))
            sc.append(float(row[ic]) if row[ic] != "" else 0.0)
    return ts, sc


def find_nab(nabdir, top):
    """NABDIR, or where NAB is beside the source tree TOP (its shared/,
    or the shared/ beside the worktrees), if it holds data/; else None."""
    if nabdir is None:
        for c in (os.path.join(top, "..", "shared", "data", "nab"),
                  os.path.join(top, "..", "..", "shared", "data", "nab")):
            if os.path.isdir(os.path.join(c, "data")):
                return c
    if nabdir is None or not os.path.isdir(os.path.join(nabdir, "data")):
        return None
    return nabdir


def data_files(nabdir):
    """The data files' paths relative to NABDIR/data, sorted."""
    out = []
    top = os.path.join(nabdir, "data")
    for d in sorted(os.listdir(top)):
        if os.path.isdir(os.path.join(top, d)):
            for f in sorted(os.listdir(os.path.join(top, d))):
                if f.endswith(".csv"):
                    out.append(d + "/" + f)
    return out


def main(argv):
    args = argv[1:]
    outputs = None
    if len(args) >= 2 and args[0] == "--outputs":
        outputs = args[1]
        args = args[2:]
    if len(args) < 2:
        sys.stderr.write("usage: nab_score.py [--outputs DIR] NABDIR "
                         "DETECTOR...\n")
        return 2
    nabdir, detectors = args[0], args[1:]
    outputs = outputs or os.path.join(nabdir, "results")
    wins = windows(nabdir)
    with open(os.path.join(nabdir, "results", "thresholds.json")) as f:
        thresholds = json.load(f)
    with open(os.path.join(nabdir, "results", "final_results.json")) as f:
        published = json.load(f)
    rel = data_files(nabdir)
    print("| detector | profile | NAB's threshold | score there | NAB's score "
          "| best threshold here | score there |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for det in detectors:
        files, scores = [], []
        for r in rel:
            d, name = r.split("/")
            ts, sc = read_scores(os.path.join(outputs, det, d,
                                              det + "_" + name))
            files.append(File(ts, wins[r]))
            scores.append(sc)
        for prof in PROFILES:
            t = thresholds[det][prof]["threshold"]
            here = normalised(raw_score(files, scores, prof, t), files, prof)
            bt, braw = optimise(files, scores, prof)
            print("| %s | %s | %.6g | %.2f | %.2f | %.6g | %.2f |"
                  % (det, prof, t, here, published[det][prof], bt,
                     normalised(braw, files, prof)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
