"""Seed workload: fit a scikit-learn model and run a SciPy optimizer on each call."""

import numpy as np
from scipy import optimize
from sklearn.linear_model import LogisticRegression


def handler(event, context):
    rng = np.random.default_rng(int(event.get("seed", 0)))
    x = rng.normal(size=(200, 3))
    y = (x @ np.array([1.5, -2.0, 0.5]) + rng.normal(scale=0.5, size=200) > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    best = optimize.minimize(lambda v: float(np.sum((v - 3.0) ** 2)), x0=np.zeros(2))
    return {
        "score": round(float(model.score(x, y)), 4),
        "coef": [round(float(c), 4) for c in model.coef_[0]],
        "minimum": [round(float(v), 4) for v in best.x],
        "numpy": np.__version__,
    }
