#!/usr/bin/env python3
"""nab_inject.py - rnnfilter's anomaly score on NAB's real series with
anomalies of known kinds injected, scored with NAB's rules
(bench/nab_score.py): does the score find anomalies it was not tuned on?

Usage: bench/nab_inject.py [--rnnfilter BIN] [--column NAME] [--seed N]
                           [--copies C] [--jobs J] [--keep DIR] [NABDIR]
                           [-- RNNFILTER-OPTION...]
  BIN      the program [./rnnfilter next to this script's tree]
  NAME     the column of --append output scored [anomaly]
  N        the seed of the positions, signs and noise of the first copy
           [1]; copy c has seed N + c
  C        how many copies of each file are injected, each at its own
           position [3], and scored together
  J        rnnfilter runs at a time, each under nice [2]
  DIR      write there, for each kind and seed, the injected CSVs
           (KIND/seedS/FOLDER/FILE) and their windows (KIND/seedS/
           windows.json, NAB's format) with what was injected
           (KIND/seedS/injections.json)
  NABDIR   NAB's data/ and labels/ [../shared/data/nab from the source tree,
           or from its parent]; when absent the benchmark says so, exits 0

The source series: of each of NAB's 58 files, its longest stretch of rows
outside every labelled window (the whole file when it has none), fed to
rnnfilter as a file of its own.  In it, one anomaly of one kind is injected
at row i0, drawn uniformly (seeded by the seed and the file's name, the
same for every kind) so that its window lies after NAB's probationary period,
min(floor(0.15 n), 750) rows, and inside the stretch.  The window is NAB's:
w = int(0.10 n) rows for the one anomaly (0.10 n / number of anomalies),
rows i0 - w // 2 to i0 + w // 2.  The sizes are in units of the series'
robust scale s: 1.4826 times the median absolute first difference of the
rows before i0 (the mean absolute difference when that is 0, and 1% of the
mean absolute value, or 1, when the series is constant).  The kinds:

  spike    one row, row i0, +- 8 s
  shift4   a level shift of +- 4 s from row i0 to the end
  shift2   the same, 2 s
  noise3   Gaussian noise of standard deviation 3 s added to w // 2 rows
  noise1.5 the same, 1.5 s
  stuck    rows i0 .. i0 + w // 2 - 1 repeat row i0 - 1 (skipped where the
           series already holds one value for w // 2 rows before i0)
  daily    the day's pattern half a day late: from i0 on, row t takes the
           value of row t - P / 2, P the rows in a day (files sampled at a
           step that divides a day, P even, and whose daily pattern is
           real: the mean absolute difference at a lag of P / 2 at least
           1.5 times that at a lag of P); i0 is moved to the row, within a
           day after the drawn one, where x[i0 - P / 2] is closest to
           x[i0], so that the change has no step: only the past, replayed

The signs are drawn at random, but up where down would make a negative
value in a series that has none; noise is clipped at 0 there likewise;
and on a series of integers the injected values are rounded.

Each file is injected so in C copies, with seeds N to N + C - 1 (one copy
alone varies by several points with the position drawn).  Each kind's
files, all copies, are scored together, as NAB scores its corpus: at the
threshold that maximises the kind's raw total (its own), and at the
threshold chosen by NAB's real labels on the 58 whole files (rnnfilter run
on them too, as bench/nab.py does).  A window is found when any of its rows
at or after the injected row (a detection before it, in the window's first
half, is chance, though NAB counts it) scores at or above the threshold.
"""
import calendar
import concurrent.futures
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nab_score as ns  # noqa: E402

KINDS = ["spike", "shift4", "shift2", "noise3", "noise1.5", "stuck", "daily"]
PROFS = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"]


def read_series(path):
    """(timestamp strings, value strings) of a NAB data file."""
    ts, vs = [], []
    with open(path, newline="") as f:
        rd = csv.reader(f)
        hdr = next(rd)
        it, iv = hdr.index("timestamp"), hdr.index("value")
        for row in rd:
            ts.append(row[it])
            vs.append(row[iv])
    return ts, vs


