"""Motion curves: a :class:`~synth.gesture.planner.GesturePlan` sampled into per-frame channels.

Channels are few and anatomical (hand positions in the chest frame, forearm pronation, wrist
flexion, finger curl, trunk/head angles, clavicle raise, pelvis shift); :mod:`synth.gesture.
generator` turns them into joint rotations with inverse kinematics. Gesture phases are joined
with minimum-jerk segments (Flash & Hogan 1985: velocity and acceleration zero at every key),
so every key is a velocity minimum and the motion stays smooth; the trunk, head and clavicle
channels also pass a zero-phase low-pass filter (hand keys do not: filtering would move their
velocity minima off the syllables they are timed to).

Positions are centimetres relative to the ``Spine2`` joint in its rest-aligned frame (X left,
Y up, Z forward); angles are degrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.gesture.lowpass import zero_phase_lowpass
from synth.gesture.planner import GesturePlan, GestureUnit
from synth.gesture.rig import SIDES, BodyRig, side_sign
from synth.gesture.style import GestureStyle
from synth.gesture.torso import TorsoModel

#: Finger curl of relaxed hands (0 flat, 1 fist).
RELAXED_CURL = 0.35
#: Styles that beat at least this often also pulse on the syllables between beats.
PULSE_MIN_BEAT_RATE = 0.3
#: Wrist-to-torso clearance kept by the hand targets, cm.
HAND_MARGIN = 6.0


@dataclass
class HandPose:
    """Where one hand is and how it is held."""

    position: np.ndarray
    """(3,) chest-frame position of the wrist, cm."""
    pronation: float = 0.0
    """Degrees of forearm rotation: 0 thumb up, +90 palm down, -90 palm up."""
    wrist: float = 0.0
    """Degrees of wrist flexion towards the palm (negative: extension)."""
    curl: float = RELAXED_CURL
    """Finger curl, 0 (flat) .. 1 (fist)."""

    def vector(self) -> np.ndarray:
        """(6,) float: position x, y, z (cm), pronation and wrist (degrees), curl (0..1)."""
        return np.concatenate([self.position, [self.pronation, self.wrist, self.curl]])


@dataclass
class MotionCurves:
    """Per-frame channels of one take (``n`` frames at ``fps``)."""

    fps: float
    times: np.ndarray
    """(n,) seconds."""
    hand: dict[str, np.ndarray] = field(default_factory=dict)
    """side -> (n, 6): wrist position (3, cm, chest frame), pronation, wrist flexion (deg), curl."""
    elbow_out: dict[str, np.ndarray] = field(default_factory=dict)
    """side -> (n,) 0..1 how far the elbow swings out from the trunk."""
    clavicle: dict[str, np.ndarray] = field(default_factory=dict)
    """side -> (n, 2) degrees: raise (shrug), protraction."""
    spine: np.ndarray | None = None
    """(n, 3) degrees over the three spine joints: flexion (+ forward), side bend (+ towards the
    left), twist (+ turns the chest left)."""
    lean: np.ndarray | None = None
    """(n,) degrees of forward lean at the lowest spine joint."""
    head: np.ndarray | None = None
    """(n, 3) degrees over neck and head: pitch (+ down), yaw (+ left), roll (+ left ear down)."""
    pelvis: np.ndarray | None = None
    """(n, 3) cm offset of the hips from rest (weight shift, bounce)."""
    pelvis_tilt: np.ndarray | None = None
    """(n, 3) degrees of hip rotation: flexion, side tilt (+ raises the left hip), twist."""


@dataclass(frozen=True)
class GestureSpace:
    """Landmarks of the space in front of the body where hands gesture, from the skeleton."""

    scale: float
    """Body size relative to a 17 cm shoulder half-width."""
    shoulder: np.ndarray
    """(3,) chest-frame position of the left shoulder (Arm) joint, cm."""
    arm_length: float
    """Upper arm plus forearm, cm."""
    torso: TorsoModel
    """The trunk the hands keep clear of."""

    @classmethod
    def from_rig(cls, rig: BodyRig) -> GestureSpace:
        """The gesture space of ``rig``; ``scale`` is its shoulder half-width over 17 cm."""
        chest = rig.rest("Spine2")
        shoulder = rig.rest("LeftArm") - chest
        length = rig.bone_length(rig.index("LeftArm")) + rig.bone_length(rig.index("LeftForeArm"))
        return cls(scale=float(abs(shoulder[0]) / 17.0), shoulder=shoulder, arm_length=length,
                   torso=TorsoModel.from_rig(rig))

    @property
    def center(self) -> np.ndarray:
        """(3,) centre of the gesture space (x = 0), cm."""
        return np.array([0.0, self.shoulder[1] - 0.45 * self.arm_length, 0.6 * self.arm_length])

    def rest(self, side: str) -> HandPose:
        """Arms hanging by the sides."""
        s = side_sign(side)
        pos = np.array([s * (abs(self.shoulder[0]) + 3.5 * self.scale),
                        self.shoulder[1] - 0.9 * self.arm_length, 6.0 * self.scale])
        return HandPose(pos, pronation=0.0, wrist=5.0, curl=RELAXED_CURL + 0.05)

    def home(self, side: str) -> HandPose:
        """Hands low in front, between close phrases."""
        s = side_sign(side)
        c = self.center
        pos = np.array([s * 14.0 * self.scale, c[1] - 14.0 * self.scale, 0.42 * self.arm_length])
        return HandPose(pos, pronation=20.0, wrist=0.0, curl=RELAXED_CURL + 0.05)


def stroke_poses(space: GestureSpace, unit: GestureUnit, side: str,
                 rng: np.random.Generator) -> tuple[HandPose, HandPose]:
    """(ready, apex) hand poses of a unit's stroke for one hand, with seeded variation."""
    st = unit.style
    s = side_sign(side)
    k = space.scale
    A = st.amplitude
    o, e = st.openness, st.expansiveness * (1.0 - 0.3 * st.arm_closeness)
    c = space.center
    cy, cz = c[1], c[2]
    cx = s * (13.0 + 10.0 * (o - 0.5)) * e * k
    base_pron = 10.0 - 50.0 * st.palm_up - 30.0 * (o - 0.5)
    front = space.torso.center_z + space.torso.half_depth
    kind = unit.kind

    def pose(x, y, z, pron, wrist=0.0, curl=RELAXED_CURL):
        return HandPose(np.array([x, y, z], dtype=np.float64), pron, wrist, curl)

    if kind == "self":
        ready = pose(s * 14 * k, cy + 2 * k, cz - 2 * k, 0.0)
        apex = pose(s * 6 * k, cy + 9 * k, front + HAND_MARGIN + 2.0, 0.0, 5.0, 0.4)
    elif kind == "other":
        ready = pose(cx, cy + 5 * k, cz - 3 * k, base_pron)
        apex = pose(s * (9 + 6 * A) * k, cy + (4 + 2 * A) * k, cz + (8 + 10 * A) * k, -45.0,
                    -10.0, 0.22)
    elif kind == "negation":
        ready = pose(s * 3 * k, cy + 2 * k, cz + 2 * k, 80.0, -5.0, 0.15)
        apex = pose(s * (22 + 10 * A) * e * k, cy - 2 * k, cz + 2 * k, 85.0, -5.0, 0.12)
    elif kind == "affirm":
        ready = pose(cx, cy + 6 * A * k, cz, base_pron)
        apex = pose(cx, cy - 4 * A * k, cz + 3 * A * k, base_pron, 8.0)
    elif kind == "big":
        ready = pose(s * 9 * k, cy + 2 * k, cz - 2 * k, 0.0, 0.0, 0.25)
        apex = pose(s * (24 + 14 * A) * e * k, cy + 4 * k, cz - 2 * k, -10.0, -5.0, 0.25)
    elif kind == "all":
        ready = pose(s * 5 * k, cy - 4 * k, cz + 2 * k, 75.0, 0.0, 0.18)
        apex = pose(s * (26 + 12 * A) * e * k, cy - 8 * k, cz - 2 * k, 80.0, -5.0, 0.15)
    elif kind == "small":
        ready = pose(s * 15 * k, cy + 2 * k, cz, 0.0, 0.0, 0.45)
        apex = pose(s * 5 * k, cy + 2 * k, cz + 3 * k, 0.0, 5.0, 0.6)
    elif kind == "enumerate":
        step = s * 4.0 * min(unit.item, 3) * k
        ready = pose(cx + step, cy + 7 * A * k, cz - 3 * k, 20.0, 0.0, 0.5)
        apex = pose(cx + step, cy - 3 * A * k, cz + 3 * A * k, 20.0, 10.0, 0.5)
    elif kind == "question":
        ready = pose(s * 8 * k, cy - 6 * k, cz - 4 * k, -70.0, -5.0, 0.25)
        apex = pose(s * (17 + 8 * A) * e * k, cy - 2 * k, cz + (6 + 4 * A) * k, -85.0, -10.0, 0.2)
    else:  # plain: a metaphoric presenting stroke, down and forward
        ready = pose(cx, cy + 9 * A * k, cz - 4 * A * k, base_pron)
        apex = pose(cx + s * 3 * A * k, cy - 3 * A * k, cz + 6 * A * k, base_pron, 5.0)
    # The kinesphere grows and shrinks with the effort: low arousal keeps every gesture small
    # and close to the hands' home position, high arousal reaches further out.
    home = space.home(side).position
    reach = float(np.clip(0.55 + 0.45 * A, 0.5, 1.3))
    for p in (ready, apex):
        p.position = home + reach * (p.position - home)
    for p in (ready, apex):  # seeded variation: never the same stroke twice
        p.position = p.position + rng.normal(0.0, 1.6 * k, 3) * min(A, 1.3)
        p.pronation += float(rng.normal(0.0, 7.0))
        p.curl = float(np.clip(p.curl + rng.normal(0.0, 0.05), 0.05, 0.8))
    return ready, apex


