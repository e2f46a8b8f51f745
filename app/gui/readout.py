"""Hovering over the loss or gradient-norm plot reads out the step under the mouse: each
paradigm's loss, gradient norm and EMA loss there, for the status bar to show."""

import numpy as np

from app.gui.style import LABELS


class HoverReadout:
    def __init__(self, plot, say):
        """`plot`: the LossPlot read; `say(text)`: shows the text ("" when the mouse leaves)."""
        self.plot, self.say = plot, say
        self._reading = False  # the mouse is over the plots, reading a step out
        plot.scene().sigMouseMoved.connect(self.moved)

    def moved(self, position):
        plot, record = self.plot, self.plot.model.record
        over = any(p.sceneBoundingRect().contains(position) for p in (plot.loss_plot, plot.grad_plot))
        if not over or record is None:
            if self._reading:
                self._reading = False
                self.say("")  # off the plots: the run's own figures again
            return
        self._reading = True
        step = round(plot.loss_plot.vb.mapSceneToView(position).x())
        parts = []
        for p in plot.shown:
            xs, loss = record.curve(p)
            i = int(np.searchsorted(xs, step))
            if i < len(xs) and xs[i] == step:
                text = f"{LABELS[p]} loss {loss[i]:.6g}, grad {record.curve(p, 'grad_norm')[1][i]:.4g}"
                ema = record.curve(p, "ema_loss")[1]
                if len(ema) > i:
                    text += f", EMA loss {ema[i]:.6g}"
                parts.append(text)
        if parts:
            self.say(f"step {step:,}:  " + "   ".join(parts))
