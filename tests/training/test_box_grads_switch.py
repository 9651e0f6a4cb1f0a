"""Trainer(track without "box_grads"): the same training, without each Variable's |dJ/dv| (issue #14 item 5)."""
import numpy as np

from graphcore import lessons
from graphcore.training import Trainer


def test_skipping_box_gradients_trains_the_same_parameters():
    full = Trainer(lessons.xor_network(), epochs=12)
    full.train()
    lean = Trainer(lessons.xor_network(), epochs=12, track=("accuracy", "test"))
    lean.train(6)
    assert np.isnan(lean.history.box_grads).all()
    lean.box_grads = True  # switched on mid-run (the Gradients tab shown): measured from the next epoch
    lean.train(6)
    np.testing.assert_array_equal(lean.params, full.params)
    np.testing.assert_array_equal(lean.history.params, full.history.params)
    np.testing.assert_array_equal(lean.history.cost, full.history.cost)
    np.testing.assert_array_equal(lean.history.accuracy, full.history.accuracy)
    np.testing.assert_array_equal(lean.history.box_grads[6:], full.history.box_grads[6:])
    assert np.isnan(lean.history.box_grads[:6]).all()
