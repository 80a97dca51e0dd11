"""How far apart the avatar's lips are, measured on its mesh (for checks and benchmarks).

The lips meet at the mouth's midline: an upper-lip vertex that the jaw does not move and a
lower-lip vertex that it carries. :class:`LipGauge` finds those pairs on the avatar's rest mesh
once, then evaluates their distance under any blendshape weights through the morph targets
alone (no rendering): ``position = rest + weights @ targets``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.contracts import ARKIT_NAMES


@dataclass
class LipGauge:
    """Lip distance of the avatar under blendshape weights."""

    upper: np.ndarray
    """(pairs,) int upper-lip vertex ids."""
    lower: np.ndarray
    """(pairs,) int lower-lip vertex ids facing them."""
    rest: np.ndarray
    """(pairs, 2, 3) float rest positions (upper, lower) in metres."""
    targets: np.ndarray
    """(52, pairs, 2, 3) float morph offsets of those vertices in metres."""

    @classmethod
    def load(cls, pairs: int = 3, spec=None) -> LipGauge:
        """Find the ``pairs`` closest upper/lower lip vertex pairs near the midline of the avatar
        of ``spec`` (a character's :class:`~controllers.character.AvatarSpec`; None: the default)."""
        from synth.avatar import PARTS, Avatar

        avatar = Avatar.load(spec)
        v = avatar.vertices.astype(np.float64)
        jaw = np.linalg.norm(avatar.face_targets[ARKIT_NAMES.index("jawOpen")], axis=1)
        near_mid = (avatar.parts == PARTS.index("skin")) & (np.abs(v[:, 0]) < 0.004)
        upper = np.flatnonzero(near_mid & (jaw < 0.1 * jaw.max()))
        lower = np.flatnonzero(near_mid & (jaw > 0.6 * jaw.max()))
        # only the front of the face (the lips), not the inside of the mouth
        front = v[near_mid, 2].max() - 0.03
        upper, lower = upper[v[upper, 2] > front], lower[v[lower, 2] > front]
        dist = np.linalg.norm(v[upper][:, None] - v[lower][None, :], axis=2)
        chosen_u, chosen_l = [], []
        for flat in np.argsort(dist, axis=None):
            i, j = np.unravel_index(flat, dist.shape)
            if upper[i] not in chosen_u and lower[j] not in chosen_l:
                chosen_u.append(upper[i])
                chosen_l.append(lower[j])
            if len(chosen_u) == pairs:
                break
        ids = np.stack([chosen_u, chosen_l], axis=1)  # (pairs, 2)
        return cls(np.array(chosen_u), np.array(chosen_l), v[ids],
                   avatar.face_targets[:, ids].astype(np.float64))

    def gap_mm(self, weights: np.ndarray) -> np.ndarray:
        """(frames,) mean upper-to-lower lip distance in millimetres minus the rest distance.

        ``weights`` (frames, 52) in :data:`ARKIT_NAMES` order. 0 is lips as closed as at rest;
        negative is pressed together.
        """
        w = np.atleast_2d(np.asarray(weights, np.float64))
        pos = self.rest[None] + np.einsum("fk,kpsc->fpsc", w, self.targets)
        dist = np.linalg.norm(pos[:, :, 0] - pos[:, :, 1], axis=2)
        rest = np.linalg.norm(self.rest[:, 0] - self.rest[:, 1], axis=1)
        return 1000.0 * (dist - rest[None]).mean(axis=1)
