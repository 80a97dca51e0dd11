"""The gesture curves' numpy low-pass gives scipy.signal's numbers to the bit (so the body
animation is the same as when the curves were filtered with scipy), and the motion curves do
not import scipy.signal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, filtfilt

from synth.gesture.lowpass import EDGE, butter2, zero_phase_lowpass
from synth.gesture.motion import MotionCurves, _low_pass

#: The cut-offs build_curves uses (4-7 Hz at 30 and 60 fps) and a sweep of others.
CUTOFFS = np.concatenate([(4.0 + 3.0 * np.linspace(0, 1, 13)) / 15.0,
                          (4.0 + 3.0 * np.linspace(0, 1, 13)) / 30.0,
                          np.random.default_rng(1).uniform(0.01, 0.95, 40)])


@pytest.mark.parametrize("wn", CUTOFFS)
def test_coefficients_are_scipys(wn):
    b, a = butter(2, wn)
    ours_b, ours_a = butter2(wn)
    assert np.array_equal(ours_b, b) and np.array_equal(ours_a, a)


@pytest.mark.parametrize("n", [EDGE + 1, 16, 29, 30, 91, 1201])
@pytest.mark.parametrize("padtype", ["odd", "constant"])
def test_filter_is_scipys_to_the_bit(n, padtype):
    rng = np.random.default_rng(n)
    x = rng.normal(0.0, 3.0, (n, 5)).cumsum(axis=0)  # drifting, like posture channels
    for wn in CUTOFFS[::4]:
        expected = filtfilt(*butter(2, wn), x, axis=0, padtype=padtype)
        assert np.array_equal(zero_phase_lowpass(x, wn, padtype), expected)
        assert np.array_equal(zero_phase_lowpass(x[:, 2], wn, padtype), expected[:, 2])


@pytest.mark.parametrize("n", [16, 29, 30, 250])
def test_motion_channels_are_filtered_as_with_scipy(n):
    """_low_pass filters the channels together; each comes out as scipy filters it alone."""
    rng = np.random.default_rng(7)
    fps, cutoff = 30.0, 5.3
    curves = MotionCurves(fps=fps, times=np.arange(n) / fps)
    curves.clavicle = {side: rng.normal(size=(n, 2)) for side in ("Left", "Right")}
    curves.spine, curves.lean, curves.head = (rng.normal(size=(n, 3)), rng.normal(size=n),
                                              rng.normal(size=(n, 3)))
    curves.pelvis, curves.pelvis_tilt = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    raw = {"spine": curves.spine, "lean": curves.lean, "head": curves.head,
           "pelvis": curves.pelvis, "pelvis_tilt": curves.pelvis_tilt,
           **{f"clavicle {s}": c for s, c in curves.clavicle.items()}}
    b, a = butter(2, cutoff / (0.5 * fps))
    padtype = "constant" if n < 30 else "odd"
    filtered = _low_pass(curves, cutoff)
    got = {"spine": filtered.spine, "lean": filtered.lean, "head": filtered.head,
           "pelvis": filtered.pelvis, "pelvis_tilt": filtered.pelvis_tilt,
           **{f"clavicle {s}": c for s, c in filtered.clavicle.items()}}
    for name, x in raw.items():
        assert got[name].shape == x.shape, name
        assert np.array_equal(got[name], filtfilt(b, a, x, axis=0, padtype=padtype)), name


def test_bad_cutoff_and_short_input_are_refused():
    with pytest.raises(ValueError, match="Nyquist"):
        butter2(1.0)
    with pytest.raises(ValueError, match="too few"):
        zero_phase_lowpass(np.zeros(EDGE), 0.3)
    with pytest.raises(ValueError, match="padtype"):
        zero_phase_lowpass(np.zeros(20), 0.3, "even")


def test_animate_body_does_not_import_scipy_signal(fresh_python):
    code = ("import sys\n"
            "from synth.contracts import Timeline, Word\n"
            "from synth.gesture import animate_body\n"
            "tl = Timeline(duration=1.2, words=[Word('Yes', 0.1, 0.6, 0)])\n"
            "body = animate_body(tl, None, seed=0, text='Yes.')\n"
            "assert body.frames == 37, body.frames\n"
            "print(sorted(m for m in sys.modules if m.startswith('scipy.signal')))\n")
    assert fresh_python(code).strip().splitlines()[-1] == "[]"
