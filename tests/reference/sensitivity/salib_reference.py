"""Reference values for agora's sensitivity estimators, computed with SALib.

Run from the repository root (SALib 1.6.0, numpy 2):

    pip install SALib==1.6.0
    python3 tests/reference/sensitivity/salib_reference.py

It writes, next to this file:
- sobol_ishigami.csv: the outputs Y of the Ishigami function on SALib's Saltelli design
  (N = 256, second order, scrambled Sobol' with seed 42), one row per model run in SALib's
  order (A, AB_1..AB_k, BA_1..BA_k, B for each base row), and
- sobol_ishigami_indices.csv: SALib's S1, ST and S2 for those outputs;
- morris_g.csv: the unit-scale inputs X and outputs Y of the Sobol' g-function
  (a = 0, 1, 4.5, 9, 99, 99) on SALib's Morris design (20 trajectories, 4 levels, seed 7), and
- morris_g_indices.csv: SALib's mu, mu_star and sigma for them.

tests/sensitivity.rs feeds the same outputs to agora's estimators and checks they agree.
"""

import csv
import os

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami, Sobol_G

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(x)) if not isinstance(x, str) else x for x in r])


# Sobol' indices of the Ishigami function.
problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
X = sobol_sample.sample(problem, 256, calc_second_order=True, scramble=True, seed=42)
Y = Ishigami.evaluate(X)
write("sobol_ishigami.csv", ["y"], [[y] for y in Y])
S = sobol_analyze.analyze(problem, Y, calc_second_order=True, seed=1)
rows = []
for i, n in enumerate(problem["names"]):
    rows.append([n, "", S["S1"][i], S["ST"][i], ""])
for i in range(3):
    for j in range(i + 1, 3):
        rows.append([problem["names"][i], problem["names"][j], "", "", S["S2"][i, j]])
write("sobol_ishigami_indices.csv", ["axis", "other_axis", "S1", "ST", "S2"], rows)

# Morris elementary effects of the Sobol' g-function.
a = np.array([0, 1, 4.5, 9, 99, 99])
gproblem = {"num_vars": 6, "names": [f"x{i + 1}" for i in range(6)], "bounds": [[0, 1]] * 6}
X = morris_sample.sample(gproblem, 20, num_levels=4, seed=7)
Y = Sobol_G.evaluate(X, a)
write("morris_g.csv", gproblem["names"] + ["y"], [list(x) + [y] for x, y in zip(X, Y)])
M = morris_analyze.analyze(gproblem, X, Y, num_levels=4, seed=1)
write(
    "morris_g_indices.csv",
    ["axis", "mu", "mu_star", "sigma"],
    [[n, M["mu"][i], M["mu_star"][i], M["sigma"][i]] for i, n in enumerate(gproblem["names"])],
)
