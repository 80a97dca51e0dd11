"""Zero-phase 2nd-order Butterworth low-pass of motion channels, in numpy.

The same numbers as ``scipy.signal.filtfilt(*scipy.signal.butter(2, wn), x, axis=0,
padtype=...)``, to the bit (``tests/test_gesture_lowpass.py`` checks it against scipy): the
coefficients follow scipy's design steps (analog prototype, pre-warped cut-off, bilinear
transform) and the recursion is scipy's ``lfilter`` (direct form II transposed), run forwards
and backwards from its steady state, over an odd or constant extension of the ends.
Importing ``scipy.signal`` costs 0.4-0.8 s of every ``render``'s start-up on a 2-core machine
(it loads scipy.stats, interpolate, optimize, ...); the curves need only this one filter.
"""

from __future__ import annotations

import numpy as np

#: Samples added at each end before filtering (scipy's default: 3 x the number of taps).
EDGE = 9


def butter2(wn: float) -> tuple[np.ndarray, np.ndarray]:
    """(b, a), each (3,): the digital 2nd-order Butterworth low-pass with cut-off ``wn`` as a
    fraction of the Nyquist frequency, 0 < wn < 1 (``scipy.signal.butter(2, wn)``)."""
    if not 0.0 < wn < 1.0:
        raise ValueError(f"cut-off {wn} is not within (0, 1) of the Nyquist frequency")
    fs2 = 4.0  # the bilinear transform's 2 fs, with fs = 2 (frequencies relative to Nyquist)
    warped = float(2 * 2.0 * np.tan(np.pi * np.asarray(wn, dtype=np.float64) / 2.0))
    poles = warped * -np.exp(1j * np.pi * np.array([-1.0, 1.0]) / 4)  # analog, scaled
    gain = 1.0 * warped**2
    poles_z = (fs2 + poles) / (fs2 - poles)
    gain_z = gain * np.real(np.prod(fs2 - np.zeros(0)) / np.prod(fs2 - poles))
    b = np.multiply(np.asarray(gain_z, dtype=np.float64)[None], _poly(np.array([-1.0, -1.0])))
    a = _poly(poles_z)
    return b, np.real(a).copy()


def _poly(roots: np.ndarray) -> np.ndarray:
    """Coefficients of the monic polynomial with ``roots``, highest power first."""
    coefficients = np.ones((1,), dtype=roots.dtype)
    one = np.ones_like(roots[0])
    for root in roots:
        coefficients = np.convolve(coefficients, np.stack((one, -root)), mode="full")
    return coefficients


def _lfilter(b: np.ndarray, a: np.ndarray, x: np.ndarray, state: np.ndarray) -> np.ndarray:
    """(n, channels): ``x`` (n, channels) through the filter (direct form II transposed, a[0]
    = 1) from ``state`` (2, channels), as scipy's ``lfilter`` computes it."""
    b0, b1, b2 = (float(v) for v in b)
    a1, a2 = float(a[1]), float(a[2])
    z0, z1 = state[0].copy(), state[1].copy()
    y = np.empty_like(x)
    for n in range(len(x)):
        xn = x[n]
        yn = z0 + b0 * xn
        z0 = z1 + xn * b1 - yn * a1
        z1 = xn * b2 - yn * a2
        y[n] = yn
    return y


def _steady_state(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """(2,) the filter's state after a long run of ones (``scipy.signal.lfilter_zi``)."""
    companion = np.zeros((2, 2))
    companion[0] = -a[1:] / a[0]
    companion[1, 0] = 1.0
    return np.linalg.solve(np.eye(2) - companion.T, b[1:] - a[1:] * b[0])


def zero_phase_lowpass(x: np.ndarray, wn: float, padtype: str = "odd") -> np.ndarray:
    """``x`` (n, ...) low-passed along axis 0, forwards and backwards (no delay).

    wn: cut-off as a fraction of the Nyquist frequency, 0 < wn < 1.
    padtype: how the ends are extended by :data:`EDGE` samples first: ``"odd"`` (point
    reflection about the end value) or ``"constant"`` (the end value repeated).
    Needs n > :data:`EDGE`; returns float64 of ``x``'s shape.
    """
    x = np.asarray(x, dtype=np.float64)
    if len(x) <= EDGE:
        raise ValueError(f"{len(x)} samples are too few to filter; give more than {EDGE}")
    b, a = butter2(wn)
    flat = x.reshape(len(x), -1)
    if padtype == "odd":
        head = 2 * flat[0:1] - flat[EDGE:0:-1]
        tail = 2 * flat[-1:] - flat[-2:-(EDGE + 2):-1]
    elif padtype == "constant":
        head = flat[0:1] * np.ones((EDGE, 1))
        tail = flat[-1:] * np.ones((EDGE, 1))
    else:
        raise ValueError(f"padtype {padtype!r} is not accepted; use odd or constant")
    extended = np.concatenate((head, flat, tail), axis=0)
    zi = _steady_state(b, a)[:, None]
    y = _lfilter(b, a, extended, zi * extended[0:1])
    y = _lfilter(b, a, y[::-1], zi * y[-1:])[::-1]
    return y[EDGE:-EDGE].reshape(x.shape)
