"""The loss plot's step axis: it follows the action (the steps the model's `steps_to_show`
picks) and says so above the plot, until the user zooms or pans; then the view is theirs until
the next run or display setting."""

from app.model.shown_steps import steps_to_show


class XFollower:
    def __init__(self, plot):
        """`plot`: the LossPlot whose x-axis this moves."""
        self.plot = plot
        self.following, self.shown = True, None
        self._moving = False  # the axis is being moved here, not by the user
        for view in plot.plots.values():
            view.vb.sigRangeChangedManually.connect(self.stop)
        plot.loss_plot.sigXRangeChanged.connect(self._moved)

    def restart(self):
        """Follow the action again (a new run, a new display setting)."""
        self.following, self.shown = True, None

    def forget(self):
        """Pick the steps shown afresh at the next draw (the loss moves differently now)."""
        self.shown = None

    def stop(self):
        """The user zoomed or panned: the view is theirs (and the note no longer says which
        steps it shows)."""
        self.following, self.shown = False, None
        self.plot.strip.set_note("")

    def _moved(self):
        """Zoomed or panned: the visible steps change, so do the points worth drawing."""
        if not self._moving:
            self.plot.throttle.soon()

    def follow(self):
        """Show the steps worth showing now, and say so above the plot."""
        if not self.following:
            return
        plot, shown = self.plot, self.plot.model.settings
        end, note = steps_to_show(plot.model.record, plot.shown, shown.smoothing, shown.log_y, shown.show_steps)
        if end != self.shown:
            self._moving = True
            plot.loss_plot.setXRange(0, end, padding=0.02)
            self._moving = False
            self.shown = end
        plot.strip.set_note(note)
