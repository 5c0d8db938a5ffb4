#!/usr/bin/env python3
"""scikit-learn references for bench/nab: IsolationForest or OneClassSVM run
over every NAB series under exactly the streaming protocol of loadpilot's
iforest/ocsvm detector plugins (plugins/detect-ml/src/sliding_window.hpp):

  per series, for each point t in order: form x_t (the last `shingle` values,
  oldest first; until that many exist the score is 0 and nothing is added);
  score x_t with the current model (0 before the first fit); append x_t to
  the window of the most recent `window` vectors; once `train_min` vectors
  have arrived, fit on the window, and again every `refit_every` vectors.

  iforest: IsolationForest(n_estimators=trees, max_samples=min(subsample, n),
           random_state=seed); score = -score_samples(x) = 2^(-E[h(x)]/c(psi)).
  ocsvm:   features standardised with the window's mean and population std at
           fit time (std 0 -> 1); OneClassSVM(kernel="rbf", nu, gamma=1/features
           unless given, tol=1e-3); with d = decision_function(z) and
           rho = offset_ (1 when |rho| <= 1e-12, as in the plugin),
           score = 1 / (1 + exp(10 d / rho)).

Points between two fits are scored in one batch with the model of the time,
which gives the same scores as one call per point, much faster.

Writes OUT/<series path>.scores (one score per line, repr precision) and
OUT/timing.json ({"fit_score_seconds": ...}). Progress goes to stderr.
bench/nab runs it with the project virtualenv: .venv/bin/python.
"""

import argparse
import collections
import csv
import json
import os
import sys
import time

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.svm import OneClassSVM


def series_files(nab_root):
    """Data files as NAB's corpus finds them, sorted like bench/nab's corpus."""
    data = os.path.join(nab_root, "data")
    if not os.path.isdir(data):
        sys.exit(f"nab_reference: {data}: no such directory (is this a NAB root?)")
    names = []
    for folder, _, files in os.walk(data):
        for f in files:
            if f.endswith(".csv") and not f.startswith("."):
                rel = os.path.relpath(os.path.join(folder, f), data)
                names.append(rel.replace(os.sep, "/"))
    return data, sorted(names)


def read_values(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header != ["timestamp", "value"]:
            sys.exit(f"nab_reference: {path}: expected the header timestamp,value")
        return [float(r[1]) for r in rows if r]


class IforestModel:
    def __init__(self, args):
        self.args = args

    def fit(self, window):
        n = window.shape[0]
        self.model = IsolationForest(
            n_estimators=self.args.trees,
            max_samples=min(self.args.subsample, n),
            random_state=self.args.seed,
        ).fit(window)

    def score(self, xs):
        return -self.model.score_samples(xs)


class OcsvmModel:
    def __init__(self, args):
        self.args = args

    def fit(self, window):
        self.mean = window.mean(axis=0)
        std = window.std(axis=0)  # population std, like the plugin
        std[std == 0] = 1.0
        self.std = std
        gamma = self.args.gamma if self.args.gamma > 0 else 1.0 / window.shape[1]
        self.model = OneClassSVM(kernel="rbf", nu=self.args.nu, gamma=gamma, tol=1e-3)
        self.model.fit((window - self.mean) / self.std)

    def score(self, xs):
        d = self.model.decision_function((xs - self.mean) / self.std)
        rho = float(self.model.offset_[0])
        if abs(rho) <= 1e-12:  # as the plugin does: no division by ~0
            rho = 1.0
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return 1.0 / (1.0 + np.exp(10.0 * d / rho))


def run_series(values, make_model, args):
    scores = np.zeros(len(values))
    last = collections.deque(maxlen=args.shingle)
    window = collections.deque(maxlen=args.window)
    model = None
    count = 0
    since_fit = 0
    pending_rows, pending_x = [], []
    fit_score = 0.0

    def flush():
        nonlocal fit_score
        if pending_rows:
            t0 = time.perf_counter()
            scores[pending_rows] = model.score(np.array(pending_x))
            fit_score += time.perf_counter() - t0
            pending_rows.clear()
            pending_x.clear()

    for t, v in enumerate(values):
        last.append(v)
        if len(last) < args.shingle:
            continue
        x = list(last)
        if model is not None:
            pending_rows.append(t)
            pending_x.append(x)
        window.append(x)
        count += 1
        since_fit += 1
        if count >= args.train_min and (model is None or since_fit >= args.refit_every):
            if model is not None:
                flush()  # scored by the model of their time
            model = make_model()
            t0 = time.perf_counter()
            model.fit(np.array(window))
            fit_score += time.perf_counter() - t0
            since_fit = 0
    if model is not None:
        flush()
    bad = np.flatnonzero(~np.isfinite(scores))
    if bad.size:
        raise ValueError(f"row {bad[0]}: the score is not finite")
    return scores, fit_score


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["iforest", "ocsvm"], required=True)
    p.add_argument("--nab", required=True, help="the NAB root (data/ under it)")
    p.add_argument("--out", required=True, help="directory for the score files")
    p.add_argument("--shingle", type=int, default=1)
    p.add_argument("--window", type=int, default=1024)
    p.add_argument("--train-min", type=int, default=256)
    p.add_argument("--refit-every", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--trees", type=int, default=100, help="iforest: n_estimators")
    p.add_argument("--subsample", type=int, default=256, help="iforest: max_samples cap")
    p.add_argument("--nu", type=float, default=0.1, help="ocsvm")
    p.add_argument("--gamma", type=float, default=0.0, help="ocsvm: 0 means 1 / features")
    args = p.parse_args()
    if args.shingle < 1 or args.train_min < 1 or args.window < args.train_min or args.refit_every < 1:
        p.error("need shingle >= 1, train-min >= 1, window >= train-min, refit-every >= 1")

    model_class = IforestModel if args.model == "iforest" else OcsvmModel
    data, names = series_files(args.nab)
    total = 0.0
    for i, name in enumerate(names, 1):
        values = read_values(os.path.join(data, name))
        try:
            scores, seconds = run_series(values, lambda: model_class(args), args)
        except Exception as e:  # name the series, then fail
            sys.exit(f"nab_reference: {args.model}: {name}: {e}")
        total += seconds
        out = os.path.join(args.out, name + ".scores")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as f:
            f.write("".join(repr(float(s)) + "\n" for s in scores))
        print(f"sklearn {args.model}: {i}/{len(names)} {name}", file=sys.stderr, flush=True)
    with open(os.path.join(args.out, "timing.json"), "w") as f:
        json.dump({"fit_score_seconds": total, "series": len(names)}, f)


if __name__ == "__main__":
    main()
