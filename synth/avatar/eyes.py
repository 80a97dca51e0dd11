"""Eye balls with an iris and a pupil, replacing the base mesh's 72-vertex helper eyes.

The helper eye is an 8-sided sphere, too coarse to carry an iris. Each eye here is a finer sphere
at the same centre whose front pole looks along +Z, with rings placed exactly on the pupil and
iris edges so vertex colours give crisp boundaries. Its vertices are bound by radial projection
to the helper eye's triangles, so the eyeLook* targets (which rotate the helper eye) rotate it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.avatar.binding import SurfaceBinding, bind_by_projection


@dataclass(frozen=True)
class EyeShape:
    """Angular layout of the eye ball, in degrees from the front pole."""

    pupil: float = 9.0
    """Angular radius of the pupil."""
    iris: float = 25.0
    """Angular radius of the iris."""
    segments: int = 32
    """Vertices around each ring."""
    scale: float = 0.985
    """Radius relative to the helper eye (slightly inside the lids)."""


def eye_rings(shape: EyeShape) -> np.ndarray:
    """Polar angles (degrees) of the latitude rings, with doubled rings on the colour edges."""
    front = [1.0, shape.pupil - 0.6, shape.pupil + 0.6, 0.5 * (shape.pupil + shape.iris),
             shape.iris - 0.8, shape.iris + 0.8]
    back = np.linspace(shape.iris + 10, 170, 9)
    return np.concatenate([front, back])


def build_eye(helper_vertices: np.ndarray, helper_faces: np.ndarray, shape: EyeShape = EyeShape()
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, SurfaceBinding]:
    """Build one eye ball over a helper eye.

    Parameters
    ----------
    helper_vertices : (V, 3) float mesh vertices in metres (the helper eye's among them).
    helper_faces : (F, 3) int the helper eye's triangles, indexing ``helper_vertices``.

    Returns
    -------
    vertices : (n, 3) float32 eye-ball vertices in metres.
    faces : (m, 3) int64 triangles indexing ``vertices``, wound outwards.
    polar : (n,) float32 angle of each vertex from the front pole in degrees (for shading).
    binding : where each vertex sits on the helper eye.
    """
    used = np.unique(helper_faces)
    centre = helper_vertices[used].mean(axis=0)
    radius = float(np.linalg.norm(helper_vertices[used] - centre, axis=1).mean())

    rings = eye_rings(shape)
    theta = np.radians(rings)[:, None]
    phi = np.linspace(0, 2 * np.pi, shape.segments, endpoint=False)[None, :]
    directions = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi),
                           np.cos(theta) * np.ones_like(phi)], axis=-1).reshape(-1, 3)
    # Front and back poles close the sphere.
    directions = np.concatenate([[[0.0, 0.0, 1.0]], directions, [[0.0, 0.0, -1.0]]])
    polar = np.concatenate([[0.0], np.repeat(rings, shape.segments), [180.0]])

    origins = centre + 2.0 * radius * directions
    binding, _, _ = bind_by_projection(origins, -directions, helper_vertices, helper_faces)
    vertices = (centre + shape.scale * radius * directions).astype(np.float32)

    n_rings, seg = len(rings), shape.segments
    ring = lambda r: 1 + r * seg + np.arange(seg)  # noqa: E731  (vertex ids of ring r)
    nxt = lambda ids: np.roll(ids, -1)  # noqa: E731
    tris = [np.stack([np.zeros(seg, int), ring(0), nxt(ring(0))], 1)]
    for r in range(n_rings - 1):
        a, b = ring(r), ring(r + 1)
        tris += [np.stack([a, b, nxt(b)], 1), np.stack([a, nxt(b), nxt(a)], 1)]
    last = len(vertices) - 1
    tris.append(np.stack([np.full(seg, last), nxt(ring(n_rings - 1)), ring(n_rings - 1)], 1))
    faces = np.concatenate(tris)
    normal = np.cross(vertices[faces[:, 1]] - vertices[faces[:, 0]],
                      vertices[faces[:, 2]] - vertices[faces[:, 0]])
    outward = np.einsum("fk,fk->f", normal, vertices[faces].mean(1) - centre)
    if np.mean(outward) < 0:
        faces = faces[:, ::-1]
    return vertices, faces.astype(np.int64), polar.astype(np.float32), binding
