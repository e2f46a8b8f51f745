"""Line-fit training written out by hand in float64 numpy: the independent expectation."""

import numpy as np


def train(x, y, kernel, bias, lr, steps, optimizer="sgd", max_norm=None, ema_decay=None):
    """Per-step loss, grad norm (before clipping) and EMA-parameter loss of a linear model."""
    w, b = kernel.astype(np.float64), bias.astype(np.float64)
    ew, eb = w.copy(), b.copy()
    mw, mb, vw, vb = np.zeros_like(w), np.zeros_like(b), np.zeros_like(w), np.zeros_like(b)
    out = {"loss": [], "grad_norm": [], "ema_loss": []}
    scale = 2.0 / y.size
    for t in range(1, steps + 1):
        err = x @ w + b - y
        out["loss"].append(np.mean(err**2))
        out["ema_loss"].append(np.mean((x @ ew + eb - y) ** 2))
        gw, gb = scale * x.T @ err, scale * err.sum(axis=0)
        norm = np.sqrt(np.sum(gw**2) + np.sum(gb**2))
        out["grad_norm"].append(norm)
        if max_norm is not None and norm > max_norm:
            gw, gb = gw * max_norm / norm, gb * max_norm / norm
        if optimizer == "sgd":
            dw, db = gw, gb
        elif optimizer == "momentum":
            mw, mb = gw + 0.9 * mw, gb + 0.9 * mb
            dw, db = mw, mb
        else:  # adam, optax defaults
            mw, mb = 0.9 * mw + 0.1 * gw, 0.9 * mb + 0.1 * gb
            vw, vb = 0.999 * vw + 0.001 * gw**2, 0.999 * vb + 0.001 * gb**2
            dw = (mw / (1 - 0.9**t)) / (np.sqrt(vw / (1 - 0.999**t)) + 1e-8)
            db = (mb / (1 - 0.9**t)) / (np.sqrt(vb / (1 - 0.999**t)) + 1e-8)
        w, b = w - lr * dw, b - lr * db
        if ema_decay is not None:
            ew, eb = ema_decay * ew + (1 - ema_decay) * w, ema_decay * eb + (1 - ema_decay) * b
    return {k: np.array(v) for k, v in out.items()}
