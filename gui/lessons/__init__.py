"""The course inside the window (README "The course inside the window"); see install.py."""
