"""Frames + audio -> MP4 (H.264, yuv420p, AAC), with the ffmpeg that imageio-ffmpeg ships.

Frames are streamed to the encoder, so a generator of frames never has to sit in memory, and the
file appears under its name only when complete (:func:`synth.atomic.atomic_path`).

Example
-------
>>> clip = renderer.render_animation(face_anim, fps=30)
>>> write_video("face.mp4", clip.frames, fps=clip.fps, audio=speech.audio, sample_rate=speech.sample_rate)
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np

from synth.atomic import atomic_path

if TYPE_CHECKING:
    from controllers.character import Character
    from synth.avatar.render import Renderer
    from synth.contracts import BodyAnimation, FaceAnimation


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float,
                audio: np.ndarray | None = None, sample_rate: int | None = None,
                quality: int = 7) -> Path:
    """Encode frames (and optional mono audio) into an MP4 file, atomically.

    Parameters
    ----------
    path : output file (``.mp4``).
    frames : iterable of (H, W, 3) uint8 RGB images, all the same size (H and W even).
    fps : frames per second.
    audio : (samples,) float32 mono in [-1, 1], muxed as AAC; None for a silent video.
    sample_rate : audio sample rate in Hertz (required with ``audio``).
    quality : imageio-ffmpeg quality, 0 (worst) to 10 (best).

    Returns
    -------
    The path written.
    """
    import imageio_ffmpeg
    import soundfile

    path = Path(path)
    if audio is not None and not sample_rate:
        raise ValueError("sample_rate is required when audio is given")
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise ValueError("no frames to write")
    first = _check_frame(first, None)
    height, width = first.shape[:2]
    with tempfile.TemporaryDirectory(prefix="emostudio-video-") as tmp, atomic_path(path) as out:
        audio_path = None
        if audio is not None:
            audio_path = str(Path(tmp) / "audio.wav")
            mono = np.clip(np.asarray(audio, np.float32).reshape(-1), -1.0, 1.0)
            soundfile.write(audio_path, mono, int(sample_rate), subtype="PCM_16")
        writer = imageio_ffmpeg.write_frames(
            str(out), (width, height), fps=float(fps), codec="libx264", pix_fmt_out="yuv420p",
            quality=quality, macro_block_size=2, audio_path=audio_path,
            audio_codec="aac" if audio_path else None,
            output_params=["-movflags", "+faststart"], ffmpeg_log_level="error")
        writer.send(None)  # start the encoder
        try:
            writer.send(np.ascontiguousarray(first))
            for frame in iterator:
                writer.send(np.ascontiguousarray(_check_frame(frame, (height, width))))
        finally:
            writer.close()
    return path


def write_animation_video(path: str | Path, face: FaceAnimation | None = None,
                          body: BodyAnimation | None = None, camera: str = "head",
                          fps: float = 30.0, size: int = 512, audio: np.ndarray | None = None,
                          sample_rate: int | None = None, progress: bool = True,
                          renderer: Renderer | None = None,
                          character: Character | None = None) -> Path:
    """Render a face and/or body animation from ``camera`` and write it as MP4, atomically.

    Parameters
    ----------
    path : output file (``.mp4``).
    face, body : the animations (at least one), as for
        :meth:`synth.avatar.render.Renderer.render_animation`.
    camera : ``"head"`` or ``"body"``.
    fps : video frames per second.
    size : frame width and height in pixels (ignored when ``renderer`` is given).
    audio : (samples,) float32 mono in [-1, 1] to mux, or None; when given, the video lasts as
        long as the audio.
    sample_rate : audio sample rate in Hertz (required with ``audio``).
    progress : show a tqdm progress bar while rendering.
    renderer : an open renderer to reuse; a new one (closed afterwards) when None.
    character : whose avatar a new renderer draws (None: the default avatar; ignored when
        ``renderer`` is given: it draws its own).

    Returns
    -------
    The path written.
    """
    from synth.avatar.render import Renderer

    duration = len(audio) / float(sample_rate) if audio is not None and sample_rate else None
    if renderer is None:
        with Renderer(size=size, camera=camera, character=character) as own:
            clip = own.render_animation(face=face, body=body, fps=fps, camera=camera,
                                        duration=duration, progress=progress)
    else:
        clip = renderer.render_animation(face=face, body=body, fps=fps, camera=camera,
                                         duration=duration, progress=progress)
    return write_video(path, clip.frames, clip.fps, audio=audio, sample_rate=sample_rate)


def _check_frame(frame: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frames must be (H, W, 3) uint8, got {frame.shape} {frame.dtype}")
    if size is not None and frame.shape[:2] != size:
        raise ValueError(f"frame size changed from {size} to {frame.shape[:2]}")
    return frame