def _minimum_jerk(tau: np.ndarray) -> np.ndarray:
    return tau**3 * (10.0 - 15.0 * tau + 6.0 * tau**2)


def interpolate_keys(times: np.ndarray, key_times: list[float], key_values: list[np.ndarray]
                     ) -> np.ndarray:
    """Minimum-jerk interpolation through keys, held constant outside them.

    ``key_times`` must be non-decreasing; returns (n, D) for values of length D.
    """
    kt = np.asarray(key_times, dtype=np.float64)
    kv = np.asarray(key_values, dtype=np.float64)
    for i in range(1, len(kt)):  # strictly increasing
        kt[i] = max(kt[i], kt[i - 1] + 1e-3)
    idx = np.clip(np.searchsorted(kt, times, side="right") - 1, 0, len(kt) - 1)
    nxt = np.minimum(idx + 1, len(kt) - 1)
    span = np.maximum(kt[nxt] - kt[idx], 1e-9)
    tau = np.clip((times - kt[idx]) / span, 0.0, 1.0)
    w = np.where(nxt > idx, _minimum_jerk(tau), 0.0)[:, None]
    return kv[idx] * (1.0 - w) + kv[nxt] * w


def _bump(times: np.ndarray, center: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((times - center) / max(width, 1e-3)) ** 2)


