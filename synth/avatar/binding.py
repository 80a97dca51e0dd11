"""Attach added geometry (eyebrows, eyes) to the base mesh's surface.

A bound vertex is a barycentric combination of three base-mesh vertices plus a fixed offset, so
that anything defined per base vertex (morph offsets, skin weights) carries over to it by the
same combination: when ``browDownLeft`` moves the brow skin, the eyebrow on it moves along.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SurfaceBinding:
    """Where each of n added vertices sits on the base mesh."""

    vertex_ids: np.ndarray
    """(n, 3) int64 base-mesh vertex indices (one triangle per added vertex)."""
    weights: np.ndarray
    """(n, 3) float32 barycentric weights (rows sum to 1)."""

    def interpolate(self, per_vertex: np.ndarray) -> np.ndarray:
        """Carry a per-base-vertex array ``(..., V, k)`` over to the bound vertices ``(..., n, k)``."""
        per_vertex = np.asarray(per_vertex)
        out = np.zeros(per_vertex.shape[:-2] + (len(self.weights), per_vertex.shape[-1]),
                       np.result_type(per_vertex, self.weights))
        for corner in range(3):
            # Only rows with weight on this corner (most rows are plain copies of one vertex).
            rows = np.flatnonzero(self.weights[:, corner])
            taken = np.take(per_vertex, self.vertex_ids[rows, corner], axis=-2)
            out[..., rows, :] += taken * self.weights[rows, corner, None]
        return out


def raycast(origins: np.ndarray, directions: np.ndarray, triangles: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First hit of rays on a triangle soup (Moller-Trumbore, vectorised over rays x triangles).

    Parameters
    ----------
    origins : (n, 3) float ray origins.
    directions : (n, 3) or (3,) float ray directions (need not be unit length).
    triangles : (T, 3, 3) float triangle corners.

    Returns
    -------
    triangle : (n,) int index of the hit triangle, -1 where the ray misses.
    barycentric : (n, 3) float weights of the hit point on the triangle's corners.
    distance : (n,) float ray parameter of the hit (inf on a miss).
    """
    d = np.broadcast_to(directions, origins.shape)[:, None, :]     # (n, 1, 3)
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    e1, e2 = (b - a)[None], (c - a)[None]                           # (1, T, 3)
    p = np.cross(d, e2)                                             # (n, T, 3)
    det = np.einsum("ntk,ntk->nt", np.broadcast_to(e1, p.shape), p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origins[:, None, :] - a[None]                               # (n, T, 3)
    u = np.einsum("ntk,ntk->nt", s, p) * inv
    q = np.cross(s, e1)                                             # (n, T, 3)
    v = np.einsum("ntk,ntk->nt", np.broadcast_to(d, q.shape), q) * inv
    t = np.einsum("ntk,ntk->nt", q, np.broadcast_to(e2, q.shape)) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    t = np.where(hit, t, np.inf)
    best = np.argmin(t, axis=1)
    rows = np.arange(len(origins))
    missed = ~np.isfinite(t[rows, best])
    u_b, v_b = u[rows, best], v[rows, best]
    bary = np.stack([1 - u_b - v_b, u_b, v_b], axis=1)
    return np.where(missed, -1, best), bary, t[rows, best]


def bind_by_projection(points: np.ndarray, directions: np.ndarray, vertices: np.ndarray,
                       faces: np.ndarray) -> tuple[SurfaceBinding, np.ndarray, np.ndarray]:
    """Project points along ``directions`` onto a mesh and bind them where they land.

    Parameters
    ----------
    points : (n, 3) float ray origins (in front of the surface).
    directions : (n, 3) or (3,) float projection directions.
    vertices : (V, 3) float mesh vertices.
    faces : (F, 3) int candidate triangles (a small region keeps this fast).

    Returns ``(binding, surface_points (n, 3), normals (n, 3))``: the binding, the landing points and
    the unit normals of the triangles hit (oriented against the rays).
    """
    tri = vertices[faces]
    directions = np.broadcast_to(directions, points.shape)
    hit, bary, _ = raycast(points, directions, tri)
    if np.any(hit < 0):
        raise ValueError(f"{int(np.sum(hit < 0))} of {len(points)} points miss the surface")
    ids = faces[hit]
    surface = np.einsum("nik,ni->nk", vertices[ids], bary)
    normals = np.cross(tri[hit, 1] - tri[hit, 0], tri[hit, 2] - tri[hit, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    normals *= -np.sign(np.einsum("nk,nk->n", normals, directions))[:, None]
    return SurfaceBinding(ids.astype(np.int64), bary.astype(np.float32)), surface, normals
