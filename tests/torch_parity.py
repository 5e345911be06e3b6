#!/usr/bin/python3
"""torch_parity.py - rnnfilter's predictions against an independent PyTorch
implementation of its online protocol (rnnfilter(1), PROTOCOL).

For every case the same series is run through `rnnfilter` and through the
reference below, which starts from the same initial weights, and the two
streams of predictions are compared item by item: a case passes when every
|a - b| <= TOL * max(|b|, S), S being the population standard deviation of the
target over the rows used.  Prints the largest relative difference per case
and exits 1 if any case exceeds TOL (2 on a usage or setup error).

The reference, per item x_t (numbers; the network input is [z_target,
z_input...]):
  1. score   the prediction made at t-h meets its target, in scaled units
             (x_t - base_s) / scale_s;
  2. learn   once K pairs are pending: loss = mean over them of (y - target)^2,
             backpropagated through the last T steps ending at the latest
             pair's step from a constant entering state, clipped by
             torch.nn.utils.clip_grad_norm_, one torch.optim step;
  3. advance the cells (torch.rnn_tanh_cell, rnn_relu_cell, lstm_cell,
             gru_cell; stacked) take z_t, scaled with the statistics from
             before x_t (z = 0 for the first item);
  4. predict y = head(h_top), written as base + scale * y.
With --no-learn the whole series goes through torch.nn.RNN/LSTM/GRU and
torch.nn.Linear modules loaded with load_state_dict instead.

Steps older than the last update (T > K, or horizon > 1) keep the activations
computed with the weights of their time, and rnnfilter backpropagates through
them with the current weight matrices (it caches activations, not weights).
The reference reproduces exactly that: such a step's affine maps get a
detached correction to the biases, so that their values are the old weights'
and their gradients (for the weights and through W^T) the current ones'.
--verbose also prints the distance to "snapshot" semantics, where each step's
own weights serve in the backward pass too (per-update leaf tensors whose
gradients are summed into the current parameters).

Initial weights: from `rnnfilter --model FILE --dump` when the build has it,
and always also from a reimplementation of the seeded initialisation
(src/rng.c xoshiro256** seeded by splitmix64; each parameter in state_dict
order = (2u - 1)/sqrt(H), u = (next >> 11) * 2^-53, in double, then float32).
When both are available they must agree exactly.

Usage: torch_parity.py [--rnnfilter PROG] [--data DIR] [--case SUBSTR]...
                       [--tol X] [--weights auto|seed|dump] [--verbose]
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

M64 = (1 << 64) - 1
GATES = {"rnn": 1, "relu": 1, "lstm": 4, "gru": 3}


# --- the seeded initialisation, reimplemented --------------------------------

class Rng:
	def __init__(self, seed):
		x = seed & M64
		self.s = []
		for _ in range(4):
			x = (x + 0x9E3779B97F4A7C15) & M64
			z = x
			z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
			z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
			self.s.append(z ^ (z >> 31))

	@staticmethod
	def rotl(x, k):
		return ((x << k) | (x >> (64 - k))) & M64

	def next(self):
		s = self.s
		result = (self.rotl((s[1] * 5) & M64, 7) * 9) & M64
		t = (s[1] << 17) & M64
		s[2] ^= s[0]
		s[3] ^= s[1]
		s[1] ^= s[2]
		s[0] ^= s[3]
		s[2] ^= t
		s[3] = self.rotl(s[3], 45)
		return result

	def uniform(self):
		return (self.next() >> 11) * 2.0 ** -53


def shapes(cell, H, L, nin):
	"""(name, shape) in state_dict order."""
	gh = GATES[cell] * H
	out = []
	for l in range(L):
		inl = nin if l == 0 else H
		out += [("weight_ih_l%d" % l, (gh, inl)), ("weight_hh_l%d" % l, (gh, H)),
		    ("bias_ih_l%d" % l, (gh,)), ("bias_hh_l%d" % l, (gh,))]
	return out + [("head.weight", (1, H)), ("head.bias", (1,))]


def seeded_params(cell, H, L, nin, seed, forget_bias=0.0):
	rng = Rng(seed)
	bound = 1.0 / math.sqrt(H)
	params = {}
	for name, shp in shapes(cell, H, L, nin):
		n = 1
		for d in shp:
			n *= d
		vals = [(2 * rng.uniform() - 1) * bound for _ in range(n)]
		params[name] = torch.tensor(vals, dtype=torch.float64).float().reshape(shp)
	if cell == "lstm" and forget_bias != 0:
		for l in range(L):
			params["bias_ih_l%d" % l][H:2 * H] = forget_bias
			params["bias_hh_l%d" % l][H:2 * H] = 0
	return params


def dumped_params(prog, opts, tmpdir):
	"""Initial weights through --model/--dump, or None if the build lacks them."""
	path = os.path.join(tmpdir, "init.rnn")
	if os.path.exists(path):
		os.unlink(path)
	try:
		r = subprocess.run([prog, "-q", "--model", path] + opts,
		    stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
		if r.returncode != 0 or not os.path.exists(path):
			return None, None
		r = subprocess.run([prog, "--model", path, "--dump"],
		    stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
		if r.returncode != 0:
			return None, None
		d = json.loads(r.stdout)
		return {k: torch.tensor(v, dtype=torch.float32)
		    for k, v in d["params"].items()}, path
	except (OSError, ValueError, KeyError, subprocess.SubprocessError):
		return None, None


# --- running statistics (src/norm.c) -----------------------------------------

class Norm:
	def __init__(self):
		self.n = 0.0
		self.mean = 0.0
		self.m2 = 0.0

	def get(self):
		sd = math.sqrt(self.m2 / self.n) if self.n > 0 else 0.0
		if sd > 0:
			return self.mean, sd
		if self.mean != 0:
			return self.mean, abs(self.mean)
		return self.mean, 1.0

	def scale(self, x):
		if self.n == 0:
			return 0.0
		m, sc = self.get()
		return (x - m) / sc

	def update(self, x):
		d = x - self.mean
		self.n += 1
		self.mean += d / self.n
		self.m2 += d * (x - self.mean)


def f32(x):
	return float(torch.tensor(x, dtype=torch.float32))


# --- one cell step, functional ------------------------------------------------

def cell_step(cell, W, L, x, state, old=None):
	"""x: (1, nin); state: list of (h, c) per layer.  Returns new state, h_top.

	With OLD (the weights a cached step was computed with), each layer's two
	affine maps take the value of OLD's but the gradient of W's: a detached
	correction is added to the biases, and torch's cell does the rest.
	"""
	new = []
	inp = x
	for l in range(L):
		h, c = state[l]
		names = ("weight_ih_l%d" % l, "weight_hh_l%d" % l,
		    "bias_ih_l%d" % l, "bias_hh_l%d" % l)
		w_ih, w_hh, b_ih, b_hh = (W[n] for n in names)
		if old is not None:
			o_ih, o_hh, ob_ih, ob_hh = (old[n] for n in names)
			with torch.no_grad():
				b_ih = b_ih + (F.linear(inp, o_ih, ob_ih) -
				    F.linear(inp, w_ih, W[names[2]]))[0]
				b_hh = b_hh + (F.linear(h, o_hh, ob_hh) -
				    F.linear(h, w_hh, W[names[3]]))[0]
			b_ih = W[names[2]] + (b_ih - W[names[2]]).detach()
			b_hh = W[names[3]] + (b_hh - W[names[3]]).detach()
		w = (w_ih, w_hh, b_ih, b_hh)
		if cell == "lstm":
			h, c = torch.lstm_cell(inp, (h, c), *w)
		elif cell == "gru":
			h = torch.gru_cell(inp, h, *w)
		elif cell == "relu":
			h = torch.rnn_relu_cell(inp, h, *w)
		else:
			h = torch.rnn_tanh_cell(inp, h, *w)
		new.append((h, c))
		inp = h
	return new, inp


def head(top, W, old=None):
	y = F.linear(top, W["head.weight"], W["head.bias"])
	if old is not None:
		y = y + (F.linear(top, old["head.weight"], old["head.bias"]) -
		    y).detach()
	return y


OPTIMIZERS = {
	"sgd": torch.optim.SGD, "adam": torch.optim.Adam,
	"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
}


class Step:
	__slots__ = ("z", "state_in", "ver", "target")

	def __init__(self, z, state_in, ver):
		self.z = z
		self.state_in = state_in
		self.ver = ver
		self.target = None


def reference_learn(rows, c, init, semantics):
	"""The online protocol with learning; ROWS are lists [target, inputs...]."""
	cell, H, L, K, T, h = c["cell"], c["H"], c["L"], c["K"], c["T"], c["h"]
	P = {k: v.clone().requires_grad_(True) for k, v in init.items()}
	opt = OPTIMIZERS[c["opt"]](list(P.values()), lr=c["lr"])
	snaps = {0: {k: v.detach().clone() for k, v in P.items()}}
	ver = 0
	steps = {}
	ncol = len(rows[0])
	norms = [Norm() for _ in range(ncol)]
	pend = [None] * h
	zero = torch.zeros(1, H)
	state = [(zero, zero) for _ in range(L)]
	t = 0
	pairs = 0
	out = []

	def eff(v):
		"""(weights, old) for a step computed with version V."""
		if v == ver:
			return P, None
		old = snaps[v]
		if semantics == "snapshot":
			return {k: old[k] + (P[k] - P[k].detach()) for k in P}, None
		return P, old

	for row in rows:
		x = row[0]
		# 1. score
		if t >= h:
			base, scale, _, _ = pend[t % h]
			steps[t - h].target = f32((x - base) / scale)
			pairs += 1
		# 2. learn
		if c["learn"] and pairs >= K:
			pairs = 0
			e = t - h
			first = e + 1 - K
			start = max(0, e + 1 - T)
			st = steps[start].state_in
			losses = []
			effs = {}
			for s in range(start, e + 1):
				rec = steps[s]
				if rec.ver not in effs:
					effs[rec.ver] = eff(rec.ver)
				W, old = effs[rec.ver]
				st, top = cell_step(cell, W, L, rec.z, st, old)
				if s >= first:
					y = head(top, W, old)
					losses.append((y[0, 0] - rec.target) ** 2)
			loss = torch.stack(losses).mean()
			opt.zero_grad()
			loss.backward()
			if c["clip"] > 0:
				torch.nn.utils.clip_grad_norm_(list(P.values()), c["clip"])
			opt.step()
			ver += 1
			snaps[ver] = {k: v.detach().clone() for k, v in P.items()}
			for v in [v for v in snaps if v < steps[max(0, t - T - h)].ver]:
				del snaps[v]
		# 3. advance
		z = [f32(norms[i].scale(row[i])) for i in range(ncol)]
		for i in range(ncol):
			norms[i].update(row[i])
		zt = torch.tensor([z], dtype=torch.float32)
		steps[t] = Step(zt, state, ver)
		steps.pop(t - T - h - 1, None)
		with torch.no_grad():
			state, top = cell_step(cell, P, L, zt, state)
			y = head(top, P)
		state = [(a.detach(), b.detach()) for a, b in state]
		# 4. predict
		mean, scale = norms[0].get()
		base = mean if c["predict"] == "level" else x
		# naive while the target has no spread (rnnfilter(1))
		pred = base + scale * float(y[0, 0]) if norms[0].m2 > 0 else x
		pend[t % h] = (base, scale, pred, x)
		out.append(pred)
		t += 1
	return out


def reference_modules(rows, c, init):
	"""--no-learn: the whole series through torch.nn modules."""
	cell, H, L = c["cell"], c["H"], c["L"]
	nin = len(rows[0])
	if cell == "lstm":
		net = torch.nn.LSTM(nin, H, L)
	elif cell == "gru":
		net = torch.nn.GRU(nin, H, L)
	else:
		net = torch.nn.RNN(nin, H, L,
		    nonlinearity="relu" if cell == "relu" else "tanh")
	lin = torch.nn.Linear(H, 1)
	net.load_state_dict({k: v for k, v in init.items()
	    if not k.startswith("head.")})
	lin.load_state_dict({"weight": init["head.weight"],
	    "bias": init["head.bias"]})
	norms = [Norm() for _ in range(nin)]
	zs, bases = [], []
	for row in rows:
		zs.append([f32(norms[i].scale(row[i])) for i in range(nin)])
		for i in range(nin):
			norms[i].update(row[i])
		mean, scale = norms[0].get()
		bases.append((mean if c["predict"] == "level" else row[0], scale,
		    norms[0].m2 > 0, row[0]))
	with torch.no_grad():
		seq = torch.tensor(zs, dtype=torch.float32).unsqueeze(1)
		hs, _ = net(seq)
		ys = lin(hs[:, 0, :])[:, 0].tolist()
	# naive while the target has no spread (rnnfilter(1))
	return [b + s * y if sp else x for (b, s, sp, x), y in zip(bases, ys)]


# --- cases --------------------------------------------------------------------

def case(name, **kw):
	c = dict(name=name, data="sunspot_month.csv", column="sunspots",
	    inputs=None, rows=600, cell="lstm", H=16, L=1, K=8, T=8, h=1,
	    opt="adam", lr=0.01, clip=5.0, learn=True, predict="change",
	    seed=7, forget_bias=0.0)
	c.update(kw)
	return c


def cases():
	out = []
	for cell in ("rnn", "relu", "lstm", "gru"):
		for L in (1, 2):
			out.append(case("%s L%d no-learn" % (cell, L), cell=cell, L=L,
			    learn=False))
			out.append(case("%s L%d adam K8" % (cell, L), cell=cell, L=L))
		out.append(case("%s sgd K8" % cell, cell=cell, opt="sgd", lr=0.05))
		out.append(case("%s adam K4 T12" % cell, cell=cell, K=4, T=12))
		out.append(case("%s adam h2 K8 T10" % cell, cell=cell, h=2, T=10))
	out += [
		case("lstm adagrad K8", opt="adagrad", lr=0.05),
		case("gru rmsprop K8", cell="gru", opt="rmsprop", lr=0.003),
		case("lstm L2 adam predict level", L=2, predict="level"),
		case("gru no clip K6 T9", cell="gru", clip=0.0, K=6, T=9),
		case("lstm forget-bias 1 H32", H=32, forget_bias=1.0),
		case("msft lstm Close+Volume adam", data="msft_daily_ohlcv.csv",
		    column="Close", inputs="Volume", rows=249),
		case("msft gru L2 Close+Volume T>K", data="msft_daily_ohlcv.csv",
		    column="Close", inputs="Volume", rows=249, cell="gru", L=2,
		    K=5, T=11),
		case("msft rnn Close+Volume no-learn", data="msft_daily_ohlcv.csv",
		    column="Close", inputs="Volume", rows=249, cell="rnn",
		    learn=False),
	]
	return out


def load_rows(path, column, inputs, n):
	with open(path, newline="") as f:
		rd = csv.reader(f)
		hdr = next(rd)
		cols = [hdr.index(column)] + ([hdr.index(inputs)] if inputs else [])
		rows = []
		for r in rd:
			if len(rows) == n:
				break
			rows.append([float(r[i]) for i in cols])
	return hdr, cols, rows


def options(c):
	o = ["--cell", c["cell"], "-H", str(c["H"]), "-L", str(c["L"]),
	    "-K", str(c["K"]), "-T", str(c["T"]), "--horizon", str(c["h"]),
	    "--optimizer", c["opt"], "--lr", repr(c["lr"]),
	    "--clip", repr(c["clip"]), "--seed", str(c["seed"]),
	    "--predict", c["predict"]]
	if c["forget_bias"]:
		o += ["--forget-bias", repr(c["forget_bias"])]
	return o


def run_case(c, a, tmpdir):
	hdr, cols, rows = load_rows(os.path.join(a.data, c["data"]), c["column"],
	    c["inputs"], c["rows"])
	series = os.path.join(tmpdir, "series.csv")
	with open(series, "w") as f:
		f.write(",".join(hdr[i] for i in cols) + "\n")
		for r in rows:
			f.write(",".join(repr(v) for v in r) + "\n")
	nin = len(cols)
	opts = options(c)
	col = ["--column", c["column"]] + (["--inputs", c["inputs"]]
	    if c["inputs"] else [])
	init = seeded_params(c["cell"], c["H"], c["L"], nin, c["seed"],
	    c["forget_bias"])
	source = "seed"
	model = None
	if a.weights != "seed":
		dumped, model = dumped_params(a.rnnfilter, opts + col, tmpdir)
		if dumped is None and a.weights == "dump":
			raise SystemExit("torch_parity: %s: --model/--dump failed"
			    % c["name"])
		if dumped is not None:
			if sorted(dumped) != sorted(init) or any(
			    not torch.equal(dumped[k], init[k]) for k in init):
				print("FAIL %s: --dump's initial weights differ from the "
				    "seeded initialisation" % c["name"])
				return None
			init = dumped
			source = "dump"
	argv = [a.rnnfilter, "-q", "--precision", "17"] + col
	argv += opts + (["--model", model] if model else [])
	if not c["learn"]:
		argv.append("--no-learn")
	r = subprocess.run(argv + [series], capture_output=True, text=True,
	    timeout=300)
	if r.returncode != 0:
		print("FAIL %s: rnnfilter exited %d: %s" % (c["name"], r.returncode,
		    r.stderr.strip()))
		return None
	got = [float(v) for v in r.stdout.split()]
	if c["learn"]:
		want = reference_learn(rows, c, init, "current")
	else:
		want = reference_modules(rows, c, init)
	if len(got) != len(want):
		print("FAIL %s: %d predictions, expected %d" % (c["name"], len(got),
		    len(want)))
		return None
	xs = [r[0] for r in rows]
	mu = sum(xs) / len(xs)
	S = math.sqrt(sum((v - mu) ** 2 for v in xs) / len(xs))
	worst, at = 0.0, 0
	for i, (g, w) in enumerate(zip(got, want)):
		d = abs(g - w) / max(abs(w), S)
		if d > worst:
			worst, at = d, i
	extra = ""
	if a.verbose and c["learn"] and (c["T"] > c["K"] or c["h"] > 1):
		snap = reference_learn(rows, c, init, "snapshot")
		ds = max(abs(g - w) / max(abs(w), S) for g, w in zip(got, snap))
		extra = "  (vs snapshot backward: %.2e)" % ds
	return worst, at, source, extra


def main():
	p = argparse.ArgumentParser()
	p.add_argument("--rnnfilter", default=os.environ.get("RNNFILTER",
	    "./rnnfilter"))
	top = os.environ.get("top_srcdir", os.path.join(os.path.dirname(
	    os.path.abspath(__file__)), ".."))
	p.add_argument("--data", default=os.path.join(top, "data"))
	p.add_argument("--case", action="append", default=[])
	p.add_argument("--tol", type=float, default=1e-4)
	p.add_argument("--weights", choices=("auto", "seed", "dump"),
	    default="auto")
	p.add_argument("--verbose", action="store_true")
	a = p.parse_args()
	bad = 0
	ran = 0
	with tempfile.TemporaryDirectory() as tmpdir:
		for c in cases():
			if a.case and not any(s in c["name"] for s in a.case):
				continue
			ran += 1
			r = run_case(c, a, tmpdir)
			if r is None:
				bad += 1
				continue
			worst, at, source, extra = r
			ok = worst <= a.tol
			bad += not ok
			print("%s %-34s max rel diff %.2e (item %d, weights %s)%s" % (
			    "ok  " if ok else "FAIL", c["name"], worst, at + 1, source,
			    extra))
	print("%d passed, %d failed" % (ran - bad, bad))
	return 1 if bad else 0


if __name__ == "__main__":
	sys.exit(main())