def _window(times: np.ndarray, start: float, duration: float) -> np.ndarray:
    tau = np.clip((times - start) / max(duration, 1e-3), 0.0, 1.0)
    return np.sin(np.pi * tau) ** 2


def _rhythm_keys(unit: GestureUnit, onsets: np.ndarray, window: tuple[float, float],
                 base: np.ndarray, scale: float) -> tuple[list[float], list[np.ndarray]]:
    """Keys of the hand's rhythm while it holds pose ``base`` during ``window``.

    Beats (on accents) dip down and a little forward, the wrist flicking; when the style is
    aroused enough to beat at all, the syllables in between get small alternating pulses
    (the hand bobs with the speech). Every key sits on a syllable onset, so every velocity
    minimum does too.
    """
    st = unit.style
    depth = 4.5 * st.amplitude * scale
    dip = base.copy()
    dip[1] -= depth
    dip[2] += 0.3 * depth
    dip[4] += 8.0
    events = [(t, "beat") for t in unit.beats if window[0] + 0.1 <= t <= window[1] - 0.1]
    if st.beat_rate >= PULSE_MIN_BEAT_RATE:
        beat_times = np.array([t for t, _ in events])
        for t in onsets[(onsets >= window[0] + 0.12) & (onsets <= window[1] - 0.12)]:
            if not len(beat_times) or np.abs(beat_times - t).min() > 0.1:
                events.append((float(t), "pulse"))
    events.sort()
    kt: list[float] = []
    kv: list[np.ndarray] = []
    last_t, last_kind, low = window[0], "start", False
    for t, kind in events:
        if t - last_t < 0.12:
            continue
        if kind == "beat":
            if last_kind == "beat":  # come back up between two beats
                kt.append(0.5 * (last_t + t))
                kv.append(base + [0, 0.35 * st.bounce * depth, 0, 0, 0, 0])
            kt.append(t)
            kv.append(dip)
            low = True
        else:
            pulse = base.copy()
            pulse[1] += (0.3 if low else -0.25) * depth
            kt.append(t)
            kv.append(pulse)
            low = not low
        last_t, last_kind = t, kind
    return kt, kv


