"""The base of every canvas gesture (after orange-canvas-core's ``UserInteraction``).

A gesture runs from the event that starts it (a press on a port, a double-click on a box)
to the one that ends it (the release, Enter, Escape). While it is the scene's active
interaction the scene hands it its mouse and key events first. A handler returns True when
it has dealt with the event: the scene then leaves it alone; False lets the scene's own
handling run (Qt's selection, the dragging of movable items, the rubber band). A gesture
changes the graph only by pushing a command on the document's undo stack; the model's
events then bring the items in step.
"""
from __future__ import annotations


class Interaction:
    #: False: the items it holds on to are gone when the scene rebuilds them (cancel it then)
    survives_rebuild = True
    #: True: the view hands it the keys (Escape) before its own shortcuts (Tab, letters, Esc out)
    wants_keys = False

    def __init__(self, scene):
        self.scene = scene
        self.ended = False
        self.cancelled = False

    # --- events (True: used up) ---------------------------------------------------------
    def mouse_press(self, event) -> bool:
        return False

    def mouse_move(self, event) -> bool:
        return False

    def mouse_release(self, event) -> bool:
        return False

    def key_press(self, event) -> bool:
        return False

    # --- ending ---------------------------------------------------------------------------
    def cancel(self):
        """Leave the graph as it was before the gesture (Escape, a rebuild, another gesture)."""
        if not self.ended:
            self.cancelled = True
            self.end()

    def end(self):
        if self.ended:
            return
        self.ended = True
        self.cleanup()
        self.scene.interaction_ended(self)

    def cleanup(self):
        """Take away whatever the gesture drew (a temporary arrow, an editor)."""
