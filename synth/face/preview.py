"""The preview of a face animation: head-camera frames of the avatar, and ``face.mp4``.

Blendshape weights deform the avatar's mesh (``Avatar.apply_face``); the head rotation turns the
neck and head joints of its Mixamo rig (``synth.avatar.skinning``), shared between them so the
neck bends naturally; the eyes turn through the ``eyeLook*`` blendshapes already in the
weights. Frames are rendered by the avatar's headless renderer from its head camera.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from synth.contracts import FaceAnimation

#: Share of the head rotation carried by the neck joint (the head joint takes the rest).
NECK_SHARE = 0.4


def _axis_angle_quaternions(axis: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """(frames, 4) xyzw quaternions of rotations by ``degrees`` (frames,) about unit ``axis``."""
    half = np.deg2rad(degrees) / 2.0
    return np.concatenate([np.sin(half)[:, None] * axis[None, :], np.cos(half)[:, None]], axis=1)


def _quat_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product of (n, 4) xyzw quaternions (``a`` applied after ``b``)."""
    ax, ay, az, aw = a.T
    bx, by, bz, bw = b.T
    return np.stack([aw * bx + ax * bw + ay * bz - az * by,
                     aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw,
                     aw * bw - ax * bx - ay * by - az * bz], axis=1)


def head_quaternions(head: np.ndarray, share: float) -> np.ndarray:
    """(frames, 4) xyzw rotation for ``share`` of (frames, 3) yaw/pitch/roll degrees.

    Rig convention (avatar notes): yaw to the character's left is +Y, pitch down is +X, roll
    is about +Z (the viewing axis); applied yaw after pitch after roll.
    """
    yaw = _axis_angle_quaternions(np.array([0.0, 1.0, 0.0]), share * head[:, 0])
    pitch = _axis_angle_quaternions(np.array([1.0, 0.0, 0.0]), share * head[:, 1])
    roll = _axis_angle_quaternions(np.array([0.0, 0.0, 1.0]), share * head[:, 2])
    return _quat_multiply(yaw, _quat_multiply(pitch, roll))


def vertex_frames(anim: FaceAnimation, frame_indices: np.ndarray) -> Iterator[np.ndarray]:
    """Yield (V, 3) float32 posed avatar vertices (metres) for the given animation frames."""
    from synth.avatar import Avatar
    from synth.avatar.rig import Skeleton
    from synth.avatar.skinning import (identity_rotations, pose, skin, skin_weights,
                                       skinning_matrices)

    avatar, skeleton, weights = Avatar.load(), Skeleton.load(), skin_weights()
    neck, head = skeleton.index("Neck"), skeleton.index("Head")
    q_neck = head_quaternions(anim.head[frame_indices], NECK_SHARE)
    q_head = head_quaternions(anim.head[frame_indices], 1.0 - NECK_SHARE)
    rotations = identity_rotations(len(skeleton.names))
    for k, i in enumerate(frame_indices):
        shaped = avatar.apply_face(anim.weights[i])
        rotations[neck], rotations[head] = q_neck[k], q_head[k]
        yield skin(shaped, skinning_matrices(skeleton, pose(skeleton, rotations)), weights)


def preview_frame_indices(anim: FaceAnimation, fps: float) -> np.ndarray:
    """Indices of the animation frames shown in a video at ``fps`` (nearest frame)."""
    n = max(1, int(round(anim.duration * fps)))
    return np.minimum(np.round(np.arange(n) * anim.fps / fps).astype(int), anim.frames - 1)


def render_face_frames(anim: FaceAnimation, fps: float = 30.0, size: int = 512,
                       progress: bool = False) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Head-camera frames of the animation at ``fps``.

    Returns ``frames`` (n, size, size, 3) uint8 RGB and the face pixel box (x0, y0, x1, y1) of
    the head camera (for face-emotion recognisers).
    """
    from synth.avatar.render import Renderer

    indices = preview_frame_indices(anim, fps)
    frames = np.empty((len(indices), size, size, 3), np.uint8)
    with Renderer(size=size, camera="head") as renderer:
        box = renderer.face_box()
        iterator = vertex_frames(anim, indices)
        if progress:
            from tqdm import tqdm

            iterator = tqdm(iterator, total=len(indices), desc="face preview", unit="frame")
        for k, vertices in enumerate(iterator):
            frames[k] = renderer.render(vertices)
    return frames, box


def write_face_video(anim: FaceAnimation, path: str | Path, audio: np.ndarray | None = None,
                     sample_rate: int | None = None, fps: float = 30.0, size: int = 512,
                     progress: bool = True) -> Path:
    """Render the frontal head-and-shoulders preview and write it as MP4 with the audio muxed.

    Written atomically by the avatar's video writer; returns the path.
    """
    from synth.avatar.video import write_video

    frames, _ = render_face_frames(anim, fps, size, progress)
    write_video(frames, path, fps=fps, audio=audio, sample_rate=sample_rate)
    return Path(path)