def _hand_tracks(plan: GesturePlan, space: GestureSpace, times: np.ndarray
                 ) -> dict[str, np.ndarray]:
    """side -> (n, 6) keyframed hand channels, beats included."""
    keys: dict[str, tuple[list[float], list[np.ndarray]]] = {}
    state: dict[str, HandPose] = {}
    lifted: set[str] = set()  # hands left up in the air by a unit that did not retract
    for side in SIDES:
        state[side] = space.rest(side)
        keys[side] = ([0.0], [state[side].vector()])
    for unit in plan.units:
        rng = np.random.default_rng(unit.seed)
        active = SIDES if unit.hands == "both" else (unit.hands.capitalize(),)
        for side in SIDES:
            kt, kv = keys[side]
            if side not in active:
                if side in lifted:  # the other hand takes over: this one goes home meanwhile
                    home = space.home(side)
                    kt += [unit.prep_start, unit.ready]
                    kv += [state[side].vector(), home.vector()]
                    state[side] = home
                    lifted.discard(side)
                if unit.retract_to == "rest":
                    rest = space.rest(side)
                    if not np.allclose(state[side].position, rest.position):
                        kt += [unit.hold_end, unit.retract_end]
                        kv += [state[side].vector(), rest.vector()]
                        state[side] = rest
                continue
            ready, apex = stroke_poses(space, unit, side, rng)
            kt += [unit.prep_start, unit.ready]
            kv += [state[side].vector(), ready.vector()]
            bt, bv = _rhythm_keys(unit, plan.onsets, (unit.ready, unit.stroke_start),
                                ready.vector(), space.scale)
            kt += bt
            kv += bv
            if unit.stroke_start > (kt[-1] + 0.05):
                wind_up = ready.vector().copy()  # draw back a little before striking
                wind_up[1] += 1.5 * space.scale
                wind_up[2] -= 1.5 * space.scale
                kt.append(unit.stroke_start)
                kv.append(wind_up)
            kt.append(unit.stroke_end)
            kv.append(apex.vector())
            bt, bv = _rhythm_keys(unit, plan.onsets, (unit.stroke_end, unit.hold_end),
                                apex.vector(), space.scale)
            kt += bt
            kv += bv
            held = apex.vector().copy()
            held[1] -= 2.0 * space.scale  # the held hand sags a little
            if unit.hold_end > kt[-1] + 0.05:
                kt.append(unit.hold_end)
                kv.append(held)
            if unit.retract_to == "none":  # the next stroke starts from the held pose
                state[side] = HandPose(kv[-1][:3].copy(), *kv[-1][3:])
                lifted.add(side)
                continue
            lifted.discard(side)
            end = space.rest(side) if unit.retract_to == "rest" else space.home(side)
            kt.append(unit.retract_end)
            kv.append(end.vector())
            state[side] = end
    return {side: interpolate_keys(times, *keys[side]) for side in SIDES}


def _posture(plan: GesturePlan, times: np.ndarray) -> dict[str, np.ndarray]:
    """Slowly varying posture channels from the plan's styles (0.8 s transitions)."""
    names = ("chest_flex", "lean", "head_pitch", "head_turn", "shoulder_raise", "arm_closeness",
             "expansiveness")
    kt, kv = [], []
    for t, style in plan.postures:
        vec = np.array([getattr(style, n) for n in names], dtype=np.float64)
        if kt:
            kt.append(max(t, kt[-1]))
            kv.append(kv[-1])
        kt.append(t + (0.8 if kt else 0.0))
        kv.append(vec)
    table = interpolate_keys(times, kt, kv)
    return {n: table[:, i] for i, n in enumerate(names)}