def stretch(ts, wins):
    """(start, end) rows of the longest stretch outside every window."""
    index = {ns._ts(t): i for i, t in enumerate(ts)}
    spans = sorted((index[a], index[b]) for a, b in wins)
    best, prev = (0, 0), 0
    for a, b in spans + [(len(ts), len(ts))]:
        if a - prev > best[1] - best[0]:
            best = (prev, a)
        prev = max(prev, b + 1)
    return best


def scale(x):
    d = np.abs(np.diff(x))
    s = 1.4826 * float(np.median(d)) if len(d) else 0.0
    if s == 0.0 and len(d):
        s = float(np.mean(d))
    if s == 0.0:
        s = 0.01 * float(np.mean(np.abs(x))) or 1.0
    return s


def longest_run(x):
    best = run = 1
    for i in range(1, len(x)):
        run = run + 1 if x[i] == x[i - 1] else 1
        best = max(best, run)
    return best


def day_rows(ts):
    """The rows in a day when the sampling step divides a day, else 0."""
    sec = [calendar.timegm(time.strptime(ns._ts(t), "%Y-%m-%d %H:%M:%S"))
           for t in ts[:200]]
    step = int(round(float(np.median(np.diff(sec)))))
    if step <= 0 or 86400 % step:
        return 0
    p = 86400 // step
    return p if p % 2 == 0 and p >= 8 else 0


def inject(kind, x, i0, w, rng, period):
    """(Y, I0, FROM): the series X (floats) with one anomaly of KIND, the
    row it starts at and, for each row, the row of X whose value it
    repeats (-1 for a value changed); None where KIND does not apply."""
    y = x.copy()
    src = np.arange(len(x))
    n = len(x)
    s = scale(x[:i0])
    nonneg = x.min() >= 0
    half = w // 2

    def sign(size, lowest):
        """+1 or -1 at random, but +1 where -1 would make a negative
        value in a series that has none."""
        sg = rng.choice((-1.0, 1.0))
        return 1.0 if sg < 0 and nonneg and lowest - size < 0 else sg

    if kind == "spike":
        y[i0] += sign(8 * s, x[i0]) * 8 * s
        src[i0] = -1
    elif kind.startswith("shift"):
        k = float(kind[5:])
        y[i0:] += sign(k * s, x[i0:].min()) * k * s
        src[i0:] = -1
    elif kind.startswith("noise"):
        k = float(kind[5:])
        y[i0:i0 + half] += np.array([rng.gauss(0.0, k * s)
                                     for _ in range(half)])
        if nonneg:
            y = np.maximum(y, 0.0)
        src[i0:i0 + half] = -1
    elif kind == "stuck":
        if longest_run(x[:i0]) >= half:
            return None
        y[i0:i0 + half] = x[i0 - 1]
        src[i0:i0 + half] = i0 - 1
    elif kind == "daily":
        h = period // 2
        if not period or n < 2 * period or i0 < h:
            return None
        lag_h = float(np.mean(np.abs(x[period:] - x[period - h:n - h])))
        lag_p = float(np.mean(np.abs(x[period:] - x[:n - period])))
        if lag_h == 0.0 or lag_h < 1.5 * lag_p:
            return None
        # the row within a day after I0 where the replay joins without a
        # step, the window still inside the stretch
        last = min(i0 + period, n - half)
        c = range(i0, last)
        i0 = min(c, key=lambda t: abs(x[t - h] - x[t]))
        y[i0:] = x[i0 - h:n - h]
        src[i0:] = src[i0 - h:n - h]
    return y, i0, src


def fmt(v, integer):
    return "%d" % round(v) if integer else "%.10g" % v


