"""Reference forecasts for bench/forecast: statsmodels' SARIMAX on M4 Hourly,
with the order chosen as auto.arima (Hyndman and Khandakar 2008) chooses it.

statsmodels has no auto_arima, so this script carries the same search as
loadpilot's `arima`: D = 1 when the STL seasonal strength exceeds 0.64, d by
repeated KPSS tests at 5 % (trunc(3 sqrt(n) / 13) lags) on the seasonally
differenced series, then the stepwise search over p, q <= 5, P, Q <= 2 and
the constant (a mean for d + D = 0, a drift for d + D = 1), starting from
(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1), by AICc of
exact Gaussian maximum-likelihood fits (SARIMAX on the differenced series),
rejecting fits with an AR or MA root within 1.01 of the unit circle, at most
94 models. The chosen model is refitted on the levels and forecasts 48 steps
with its 95 % Gaussian interval. Writes the same CSV as
bench/forecast_reference.py (series, h, mean, lo95, hi95, fit_seconds). Run
by bench/forecast with the project's virtualenv; not product code.
"""
import argparse
import csv
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.stattools import kpss

H, M = 48, 24
MAX_P, MAX_Q, MAX_SP, MAX_SQ, MAX_MODELS = 5, 5, 2, 2, 94


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


def is_constant(x):
    return np.ptp(x) <= 1e-10 * max(np.abs(x).max(), 1e-300)


def seasonal_d(y):
    if len(y) < 2 * M + 1 or is_constant(y):
        return 0
    fit = STL(y, period=M).fit()
    both = fit.seasonal + fit.resid
    strength = max(0.0, 1 - np.var(fit.resid) / np.var(both)) if np.var(both) > 0 else 0.0
    return 1 if strength > 0.64 else 0


def first_d(x, max_d=2):
    d = 0
    if is_constant(x):
        return 0
    while d < max_d:
        stat = kpss(x, regression="c", nlags=int(3 * np.sqrt(len(x)) / 13))[0]
        if stat <= 0.463:
            break
        d += 1
        x = np.diff(x)
        if is_constant(x):
            break
    return d


def roots_clear(res, order, seasonal):
    p, _, q = order
    sp, _, sq, m = seasonal
    margin = 1.01
    polys = []
    if p:
        polys.append((np.r_[1, -res.arparams[:p]], margin))
    if q:
        polys.append((np.r_[1, res.maparams[:q]], margin))
    if sp:
        polys.append((np.r_[1, -res.seasonalarparams[:sp]], margin ** m))
    if sq:
        polys.append((np.r_[1, res.seasonalmaparams[:sq]], margin ** m))
    for coef, bound in polys:
        roots = np.polynomial.polynomial.polyroots(coef)
        if len(roots) and np.abs(roots).min() <= bound:
            return False
    return True


def fit_one(w, p, q, sp, sq, constant):
    order, seasonal = (p, 0, q), (sp, 0, sq, M if (sp or sq) else 0)
    try:
        # cov_type "none": the search needs the likelihood, not standard errors.
        res = SARIMAX(w, order=order, seasonal_order=seasonal, trend="c" if constant else "n",
                      concentrate_scale=True).fit(disp=False, maxiter=50, cov_type="none")
    except Exception:  # a model that cannot be fitted is skipped
        return np.inf, None
    if not np.isfinite(res.aicc) or not roots_clear(res, order, seasonal):
        return np.inf, None
    return res.aicc, res


def search(y):
    D = seasonal_d(y)
    x = y[M:] - y[:-M] if D else y
    d = first_d(x)
    w = x
    for _ in range(d):
        w = np.diff(w)
    allow_c = d + D <= 1
    fitted = {}
    best = [np.inf, None, None]

    def attempt(p, q, sp, sq, c):
        key = (p, q, sp, sq, c)
        if key in fitted or len(fitted) >= MAX_MODELS:
            return False
        ic, res = fit_one(w, p, q, sp, sq, c)
        fitted[key] = ic
        if ic < best[0]:
            best[:] = [ic, key, res]
            return True
        return False

    attempt(2, 2, 1, 1, allow_c)
    attempt(0, 0, 0, 0, allow_c)
    attempt(1, 0, 1, 0, allow_c)
    attempt(0, 1, 0, 1, allow_c)
    if allow_c:
        attempt(0, 0, 0, 0, False)
    steps = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]
    moved = best[1] is not None
    while moved and len(fitted) < MAX_MODELS:
        moved = False
        p, q, sp, sq, c = best[1]
        for a, b in steps:
            if 0 <= sp + a <= MAX_SP and 0 <= sq + b <= MAX_SQ and attempt(p, q, sp + a, sq + b, c):
                moved = True
                break
        if moved:
            continue
        for a, b in steps:
            if 0 <= p + a <= MAX_P and 0 <= q + b <= MAX_Q and attempt(p + a, q + b, sp, sq, c):
                moved = True
                break
        if moved:
            continue
        if allow_c:
            moved = attempt(p, q, sp, sq, not c)
    return d, D, best[1], best[2], len(fitted)


def forecast(y):
    d, D, key, res, tried = search(y)
    p, q, sp, sq, c = key if key else (0, 0, 0, 0, False)
    model = SARIMAX(y, order=(p, d, q), seasonal_order=(sp, D, sq, M if (sp or D or sq) else 0),
                    trend="c" if c else "n", concentrate_scale=True)
    start = res.params if res is not None else None
    fit = model.fit(start_params=start, disp=False, maxiter=50, cov_type="none")
    frame = fit.get_forecast(H).summary_frame(alpha=0.05)
    name = f"ARIMA({p},{d},{q})({sp},{D},{sq})[{M}]{' c' if c else ''}"
    return frame["mean"].to_numpy(), frame["mean_ci_lower"].to_numpy(), frame["mean_ci_upper"].to_numpy(), name, tried


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
            try:
                mean, lo, hi, name, tried = forecast(y)
            except Exception as e:  # reported, and the bench skips the series
                print(f"{sid}: statsmodels SARIMAX failed: {e}", file=sys.stderr)
                continue
            seconds = time.perf_counter() - start
            for h in range(H):
                out.writerow([sid, h + 1, mean[h], lo[h], hi[h], f"{seconds:.4f}" if h == 0 else ""])
            f.flush()
            print(f"statsmodels SARIMAX: {i + 1}/{len(rows)} {sid} {name}, {tried} models, "
                  f"{seconds:.1f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