def _style_at(plan: GesturePlan, t: float) -> GestureStyle:
    current = plan.postures[0][1]
    for start, style in plan.postures:
        if start <= t:
            current = style
    return current


def _smooth_noise(times: np.ndarray, rng: np.random.Generator, freqs: tuple[float, ...]
                  ) -> np.ndarray:
    """Sum of sines with random phases, unit-ish amplitude (idle sway)."""
    out = np.zeros_like(times)
    for f in freqs:
        f = f * rng.uniform(0.8, 1.25)
        out += np.sin(2 * np.pi * f * times + rng.uniform(0, 2 * np.pi)) / len(freqs) ** 0.5
    return out


def _weight_shifts(times: np.ndarray, duration: float, stillness: float, scale: float,
                   rng: np.random.Generator) -> np.ndarray:
    """(n,) lateral pelvis offset, cm: the weight moves from one leg to the other now and then."""
    width = 1.8 * (1.6 - stillness) * scale
    kt, kv = [0.0], [np.array([rng.uniform(-0.5, 0.5) * width])]
    t = rng.uniform(1.5, 4.0)
    sign = 1.0 if rng.random() < 0.5 else -1.0
    while t < duration:
        kt += [t, t + 1.6]
        kv += [kv[-1], np.array([sign * width * rng.uniform(0.6, 1.0)])]
        sign = -sign
        t += 1.6 + rng.uniform(3.5, 7.0) * (0.7 + stillness)
    return interpolate_keys(times, kt, kv)[:, 0]