def make_set(kind, src, seed):
    """{rel: (timestamps, csv text, (a, b) window rows, info)}."""
    out = {}
    for rel, (ts, vs, period) in src.items():
        x = np.array([float(v) for v in vs])
        n = len(x)
        prob = min(n * 15 // 100, 750)
        w = int(0.10 * n)
        half = w // 2
        pos = random.Random("%d/%s" % (seed, rel))
        i0 = pos.randint(prob + half, n - 1 - half)
        rng = random.Random("%d/%s/%s" % (seed, kind, rel))
        r = inject(kind, x, i0, w, rng, period)
        if r is None:
            continue
        y, i0, src = r
        integer = all(v.lstrip("-").isdigit() for v in vs)
        lines = ["timestamp,value"]
        for i in range(n):
            lines.append("%s,%s" % (ts[i], vs[src[i]] if src[i] >= 0
                                    else fmt(y[i], integer)))
        a, b = i0 - half, i0 + half
        info = {"row": i0, "rows": n, "scale": scale(x[:i0])}
        out[rel] = (ts, "\n".join(lines) + "\n", (a, b), info)
    return out


def run(binary, text, column, extra):
    """The score column of rnnfilter --append on the CSV TEXT."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as f:
        f.write(text)
        f.flush()
        out = subprocess.run(["nice", binary, "-q", "--append"] + extra +
                             [f.name], check=True, capture_output=True,
                             text=True).stdout
    lines = out.splitlines()
    ic = lines[0].split(",").index(column)
    return [float(r.split(",")[ic] or 0) for r in lines[1:]]


def found(files, scores, spans, t):
    return sum(any(v >= t for v in sc[a:b + 1])
               for f, sc, (a, b) in zip(files, scores, spans))


def false_alarms(files, scores, t):
    """Detections outside the windows, after the probation."""
    return sum(sum(1 for v, k in zip(sc[f.prob:], f.win) if v >= t and k < 0)
               for f, sc in zip(files, scores))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    binary = os.path.join(top, "rnnfilter")
    column, keep, nab, extra, seed, jobs = "anomaly", None, None, [], 1, 2
    copies = 3
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--rnnfilter":
            binary = args.pop(0)
        elif a == "--column":
            column = args.pop(0)
        elif a == "--keep":
            keep = args.pop(0)
        elif a == "--seed":
            seed = int(args.pop(0))
        elif a == "--copies":
            copies = int(args.pop(0))
        elif a == "--jobs":
            jobs = int(args.pop(0))
        elif a == "--":
            extra = args
            args = []
        else:
            nab = a
    nab = ns.find_nab(nab, top)
    if nab is None:
        print("bench/nab_inject.py: no NAB data (give NABDIR); skipped")
        return 0
    t0 = time.time()
    wins = ns.windows(nab)
    rel = ns.data_files(nab)
    src, whole = {}, {}
    for r in rel:
        ts, vs = read_series(os.path.join(nab, "data", r))
        with open(os.path.join(nab, "data", r)) as f:
            whole[r] = (ts, f.read())
        a, b = stretch(ts, wins[r])
        src[r] = (ts[a:b], vs[a:b], day_rows(ts[a:b]))
    seeds = list(range(seed, seed + copies))
    sets = {k: {(sd, r): v for sd in seeds
                for r, v in make_set(k, src, sd).items()} for k in KINDS}
    pool = concurrent.futures.ThreadPoolExecutor(jobs)
    real = {r: pool.submit(run, binary, whole[r][1], column, extra)
            for r in rel}
    jobsets = {k: {r: pool.submit(run, binary, v[1], column, extra)
                   for r, v in s.items()} for k, s in sets.items()}
    files = [ns.File([ns._ts(t) for t in whole[r][0]], wins[r]) for r in rel]
    nabt = {}
    rscores = [real[r].result() for r in rel]
    for p in PROFS:
        nabt[p], raw = ns.optimise(files, rscores, p)
        nabt[p] = (nabt[p], ns.normalised(raw, files, p))
    res = {}
    items = sum(len(s) for s in rscores)
    for k in KINDS:
        fs, scs, sps, sds, rels = [], [], [], [], []
        for r, (ts, text, (a, b), info) in sets[k].items():
            tsn = [ns._ts(t) for t in ts]
            fs.append(ns.File(tsn, [(tsn[a], tsn[b])]))
            scs.append(jobsets[k][r].result())
            sps.append((info["row"], b))
            sds.append(r[0])
            rels.append(r[1])
            items += len(ts)
        res[k] = (fs, scs, sps, sds, rels)
    pool.shutdown()
    secs = time.time() - t0
    if keep:
        for k in KINDS:
            for sd in seeds:
                d = os.path.join(keep, k, "seed%d" % sd)
                wj, ij = {}, {}
                for (s, r), (ts, text, (a, b), info) in sets[k].items():
                    if s != sd:
                        continue
                    path = os.path.join(d, r)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "w") as f:
                        f.write(text)
                    wj[r] = [[ns._ts(ts[a]) + ".000000",
                              ns._ts(ts[b]) + ".000000"]]
                    ij[r] = info
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "windows.json"), "w") as f:
                    json.dump(wj, f, indent=1, sort_keys=True)
                with open(os.path.join(d, "injections.json"), "w") as f:
                    json.dump(ij, f, indent=1, sort_keys=True)
    version = subprocess.run([binary, "--version"], capture_output=True,
                             text=True).stdout.split("\n")[0].strip()
    if binary == os.path.join(top, "rnnfilter"):
        head = subprocess.run(["git", "-C", top, "log", "-1",
                               "--format=%h %cs", "--", "src"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", top, "status", "--porcelain",
                                "--", "src"], capture_output=True,
                               text=True).stdout.strip()
        if head:
            version += ", src/ of commit %s%s" % (
                head, " with changes" if dirty else "")
    report(res, nabt, seeds, extra, column, len(rel), items, secs, src,
           version, (files, rscores))
    return 0


def score(fs, scs, p, t=None):
    if t is None:
        t, raw = ns.optimise(fs, scs, p)
    else:
        raw = ns.raw_score(fs, scs, p, t)
    return t, ns.normalised(raw, fs, p)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def report(res, nabt, seeds, extra, column, nfiles, items, secs, src,
           version, real):
    opts = " ".join(extra)
    t0 = nabt["standard"][0]
    print("# rnnfilter on NAB's series with injected anomalies\n")
    print("Machine: %s, %d cores.  " % (cpu_model(), os.cpu_count() or 0))
    print("Build: %s.  " % version)
    print("Date: %s.\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    print("Generated by `bench/nab_inject.py --seed %d --copies %d%s`: "
          "anomalies of each kind injected into the longest stretch outside "
          "NAB's labelled windows of each of its %d files, one per file, "
          "%d times (seeds %d to %d: %d copies of each file, the same %d "
          "positions for every kind; the kinds, the sizes and the windows "
          "are in the script's header), `rnnfilter -q --append%s FILE` on "
          "each injected file and on NAB's whole files (%d items, %.1f s "
          "in all, two at a time), column `%s`, scored with NAB's rules by "
          "`bench/nab_score.py`. Each kind's files are scored together: at "
          "the threshold that maximises the kind's raw total (\"own\") and "
          "at the threshold NAB's real labels choose on the %d whole files "
          "(\"NAB's\": standard %.10g, scoring %.1f there). Found: windows "
          "with a row at or after the injection (not before it, in the "
          "window's first half, where NAB would count a chance detection "
          "too) at or above the threshold; false alarms: rows after the "
          "probation, outside the windows, at or above NAB's threshold.\n"
          % (seeds[0], len(seeds), " -- " + opts if opts else "", nfiles,
             len(seeds), seeds[0], seeds[-1], len(seeds), len(seeds),
             " " + opts if opts else "", items, secs, column, nfiles, t0,
             nabt["standard"][1]))
    lens = sorted(len(v[0]) for v in src.values())
    print("The stretches have %d to %d rows (median %d); their window is "
          "10%% of that.\n" % (lens[0], lens[-1], lens[len(lens) // 2]))
    print("| kind | files | found, own | found, NAB's | false alarms, NAB's "
          "| standard, own | standard, NAB's | own threshold |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    tot = {"own": [], "nab": []}
    allf, alls, allp = [], [], []
    for k in KINDS:
        fs, scs, sps, sds, _ = res[k]
        t, own = score(fs, scs, "standard")
        _, at = score(fs, scs, "standard", t0)
        tot["own"].append(own)
        tot["nab"].append(at)
        allf += fs
        alls += scs
        allp += sps
        print("| %s | %d | %d of %d | %d | %d | %.1f | %.1f | %.10g |"
              % (k, len(fs) // len(seeds), found(fs, scs, sps, t), len(fs),
                 found(fs, scs, sps, t0), false_alarms(fs, scs, t0), own,
                 at, t))
    t, own = score(allf, alls, "standard")
    _, at = score(allf, alls, "standard", t0)
    print("| mean of the kinds | | | | | %.1f | %.1f | |"
          % (sum(tot["own"]) / len(KINDS), sum(tot["nab"]) / len(KINDS)))
    print("| all kinds pooled | | %d of %d | %d | %d | %.1f | %.1f | %.10g |"
          % (found(allf, alls, allp, t), len(allf),
             found(allf, alls, allp, t0), false_alarms(allf, alls, t0),
             own, at, t))
    fs, scs = real
    hit = sum(len({k for v, k in zip(sc[f.prob:], f.win) if v >= t0 and
                   k >= 0}) for f, sc in zip(fs, scs))
    print("| NAB's own labels, whole files | %d | | %d of %d, any row | %d "
          "| | %.1f | %.10g |\n"
          % (len(fs), hit, sum(len(f.scored_win) for f in fs),
             false_alarms(fs, scs, t0), nabt["standard"][1], t0))
    print("The files column counts each file once (%d copies of each). "
          "The daily kind applies to %d files: %s.\n"
          % (len(seeds), len(res["daily"][0]) // len(seeds),
             ", ".join(sorted({r.split("/")[1][:-4]
                               for r in res["daily"][4]}))))
    print("Each file here has one window where NAB's have %d to %d (%.1f "
          "on average), so a false alarm weighs more against the windows "
          "than on NAB: the scores are comparable between kinds, and "
          "between versions of rnnfilter, more than with NAB's.\n"
          % (min(f.nwin for f in real[0]), max(f.nwin for f in real[0]),
             sum(f.nwin for f in real[0]) / len(real[0])))
    print("Each copy alone (one seed: the position drawn matters), mean of "
          "the kinds' standard scores at their own threshold / at NAB's: "
          "%s.\n" % ", ".join(
              "seed %d %.1f / %.1f" % ((sd,) + per_seed(res, sd, t0))
              for sd in seeds))
    print("The other two profiles, own threshold / NAB's (NAB's: "
          "reward_low_FP %.10g, scoring %.1f on NAB; reward_low_FN %.10g, "
          "%.1f):\n" % (nabt["reward_low_FP_rate"][0],
                        nabt["reward_low_FP_rate"][1],
                        nabt["reward_low_FN_rate"][0],
                        nabt["reward_low_FN_rate"][1]))
    print("| kind | reward_low_FP, own | reward_low_FP, NAB's "
          "| reward_low_FN, own | reward_low_FN, NAB's |")
    print("|---|---:|---:|---:|---:|")
    for k in KINDS + ["all kinds pooled"]:
        fs, scs = (allf, alls) if k not in res else res[k][:2]
        row = []
        for p in PROFS[1:]:
            row += [score(fs, scs, p)[1], score(fs, scs, p, nabt[p][0])[1]]
        print("| %s | %.1f | %.1f | %.1f | %.1f |" % tuple([k] + row))


def per_seed(res, sd, t0):
    """The mean over the kinds of the standard score of copy SD alone, at
    each kind's own threshold and at T0."""
    own, at = [], []
    for k in KINDS:
        fs, scs, _, sds, _ = res[k]
        f1 = [f for f, s in zip(fs, sds) if s == sd]
        s1 = [c for c, s in zip(scs, sds) if s == sd]
        own.append(score(f1, s1, "standard")[1])
        at.append(score(f1, s1, "standard", t0)[1])
    return sum(own) / len(own), sum(at) / len(at)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
