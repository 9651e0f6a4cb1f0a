"""The canvas: a QGraphicsScene that follows graphcore's Graph events, and its view."""
