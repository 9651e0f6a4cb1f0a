"""Step-through backprop in the window: the controller (index, play, quiz) over graphcore's
step sequence, the canvas overlay for each step, and ``install_stepper(window)``."""