def build_curves(plan: GesturePlan, rig: BodyRig, fps: float, n_frames: int, seed: int = 0,
                 face_head: np.ndarray | None = None) -> MotionCurves:
    """Sample a gesture plan into motion channels.

    Parameters
    ----------
    plan : the planned gestures.
    rig : the skeleton (for the gesture space and the trunk's size).
    fps : frames per second.
    n_frames : number of frames (frame ``i`` is at ``i / fps`` seconds).
    seed : seed of the idle motion.
    face_head : optional (n_frames, 3) yaw/pitch/roll degrees of the face animation's head
        (:attr:`synth.contracts.FaceAnimation.head`, resampled to ``fps``); when given, the
        body's neck and head follow it instead of making their own head movements.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    times = np.arange(n_frames, dtype=np.float64) / fps
    space = GestureSpace.from_rig(rig)
    posture = _posture(plan, times)
    mean_style = _style_at(plan, 0.0)
    curves = MotionCurves(fps=fps, times=times)

    tracks = _hand_tracks(plan, space, times)
    for side in SIDES:
        curves.hand[side] = tracks[side]
        curves.elbow_out[side] = np.clip(1.0 - posture["arm_closeness"], 0.0, 1.0) \
            * posture["expansiveness"]

    stillness = mean_style.stillness
    idle = 1.5 - stillness
    breath = np.sin(2 * np.pi * mean_style.breath_rate * times + rng.uniform(0, 2 * np.pi))
    shift = _weight_shifts(times, plan.duration, stillness, space.scale, rng)

    spine = np.zeros((n_frames, 3))
    spine[:, 0] = posture["chest_flex"] - 0.7 * breath + 0.8 * idle * _smooth_noise(
        times, rng, (0.06, 0.13))
    spine[:, 1] = -0.9 * shift / max(space.scale, 1e-3) + 0.8 * idle * _smooth_noise(
        times, rng, (0.05, 0.11))
    spine[:, 2] = 1.5 * idle * _smooth_noise(times, rng, (0.04, 0.09, 0.17))
    lean = posture["lean"].copy()
    head = np.zeros((n_frames, 3))
    head[:, 0] = posture["head_pitch"] + 1.2 * idle * _smooth_noise(times, rng, (0.08, 0.21))
    head[:, 1] = posture["head_turn"] + 2.5 * idle * _smooth_noise(times, rng, (0.05, 0.13))
    head[:, 2] = 0.8 * idle * _smooth_noise(times, rng, (0.07, 0.15))

    pelvis = np.zeros((n_frames, 3))
    pelvis[:, 0] = shift
    tilt = np.zeros((n_frames, 3))
    tilt[:, 1] = 1.0 * shift / max(space.scale, 1e-3)

    for unit in plan.units:
        st = unit.style
        stroke = _bump(times, unit.stroke_end, 0.12 / st.speed)
        spine[:, 0] += (1.2 + 2.0 * st.sharpness) * st.amplitude * stroke
        # The chest turns a little towards the gesturing hand, moving when the hand moves.
        turn = 4.0 * {"right": -1.0, "left": 1.0}.get(unit.hands, 0.0) * st.amplitude
        spine[:, 2] += interpolate_keys(
            times, [unit.prep_start, unit.ready, unit.hold_end, unit.retract_end],
            [np.zeros(1), np.full(1, turn), np.full(1, turn), np.zeros(1)])[:, 0]
        if st.bounce > 0:
            for t in [unit.stroke_end, *unit.beats]:
                pelvis[:, 1] -= 0.9 * st.bounce * _bump(times, t, 0.09 / st.speed)

    if face_head is not None:
        head[:, 0] = posture["head_pitch"] + face_head[:, 1]
        head[:, 1] = posture["head_turn"] + face_head[:, 0]
        head[:, 2] = -face_head[:, 2]  # the face's roll tips the head's top to its right
    else:
        for move in plan.head:
            if move.kind == "beat":
                head[:, 0] += move.amplitude * _bump(times, move.time, move.duration / 2.5)
            elif move.kind == "nod":
                head[:, 0] += move.amplitude * np.sin(
                    2 * np.pi * (times - move.time) / (move.duration / 2)) * _window(
                    times, move.time, move.duration)
            elif move.kind == "shake":
                head[:, 1] += move.amplitude * np.sin(
                    2 * np.pi * (times - move.time) / (move.duration / 2.5)) * _window(
                    times, move.time, move.duration)
            elif move.kind == "tilt":
                head[:, 2] += move.amplitude * _bump(times, move.time, move.duration / 2)

    for side in SIDES:
        clav = np.zeros((n_frames, 2))
        clav[:, 0] = posture["shoulder_raise"] + 0.6 * breath
        # The clavicle follows the hand a little: up and forward when it is raised in front.
        rel = curves.hand[side][:, :3] - space.rest(side).position
        clav[:, 0] += np.clip(0.12 * rel[:, 1], -2.0, 8.0)
        clav[:, 1] += np.clip(0.1 * rel[:, 2], -2.0, 8.0)
        curves.clavicle[side] = clav

    curves.spine, curves.lean, curves.head = spine, lean, head
    curves.pelvis, curves.pelvis_tilt = pelvis, tilt
    curves = _low_pass(curves, cutoff=4.0 + 3.0 * mean_style.sharpness)
    for side in SIDES:  # after filtering, so that smoothing cannot pull a hand into the trunk
        curves.hand[side][:, :3] = space.torso.push_out(curves.hand[side][:, :3], HAND_MARGIN)
    return curves


def _low_pass(curves: MotionCurves, cutoff: float) -> MotionCurves:
    """Zero-phase 2nd-order Butterworth low-pass (``cutoff`` Hz) on the trunk, head and clavicle
    channels, filtered together as the columns of one array (each column on its own)."""
    n = len(curves.times)
    nyquist = 0.5 * curves.fps
    if n < 16 or cutoff >= 0.95 * nyquist:
        return curves
    names = [f"clavicle {side}" for side in SIDES] + ["spine", "lean", "head", "pelvis",
                                                       "pelvis_tilt"]
    channels = [curves.clavicle[side] for side in SIDES] + [
        curves.spine, curves.lean, curves.head, curves.pelvis, curves.pelvis_tilt]
    widths = [1 if c.ndim == 1 else c.shape[1] for c in channels]
    table = np.concatenate([c.reshape(n, -1) for c in channels], axis=1)
    table = zero_phase_lowpass(table, cutoff / nyquist, "constant" if n < 30 else "odd")
    parts = dict(zip(names, (np.ascontiguousarray(c) for c in
                             np.split(table, np.cumsum(widths)[:-1], axis=1))))
    for side in SIDES:
        curves.clavicle[side] = parts[f"clavicle {side}"]
    curves.spine, curves.head = parts["spine"], parts["head"]
    curves.lean = parts["lean"][:, 0]
    curves.pelvis, curves.pelvis_tilt = parts["pelvis"], parts["pelvis_tilt"]
    return curves
