"""Stochastic diagonal Levenberg-Marquardt (LeCun et al. 1998, Sec. II-B and Appendix C), the
optimizer LeNet-5 was trained with.

Each weight k gets its own step size eta / (mu + h_kk), where h_kk estimates the diagonal of the
Hessian of the per-pattern loss: large where the loss curves sharply (small, careful steps),
small where it is flat (bold steps); mu keeps the step bounded where h_kk is near zero. The
paper re-estimates h_kk on 500 patterns before each pass and keeps it during the pass.

The estimate is the Gauss-Newton diagonal, as in the paper. For the paper's squared distance
between F6's output x and the correct code, E = sum_o (x_o - c_o)^2, it is
h_kk = 2 sum_o (dx_o/dw_k)^2, averaged over the patterns. One backward pass per pattern gives it
in expectation: for random signs v_o = +-1, (d(v . x)/dw_k)^2 averages to sum_o (dx_o/dw_k)^2
(the paper instead back-propagates approximate second derivatives through the layers).

The paper updates after every pattern; here a batch makes one step with its mean gradient,
multiplied by ``gradient_scale`` (see :class:`SDLM`).
"""

from __future__ import annotations

import numpy as np

from cnnbook.facts import LENET5_SDLM_MU, LENET5_SDLM_RATES
from cnnbook.runtime import keras, tf


class SDLM(keras.optimizers.Optimizer):
    """w_k <- w_k - eta / (mu + h_kk) * gradient_scale * (the batch's mean gradient for w_k).

    ``learning_rate`` is the global eta (a number or a schedule); the curvatures h_kk are
    optimizer variables, zero until :meth:`set_curvatures` fills them. With ``gradient_scale`` =
    the batch size, one step is the sum of the batch's per-pattern steps, all taken from the
    same point.
    """

    def __init__(self, learning_rate=LENET5_SDLM_RATES[0], mu: float = LENET5_SDLM_MU,
                 gradient_scale: float = 1.0, name: str = "sdlm", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.mu, self.gradient_scale = float(mu), float(gradient_scale)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.curvatures = self.add_optimizer_variables(variables, "curvature")

    def set_curvatures(self, values) -> None:
        for variable, value in zip(self.curvatures, values):
            variable.assign(value)

    def step_sizes(self) -> list:
        """eta / (mu + h_kk) for every weight, at the current step's eta."""
        eta = self._get_current_learning_rate()
        return [eta / (self.mu + h) for h in self.curvatures]

    def update_step(self, gradient, variable, learning_rate):
        h = self.curvatures[self._get_variable_index(variable)]
        eta = keras.ops.cast(learning_rate, variable.dtype)
        self.assign_sub(variable, eta * self.gradient_scale * gradient / (self.mu + h))


def curvature_estimator(model: keras.Model, output: str = "F6"):
    """A function (x, seed) -> the Gauss-Newton diagonal of the squared distance between the
    layer ``output``'s values and a fixed target, averaged over the patterns ``x``: one backward
    pass per pattern, in a graph loop (per-pattern gradients, squared, summed)."""
    features = keras.Model(model.inputs, model.get_layer(output).output)
    variables = model.trainable_variables

    @tf.function(reduce_retracing=True)
    def estimate_graph(x, seed):
        totals = [tf.zeros_like(v) for v in variables]
        count = tf.shape(x)[0]
        for i in tf.range(count):
            with tf.GradientTape() as tape:
                values = features(x[i: i + 1], training=False)
                draw = tf.random.stateless_uniform(tf.shape(values), tf.stack([seed, tf.cast(i, tf.int64)]),
                                                   0, 2, dtype=tf.int32)
                probe = tf.reduce_sum((2.0 * tf.cast(draw, values.dtype) - 1.0) * values)
            gradients = tape.gradient(probe, variables,
                                      unconnected_gradients=tf.UnconnectedGradients.ZERO)
            totals = [t + tf.square(g) for t, g in zip(totals, gradients)]
        return [2.0 * t / tf.cast(count, t.dtype) for t in totals]

    def estimate(x: np.ndarray, seed: int) -> list:
        return estimate_graph(tf.convert_to_tensor(x, dtype=tf.float32), tf.constant(seed, tf.int64))

    return estimate


class Curvature(keras.callbacks.Callback):
    """Before each pass: h_kk re-estimated on ``patterns`` training images drawn afresh."""

    def __init__(self, x: np.ndarray, patterns: int, seed: int):
        super().__init__()
        self.x, self.patterns, self.seed = x, patterns, seed
        self.estimate = None

    def on_epoch_begin(self, epoch, logs=None):
        rng = np.random.default_rng([self.seed, epoch])
        chosen = self.x[np.sort(rng.choice(len(self.x), self.patterns, replace=False))]
        optimizer = self.model.optimizer
        optimizer.build(self.model.trainable_variables)
        if self.estimate is None:
            self.estimate = curvature_estimator(self.model)
        optimizer.set_curvatures(self.estimate(chosen, self.seed * 1000 + epoch))
