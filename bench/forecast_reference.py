"""Reference forecasts for bench/forecast: statsmodels' ETS on M4 Hourly.

Fits, per series, the same candidate models loadpilot's `ets` considers for
hourly data with a daily season (ETS(A,N,A), (A,A,A), (A,Ad,A) and, for
positive series, (M,N,M), (M,A,M), (M,Ad,M)), keeps the lowest AICc, and
writes the 48-step mean and 95 % interval (simulated, 1000 paths) with the fit
time. Run by bench/forecast with the project's virtualenv; not product code.
"""
import argparse
import csv
import sys
import time
import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

H, M = 48, 24


def read_m4(path, limit):
    rows = []
    with open(path) as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            values = [float(v) for v in row[1:] if v != ""]
            rows.append((row[0], np.array(values)))
            if len(rows) == limit:
                break
    return rows


def best_ets(y):
    candidates = [("add", None, False, "add"), ("add", "add", False, "add"), ("add", "add", True, "add")]
    if np.all(y > 0):
        candidates += [("mul", None, False, "mul"), ("mul", "add", False, "mul"), ("mul", "add", True, "mul")]
    best = None
    for error, trend, damped, seasonal in candidates:
        try:
            model = ETSModel(pd.Series(y), error=error, trend=trend, damped_trend=damped, seasonal=seasonal,
                             seasonal_periods=M)
            fit = model.fit(disp=False, maxiter=1000)
        except Exception:  # a model that cannot be fitted is skipped, as in ours
            continue
        if np.isfinite(fit.aicc) and (best is None or fit.aicc < best.aicc):
            best = fit
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train", required=True)
    p.add_argument("--series", type=int, default=414)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    rows = read_m4(args.train, args.series)
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["series", "h", "mean", "lo95", "hi95", "fit_seconds"])
        for i, (sid, y) in enumerate(rows):
            start = time.perf_counter()
            fit = best_ets(y)
            if fit is None:
                print(f"{sid}: no statsmodels ETS model could be fitted", file=sys.stderr)
                continue
            np.random.seed(1)  # the simulated intervals
            pred = fit.get_prediction(start=len(y), end=len(y) + H - 1, method="simulated",
                                      simulate_repetitions=1000)
            frame = pred.summary_frame(alpha=0.05)
            seconds = time.perf_counter() - start
            for h in range(H):
                out.writerow([sid, h + 1, frame["mean"].iloc[h], frame["pi_lower"].iloc[h],
                              frame["pi_upper"].iloc[h], f"{seconds:.4f}" if h == 0 else ""])
            if (i + 1) % 20 == 0:
                print(f"statsmodels ETS: {i + 1}/{len(rows)} series", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
