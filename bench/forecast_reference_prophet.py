"""Reference forecasts for bench/forecast: the real Prophet on M4 Hourly.

Fits PyPI `prophet` (pinned in scripts/python-requirements.txt) with its
default settings to each series, the values placed on hourly timestamps from
a fixed date (M4 gives none; the Fourier terms absorb the phase), and writes
the 48-step mean (yhat) and 95 % interval (interval_width 0.95 from 1000
uncertainty samples, seeded) with the fit + forecast time. Same CLI and CSV
as bench/forecast_reference.py. Run by bench/forecast with the project's
virtualenv; not product code.
"""
import argparse
import csv
import logging
import sys
import time
import warnings

import numpy as np
import pandas as pd
from prophet import Prophet

H = 48
START = pd.Timestamp("2017-01-01 00:00:00")


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


def forecast(y):
    history = pd.DataFrame({"ds": pd.date_range(START, periods=len(y), freq="h"), "y": y})
    np.random.seed(1)  # the simulated intervals
    model = Prophet(interval_width=0.95, uncertainty_samples=1000)
    model.fit(history)
    future = model.make_future_dataframe(periods=H, freq="h", include_history=False)
    return model.predict(future)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train", required=True)
    p.add_argument("--series", type=int, default=414)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    warnings.filterwarnings("ignore")
    for name in ("prophet", "cmdstanpy"):  # per-fit INFO lines
        logging.getLogger(name).disabled = True
    rows = read_m4(args.train, args.series)
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["series", "h", "mean", "lo95", "hi95", "fit_seconds"])
        for i, (sid, y) in enumerate(rows):
            start = time.perf_counter()
            try:
                frame = forecast(y)
            except Exception as e:  # reported, and the series left out, as in the ETS reference
                print(f"{sid}: prophet failed: {e}", file=sys.stderr)
                continue
            seconds = time.perf_counter() - start
            for h in range(H):
                out.writerow([sid, h + 1, frame["yhat"].iloc[h], frame["yhat_lower"].iloc[h],
                              frame["yhat_upper"].iloc[h], f"{seconds:.4f}" if h == 0 else ""])
            if (i + 1) % 20 == 0:
                print(f"prophet: {i + 1}/{len(rows)} series", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
