"""Eyebrows for the anny avatar, which ships none (they carry anger and sadness).

Each brow is a tapered ribbon laid on the skin above an eye: a grid of points in front of the
face is projected back onto the skin and lifted a little along the normal. Every brow vertex is
bound to the skin triangle it landed on (:mod:`synth.avatar.binding`), so ``browDownLeft``,
``browInnerUp`` and the other targets move the brows with the skin under them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.avatar.binding import SurfaceBinding, bind_by_projection


@dataclass(frozen=True)
class EyebrowShape:
    """Shape of one brow relative to its eye, in units of the eye-ball radius."""

    inner: float = -1.0
    """Lateral position of the inner end (towards the nose is negative)."""
    outer: float = 1.45
    """Lateral position of the outer end."""
    base_height: float = 1.30
    """Height of the brow's lower edge above the eye centre at its inner end."""
    arch: float = 0.30
    """Extra height at the arch (about two thirds of the way out)."""
    tail_drop: float = 0.25
    """How far the outer tail falls below the arch."""
    inner_width: float = 0.52
    """Brow thickness at the inner end."""
    outer_width: float = 0.20
    """Brow thickness at the outer tail."""
    lift: float = 0.0012
    """Distance of the ribbon above the skin in metres (avoids z-fighting)."""
    along: int = 16
    """Vertices along the brow."""
    across: int = 4
    """Vertices across the brow."""


def build_eyebrow(eye_centre: np.ndarray, eye_radius: float, side: float, skin_vertices: np.ndarray,
                  skin_faces: np.ndarray, shape: EyebrowShape = EyebrowShape()
                  ) -> tuple[np.ndarray, np.ndarray, SurfaceBinding]:
    """Build one eyebrow on the skin above an eye.

    Parameters
    ----------
    eye_centre : (3,) float eye-ball centre in metres (Y up, face towards +Z).
    eye_radius : float eye-ball radius in metres.
    side : +1.0 for the character's left eye (+X), -1.0 for the right.
    skin_vertices : (V, 3) float skin vertices in metres.
    skin_faces : (F, 3) int skin triangles (only those near the brow are tested).

    Returns
    -------
    vertices : (n, 3) float32 brow vertices in metres.
    faces : (m, 3) int64 triangles indexing ``vertices``, wound to face outwards.
    binding : the skin triangle and barycentric weights under each brow vertex.
    """
    t = np.linspace(0.0, 1.0, shape.along)
    s = np.linspace(0.0, 1.0, shape.across)
    lateral = shape.inner + (shape.outer - shape.inner) * t
    arch = shape.arch * np.sin(np.pi * np.clip(t / 0.7, 0, 1) / 2)
    tail = shape.tail_drop * np.clip((t - 0.7) / 0.3, 0, 1) ** 2
    bottom = shape.base_height + arch - tail
    width = shape.inner_width + (shape.outer_width - shape.inner_width) * t ** 1.5
    # The ends taper to a point-ish edge so the brow does not look like a cut-out strip.
    width = width * (0.55 + 0.45 * np.sin(np.pi * np.clip(t, 0.04, 0.96)) ** 0.3)
    x = eye_centre[0] + side * eye_radius * np.repeat(lateral[:, None], shape.across, 1)
    y = eye_centre[1] + eye_radius * (bottom[:, None] + width[:, None] * s[None, :])
    z = np.full_like(x, eye_centre[2] + 0.2)
    origins = np.stack([x, y, z], axis=-1).reshape(-1, 3)

    near = _faces_near(skin_vertices, skin_faces, origins, radius=3 * eye_radius)
    binding, surface, normals = bind_by_projection(origins, np.array([0.0, 0.0, -1.0]),
                                                   skin_vertices, near)
    vertices = (surface + shape.lift * normals).astype(np.float32)

    grid = np.arange(shape.along * shape.across).reshape(shape.along, shape.across)
    a, b = grid[:-1, :-1].ravel(), grid[1:, :-1].ravel()
    c, d = grid[1:, 1:].ravel(), grid[:-1, 1:].ravel()
    faces = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])
    normal = np.cross(vertices[faces[:, 1]] - vertices[faces[:, 0]],
                      vertices[faces[:, 2]] - vertices[faces[:, 0]])
    if np.mean(normal[:, 2]) < 0:
        faces = faces[:, ::-1]
    return vertices, faces.astype(np.int64), binding


def _faces_near(vertices: np.ndarray, faces: np.ndarray, points: np.ndarray, radius: float) -> np.ndarray:
    """Faces with a corner within ``radius`` (in X and Y) of any of ``points``."""
    lo = points[:, :2].min(0) - radius
    hi = points[:, :2].max(0) + radius
    inside = np.all((vertices[:, :2] >= lo) & (vertices[:, :2] <= hi), axis=1)
    return faces[inside[faces].any(axis=1)]
