"""Dock panels: palette, inspector, stepper, training, data, plots."""
