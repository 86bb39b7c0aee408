"""Recompute a sensitivity sweep's indices with SALib from its runs.csv alone, and print them
beside agora's sensitivity.csv.

    pip install SALib==1.6.0
    python3 tests/reference/sensitivity/check_with_salib.py RESULTS_DIR [METRIC ...]

RESULTS_DIR is the folder `agora sweep` wrote. A point's output is the mean of its replicates
(they share their random numbers with every other point's). For a `sobol` design the runs are
put in SALib's order (per base row: A, AB_1..AB_k, BA_1..BA_k, B) from the `block` and `row`
columns; for a `morris` design the unit-scale positions SALib reads each step's axis and
direction from are rebuilt from the `moved` and `delta` columns, and the grid's levels follow from
`delta`. Metrics undefined in some runs are skipped, as agora leaves their indices empty. SALib's intervals come from its own bootstrap,
so they differ from agora's by resampling noise; the point estimates agree to rounding.
"""

import csv
import os
import sys
from collections import defaultdict

import numpy as np
from SALib.analyze import morris, sobol


def main():
    folder = sys.argv[1]
    rows = list(csv.DictReader(open(os.path.join(folder, "runs.csv"))))
    agora = list(csv.DictReader(open(os.path.join(folder, "sensitivity.csv"))))
    metrics = sys.argv[2:] or ["final_members", "retention_30d", "total_revenue"]
    header = list(rows[0].keys())
    is_sobol = "block" in header
    first_metric = header.index("final_members")
    axes = header[3 : header.index("block" if is_sobol else "trajectory")]
    problem = {"num_vars": len(axes), "names": axes, "bounds": [[0, 1]] * len(axes)}
    by_point = defaultdict(list)
    for r in rows:
        by_point[int(r["point"])].append(r)
    points = [by_point[p] for p in sorted(by_point)]
    for metric in metrics:
        if any(r[metric] == "" for r in rows):
            print(f"{metric}: undefined in some runs (agora leaves its indices empty too)")
            continue
        y = np.array([np.mean([float(r[metric]) for r in reps]) for reps in points])
        mine = {r["axis"]: r for r in agora if r["metric"] == metric and not r.get("other_axis")}
        print(f"{metric}:")
        if is_sobol:
            order = ["A"] + [f"AB_{a}" for a in axes] + [f"BA_{a}" for a in axes] + ["B"]
            second = any(reps[0]["block"].startswith("BA_") for reps in points)
            if not second:
                order = [b for b in order if not b.startswith("BA_")]
            rank = {b: i for i, b in enumerate(order)}
            keys = [(int(reps[0]["row"]), rank[reps[0]["block"]]) for reps in points]
            y = y[np.argsort([k[0] * len(order) + k[1] for k in keys], kind="stable")]
            s = sobol.analyze(problem, y, calc_second_order=second, seed=1)
            for i, a in enumerate(axes):
                m = mine[a]
                print(
                    f"  {a}: S1 {s['S1'][i]:.6g} ± {s['S1_conf'][i]:.3g} (agora {float(m['S1']):.6g} ± {float(m['S1_ci']):.3g}), "
                    f"ST {s['ST'][i]:.6g} ± {s['ST_conf'][i]:.3g} (agora {float(m['ST']):.6g} ± {float(m['ST_ci']):.3g})"
                )
        else:
            # The grid's levels from the step: delta = levels / (2 (levels - 1)).
            delta = max(abs(float(r["delta"])) for r in rows if r["delta"])
            levels = round(2 * delta / (2 * delta - 1))
            # SALib reads each step's axis and direction from X: rebuild unit-scale positions
            # from the placement columns (axis values may be text, logarithmic or rounded).
            x, here = [], None
            for reps in points:
                r = reps[0]
                if r["step"] == "0":
                    here = [0.0] * len(axes)
                else:
                    here = list(here)
                    here[axes.index(r["moved"])] += float(r["delta"])
                x.append(here)
            x = np.array(x)
            s = morris.analyze(problem, x, y, num_levels=levels, seed=1)
            for i, a in enumerate(axes):
                m = mine[a]
                print(
                    f"  {a}: mu* {s['mu_star'][i]:.6g} ± {s['mu_star_conf'][i]:.3g} (agora {float(m['mu_star']):.6g} ± {float(m['mu_star_ci']):.3g}), "
                    f"mu {s['mu'][i]:.6g} (agora {float(m['mu']):.6g}), sigma {s['sigma'][i]:.6g} (agora {float(m['sigma']):.6g})"
                )


if __name__ == "__main__":
    main()
