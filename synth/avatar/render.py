"""Headless rendering of the avatar with pyrender + OSMesa: a head camera and a body camera.

The scene (mesh, lights, cameras) is built once; each frame only rewrites the mesh's vertex buffer
(positions and normals) on the GPU context, so animation costs one draw per frame. Set
``PYOPENGL_PLATFORM=osmesa`` (done here when unset) before OpenGL is first imported.

Example
-------
>>> renderer = Renderer(camera="head")
>>> frame = renderer.render(avatar.apply_face(weights))     # (512, 512, 3) uint8
>>> x0, y0, x1, y1 = renderer.face_box(avatar.apply_face(weights))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import scipy.sparse

from controllers.character import Character
from synth.avatar.mesh import Avatar
from synth.contracts import BodyAnimation, FaceAnimation

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")


#: Most extra light a darker-skinned character gets (see :func:`face_exposure`).
EXPOSURE_MAX = 1.6


def _luminance(srgb) -> float:
    """Relative luminance (linear light, Rec. 709 weights) of an sRGB colour."""
    from synth.avatar.shading import srgb_to_linear

    return float(np.dot(srgb_to_linear(np.asarray(srgb, np.float32)), (0.2126, 0.7152, 0.0722)))


def face_exposure(avatar: Avatar) -> float:
    """Light on ``avatar``'s face relative to the default avatar's, as a camera operator meters
    for skin: the square root of how much darker its skin is than the default skin, at most
    :data:`EXPOSURE_MAX` (1 for the default skin and lighter ones). A darker face then keeps the
    contrast of its brows, lids and lips in the frame (and in the FER's grey crop) instead of
    sinking into the shadows; it still renders darker than a lighter one."""
    from controllers.character import AvatarSpec

    ratio = _luminance(AvatarSpec().skin) / max(_luminance(avatar.spec.skin), 1e-6)
    return float(np.clip(np.sqrt(ratio), 1.0, EXPOSURE_MAX))


#: Directions the lights travel (x: the character's left, y: up, z: towards the camera).
KEY_LIGHT = (0.45, -0.7, -1.0)
FILL_LIGHT = (-0.7, -0.15, -1.0)
RIM_LIGHT = (-0.35, -0.25, 1.0)


@dataclass
class RenderedClip:
    """Frames of a rendered animation with the face's box in each."""

    frames: np.ndarray
    """(frames, H, W, 3) uint8 RGB images."""
    fps: float
    """Frames per second."""
    face_boxes: np.ndarray
    """(frames, 4) int32 face box ``x0, y0, x1, y1`` in pixels per frame (see :meth:`Renderer.face_box`)."""
    camera: str
    """The view rendered (``"head"`` or ``"body"``)."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.frames) / self.fps


@dataclass(frozen=True)
class CameraView:
    """A fixed perspective camera looking along -Z at the avatar."""

    name: str
    """``"head"`` or ``"body"``."""
    look_at: tuple[float, float, float]
    """Point at the image centre, metres."""
    height: float
    """Height of the visible slab at the look-at point, metres."""
    yfov_deg: float
    """Vertical field of view in degrees."""

    @property
    def distance(self) -> float:
        """Camera distance from the look-at point in metres."""
        return 0.5 * self.height / np.tan(np.radians(self.yfov_deg) / 2)

    def pose(self) -> np.ndarray:
        """(4, 4) camera-to-world matrix (OpenGL convention: the camera looks along its -Z)."""
        pose = np.eye(4)
        pose[:3, 3] = np.asarray(self.look_at) + np.array([0.0, 0.0, self.distance])
        return pose


def _skin_shader_cache(pyrender):
    """A pyrender shader cache that swaps the mesh fragment shader for ``shaders/skin.frag``."""
    from pathlib import Path

    skin_frag = str(Path(__file__).with_name("shaders") / "skin.frag")

    class SkinShaderCache(pyrender.shader_program.ShaderProgramCache):
        def get_program(self, vertex_shader, fragment_shader, geometry_shader=None, defines=None):
            if fragment_shader == "mesh.frag":
                fragment_shader = skin_frag   # an absolute path survives os.path.join(shader_dir, ...)
            return super().get_program(vertex_shader, fragment_shader, geometry_shader, defines)

    return SkinShaderCache()


def default_views(avatar: Avatar) -> dict[str, CameraView]:
    """The two standard views: a head-and-shoulders close-up and the full body."""
    eye_y = avatar.eye_height
    face_z = float(avatar.vertices[avatar.face_vertices, 2].mean())
    top = float(avatar.vertices[:, 1].max())
    return {
        "head": CameraView("head", (0.0, eye_y - 0.075, face_z), height=0.40, yfov_deg=20.0),
        "body": CameraView("body", (0.0, top / 2, 0.0), height=top * 1.12, yfov_deg=30.0),
    }


class Renderer:
    """Offscreen renderer of one avatar from the head or body camera.

    Parameters
    ----------
    avatar : the mesh to draw (by default the character's, ``Avatar.load(character.avatar)``).
    size : image width and height in pixels.
    camera : the view to start with, ``"head"`` or ``"body"``.
    background : sRGB background colour in [0, 1].
    wrinkles : darken the skin where expressions compress it (:mod:`synth.avatar.wrinkles`);
        the strength, 0 to turn it off.
    fast_shader : shade with the light-weight skin shader (``shaders/skin.frag``: wrapped Lambert
        and a faint sheen) instead of pyrender's PBR shader, which costs about twice as much per
        pixel in OSMesa's software rasteriser.
    character : the :class:`~controllers.character.Character` whose body, face and colours to
        draw when no ``avatar`` is given (None: the studio's default avatar); the cameras follow
        its height, and a darker skin gets more light (:func:`face_exposure`, :attr:`exposure`).
    region : ``"body"`` (the whole mesh) or ``"head"`` (:meth:`Avatar.region`: head and neck;
        the head camera's face looks the same, the shoulders are left out).
    """

    def __init__(self, avatar: Avatar | None = None, size: int = 512, camera: str = "head",
                 background: tuple[float, float, float] = (0.80, 0.82, 0.85), wrinkles: float = 2.0,
                 fast_shader: bool = True, character: Character | None = None,
                 region: str = "body"):
        from synth.avatar.offscreen import pyrender  # without its on-screen viewer

        if avatar is None:
            avatar = Avatar.load(character.avatar if character is not None else None)
        self.avatar = avatar
        self.size = int(size)
        self.views = default_views(self.avatar)
        if camera not in self.views:
            raise ValueError(f"unknown camera {camera!r}; expected one of {sorted(self.views)}")
        # the drawn vertices (ids into the avatar's) and their triangles
        self._ids, faces = self.avatar.region(region)
        self._whole = region == "body"
        n_v = len(self._ids)
        self._corners = [np.ascontiguousarray(faces[:, k], dtype=np.intp) for k in range(3)]
        # Sparse (V, F) incidence: vertex normal = sum of the (area-weighted) face normals around it.
        rows = faces.ravel()
        cols = np.repeat(np.arange(len(faces)), 3)
        self._incidence = scipy.sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                                  shape=(n_v, len(faces)))
        material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(1.0, 1.0, 1.0, 1.0), metallicFactor=0.0, roughnessFactor=0.75,
            doubleSided=False)
        # The T-shirt as a layer the skin shader draws per pixel (a clean neckline and sleeve
        # edges): bare skin colours, and the shirt's coverage and colour in the texture
        # coordinates (uv_0 = coverage, red; uv_1 = green, blue). pyrender's PBR shader would
        # ignore the layer, so it is used with the skin shader only.
        self._layer = None
        colors = self._drawn(self.avatar.colors)
        if fast_shader and self.avatar.shirt_coverage is not None:
            colors = self._drawn(self.avatar.bare_colors)
            r, g, b = self.avatar.shirt_color
            cover = self._drawn(self.avatar.shirt_coverage).astype(np.float32)
            self._layer = np.stack([cover, np.full_like(cover, r), np.full_like(cover, g),
                                    np.full_like(cover, b)], axis=1)
        self._primitive = pyrender.Primitive(
            positions=self._drawn(self.avatar.vertices),
            normals=self.vertex_normals(self._drawn(self.avatar.vertices)),
            texcoord_0=None if self._layer is None else self._layer[:, :2],
            texcoord_1=None if self._layer is None else self._layer[:, 2:],
            color_0=colors, indices=faces, material=material, mode=pyrender.GLTF.TRIANGLES)
        self._colors = colors.astype(np.float32)
        self._wrinkles = None
        if wrinkles > 0:
            from synth.avatar.wrinkles import WrinkleShading

            self._wrinkles = WrinkleShading.build(self._drawn(self.avatar.vertices), faces,
                                                  self._drawn(self.avatar.part_mask("skin")),
                                                  strength=wrinkles)

        bg = tuple(float(c) for c in background)
        self.exposure = face_exposure(self.avatar)
        ambient = (0.30, 0.30, 0.31) if self.exposure == 1.0 else \
            tuple(self.exposure * c for c in (0.30, 0.30, 0.31))
        self.scene = pyrender.Scene(bg_color=(*bg, 1.0), ambient_light=ambient)
        self.scene.add(pyrender.Mesh([self._primitive]))
        self._add_lights(pyrender)
        self._camera = pyrender.PerspectiveCamera(yfov=np.radians(self.views[camera].yfov_deg),
                                                  znear=0.05, zfar=20.0, aspectRatio=1.0)
        self._camera_node = self.scene.add(self._camera, pose=self.views[camera].pose())
        self.camera = camera
        self._renderer = pyrender.OffscreenRenderer(self.size, self.size)
        if fast_shader:
            self._renderer._renderer._program_cache = _skin_shader_cache(pyrender)
        self._uploaded = False

    # ------------------------------------------------------------------ set-up
    def _add_lights(self, pyrender) -> None:
        """Three-point lighting: a warm key from above and to the side, a cool fill from the
        other side, and a rim light from behind.

        The key comes from high enough (about 35 degrees above the eyes) that the brow ridge,
        the furrows between the brows and the lids shade as they fold; the fill keeps the
        shadow side readable; the rim light outlines the head, ears and shoulders against the
        background. (Each light costs a few milliseconds per frame in the software rasteriser.)
        """
        def toward(direction):  # pose whose -Z axis points along ``direction``
            z = -np.asarray(direction, float) / np.linalg.norm(direction)
            x = np.cross([0.0, 1.0, 0.0], z)
            x /= np.linalg.norm(x)
            pose = np.eye(4)
            pose[:3, :3] = np.stack([x, np.cross(z, x), z], axis=1)
            return pose

        k = self.exposure   # more light on a darker face (1 for the default avatar)
        self.scene.add(pyrender.DirectionalLight(color=(1.0, 0.95, 0.88), intensity=3.0 * k),
                       pose=toward(KEY_LIGHT))
        self.scene.add(pyrender.DirectionalLight(color=(0.82, 0.88, 1.0), intensity=1.0 * k),
                       pose=toward(FILL_LIGHT))
        self.scene.add(pyrender.DirectionalLight(color=(1.0, 0.97, 0.92), intensity=2.4 * k),
                       pose=toward(RIM_LIGHT))

    def set_camera(self, camera: str) -> None:
        """Switch to the ``"head"`` or ``"body"`` view."""
        if camera not in self.views:
            raise ValueError(f"unknown camera {camera!r}; expected one of {sorted(self.views)}")
        view = self.views[camera]
        self._camera.yfov = np.radians(view.yfov_deg)
        self.scene.set_pose(self._camera_node, view.pose())
        self.camera = camera

    # ------------------------------------------------------------------ geometry
    def _drawn(self, per_vertex: np.ndarray) -> np.ndarray:
        """The rows of a per-vertex array (V, ...) that this renderer draws."""
        return per_vertex if self._whole else per_vertex[self._ids]

    def vertex_normals(self, vertices: np.ndarray) -> np.ndarray:
        """(V, 3) float32 unit vertex normals of the drawn triangles at the drawn ``vertices``
        (V, 3) (all the avatar's, or its region's: :meth:`_drawn`)."""
        v = np.asarray(vertices, dtype=np.float32)
        # np.take with contiguous index arrays gathers several times faster than fancy indexing.
        a, b, c = (np.take(v, corner, axis=0) for corner in self._corners)
        face_normals = np.cross(b - a, c - a)                        # area-weighted
        normals = self._incidence @ face_normals
        norm = np.sqrt(np.einsum("ij,ij->i", normals, normals))[:, None]
        return (normals / np.maximum(norm, 1e-12)).astype(np.float32, copy=False)

    def _upload(self, vertices: np.ndarray) -> None:
        """Rewrite the vertex buffer in place (layout: position 3, normal 3, [shirt layer 2 + 2,]
        colour 4).

        Uses pyrender's private buffer handle (``Primitive._buffers[0]``, pyrender-maintained
        1.0.1): rebuilding the mesh each frame would re-create every GL object instead.
        """
        from OpenGL.GL import GL_ARRAY_BUFFER, glBindBuffer, glBufferSubData

        vertices = self._drawn(vertices)
        colors = self._colors
        if self._wrinkles is not None:
            colors = colors.copy()
            colors[:, :3] *= self._wrinkles(vertices)[:, None]
        parts = [vertices.astype(np.float32), self.vertex_normals(vertices)]
        if self._layer is not None:
            parts.append(self._layer)
        data = np.concatenate(parts + [colors], axis=1)
        self._renderer._platform.make_current()
        glBindBuffer(GL_ARRAY_BUFFER, self._primitive._buffers[0])
        glBufferSubData(GL_ARRAY_BUFFER, 0, data.nbytes, np.ascontiguousarray(data))
        glBindBuffer(GL_ARRAY_BUFFER, 0)

    # ------------------------------------------------------------------ drawing
    def render(self, vertices: np.ndarray | None = None, camera: str | None = None) -> np.ndarray:
        """Draw one frame.

        Parameters
        ----------
        vertices : (V, 3) float vertex positions in metres (the rest mesh when None).
        camera : ``"head"`` or ``"body"`` (the current view when None).

        Returns
        -------
        (size, size, 3) uint8 RGB image.
        """
        if camera is not None and camera != self.camera:
            self.set_camera(camera)
        if not self._uploaded:
            # The first render uploads the mesh to the GL context; later frames rewrite it.
            color, _ = self._renderer.render(self.scene)
            self._uploaded = True
            if vertices is None:
                return color
        self._upload(self.avatar.vertices if vertices is None else np.asarray(vertices))
        color, _ = self._renderer.render(self.scene)
        return color

    def project(self, points: np.ndarray, camera: str | None = None) -> np.ndarray:
        """(n, 2) float pixel coordinates (x right, y down) of world points (n, 3) in metres."""
        from synth.avatar.offscreen import pyrender  # without its on-screen viewer

        view = self.views[camera or self.camera]
        # that view's own field of view (the GL camera holds the current view's)
        lens = pyrender.PerspectiveCamera(yfov=np.radians(view.yfov_deg), znear=self._camera.znear,
                                          zfar=self._camera.zfar, aspectRatio=1.0)
        proj = lens.get_projection_matrix(self.size, self.size)
        world_to_camera = np.linalg.inv(view.pose())
        homog = np.concatenate([points, np.ones((len(points), 1))], axis=1)
        clip = homog @ (proj @ world_to_camera).T
        ndc = clip[:, :2] / clip[:, 3:4]
        return np.stack([(ndc[:, 0] + 1) * 0.5 * self.size, (1 - ndc[:, 1]) * 0.5 * self.size], axis=1)

    def face_box(self, vertices: np.ndarray | None = None, camera: str | None = None,
                 forehead: float = 0.25) -> tuple[int, int, int, int]:
        """Pixel box ``(x0, y0, x1, y1)`` of the face (brows to chin, cheek to cheek).

        The face vertices (those the ARKit targets move) are projected through the camera; the
        box is extended upwards by ``forehead`` times its height to take in the forehead, as face
        detectors crop, and clipped to the image.
        """
        verts = self.avatar.vertices if vertices is None else np.asarray(vertices)
        pix = self.project(verts[self.avatar.face_vertices], camera)
        x0, y0 = pix.min(axis=0)
        x1, y1 = pix.max(axis=0)
        y0 -= forehead * (y1 - y0)
        clip = lambda v: int(np.clip(round(float(v)), 0, self.size))  # noqa: E731
        return clip(x0), clip(y0), clip(x1), clip(y1)

    def frames(self, vertex_frames: np.ndarray | Iterator[np.ndarray], camera: str | None = None,
               progress: bool = True, total: int | None = None) -> Iterator[np.ndarray]:
        """Render a sequence of vertex arrays (frames, V, 3), yielding (size, size, 3) uint8 images."""
        if total is None and hasattr(vertex_frames, "__len__"):
            total = len(vertex_frames)
        desc = f"render {camera or self.camera}"
        for vertices in _progress(vertex_frames, progress, total, desc):
            yield self.render(vertices, camera)

    def render_animation(self, face: FaceAnimation | None = None, body: BodyAnimation | None = None,
                         fps: float = 30.0, camera: str | None = None, duration: float | None = None,
                         progress: bool = True, head_from_face: bool | None = None) -> RenderedClip:
        """Render a face and/or body animation (see :class:`synth.avatar.animation.PosedSequence`).

        Parameters
        ----------
        face, body : the animations (at least one); blendshapes come from ``face``, joint
            rotations and root motion from ``body``; the head rotation from ``face`` when there
            is no body (see ``head_from_face`` in :class:`~synth.avatar.animation.PosedSequence`).
        fps : output frame rate.
        camera : ``"head"`` or ``"body"`` (the current view when None).
        duration : seconds to render (the longer animation when None), e.g. the audio's length.
        progress : show a tqdm progress bar.
        """
        from synth.avatar.animation import PosedSequence

        sequence = PosedSequence(face, body, fps=fps, duration=duration, avatar=self.avatar,
                                 head_from_face=head_from_face)
        camera = camera or self.camera
        frames = np.empty((len(sequence), self.size, self.size, 3), np.uint8)
        boxes = np.empty((len(sequence), 4), np.int32)
        for k, vertices in enumerate(_progress(sequence, progress, len(sequence),
                                               f"render {camera}")):
            frames[k] = self.render(vertices, camera)
            boxes[k] = self.face_box(vertices, camera)
        return RenderedClip(frames, float(fps), boxes, camera)

    def close(self) -> None:
        """Release the GL context."""
        self._renderer.delete()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _progress(frames, show: bool, total: int | None, desc: str):
    """``frames`` with a tqdm progress bar when ``show`` (tqdm is imported only then: the critic's
    head camera renders without one, and ``tqdm.auto`` looks for notebook support on import)."""
    if not show:
        return frames
    from tqdm.auto import tqdm

    return tqdm(frames, total=total, unit="frame", desc=desc)
