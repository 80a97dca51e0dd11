"""Headless rendering (pyrender + OSMesa) of the avatar, animation clips, and the MP4 writer."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

from synth.avatar import Avatar  # noqa: E402
from synth.avatar.render import Renderer  # noqa: E402
from synth.avatar.video import write_video  # noqa: E402
from synth.contracts import ARKIT_NAMES, FaceAnimation  # noqa: E402


@pytest.fixture(scope="module")
def renderer():
    try:
        r = Renderer(camera="head", size=256)
    except Exception as exc:  # no OSMesa library on this machine
        pytest.skip(f"offscreen OpenGL (OSMesa) unavailable: {exc}")
    yield r
    r.close()


def background_mask(image: np.ndarray, renderer: Renderer) -> np.ndarray:
    return np.all(np.abs(image.astype(int) - image[0, 0].astype(int)) < 3, axis=-1)


def is_skin(pixels: np.ndarray) -> np.ndarray:
    """Warm, mid-bright pixels: red above green above blue."""
    r, g, b = (pixels[..., k].astype(int) for k in range(3))
    return (r > g + 10) & (g > b) & (r > 120)


def face_animation(seconds: float = 0.5, fps: float = 60.0) -> FaceAnimation:
    n = int(seconds * fps) + 1
    w = np.zeros((n, 52), np.float32)
    w[:, ARKIT_NAMES.index("jawOpen")] = np.linspace(0, 0.8, n)
    head = np.zeros((n, 3), np.float32)
    head[:, 0] = np.linspace(0, 15, n)
    return FaceAnimation(fps, w, head, np.zeros((n, 2, 2), np.float32), np.zeros((n, 15), np.float32))


def test_head_camera_frames_a_face(renderer):
    image = renderer.render(camera="head")
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8
    assert (~background_mask(image, renderer)).mean() > 0.3, "the head fills the close-up"
    x0, y0, x1, y1 = renderer.face_box()
    assert 0 <= x0 < x1 <= 256 and 0 <= y0 < y1 <= 256
    assert 0.2 < (x1 - x0) / 256 < 0.7 and 0.3 < (y1 - y0) / 256 < 0.9
    crop = image[y0:y1, x0:x1]
    assert is_skin(crop).mean() > 0.5, "the face box covers skin"
    assert is_skin(image).mean() < 0.6, "but not the whole image is skin (background, shirt, hair)"


def test_body_camera_shows_the_whole_body(renderer):
    image = renderer.render(camera="body")
    rows = np.flatnonzero((~background_mask(image, renderer)).any(axis=1))
    assert rows[0] > 0 and rows[-1] < 255, "head and feet inside the frame"
    assert (rows[-1] - rows[0]) / 256 > 0.75, "and the body fills most of its height"
    renderer.set_camera("head")


def test_jaw_open_changes_the_mouth_pixels(renderer):
    avatar = renderer.avatar
    neutral = renderer.render(avatar.vertices, camera="head")
    w = np.zeros(52, np.float32)
    w[ARKIT_NAMES.index("jawOpen")] = 1.0
    opened = renderer.render(avatar.apply_face(w), camera="head")
    diff = np.abs(opened.astype(int) - neutral.astype(int)).sum(axis=-1) > 30
    x0, y0, x1, y1 = renderer.face_box()
    assert diff.sum() > 200
    ys, xs = np.nonzero(diff)
    assert np.all((xs >= x0 - 5) & (xs <= x1 + 5)), "only the face changes"
    assert ys.mean() > (y0 + y1) / 2, "in its lower half"
    # Rendering the rest mesh again restores the first image (vertex buffer rewritten in place).
    np.testing.assert_array_equal(renderer.render(avatar.vertices), neutral)


def test_render_animation_clip(renderer):
    anim = face_animation(0.5)
    clip = renderer.render_animation(face=anim, fps=30, camera="head", progress=False)
    n = int(np.ceil(anim.duration * 30))                  # 31 frames at 60 fps -> 16 at 30 fps
    assert clip.frames.shape == (n, 256, 256, 3)
    assert clip.face_boxes.shape == (n, 4)
    assert not np.array_equal(clip.frames[0], clip.frames[-1])
    assert clip.face_boxes[-1, 0] != clip.face_boxes[0, 0], "the head turns, the box follows"
    longer = renderer.render_animation(face=anim, fps=10, duration=1.0, progress=False)
    assert len(longer.frames) == 10


def test_write_video_with_audio(renderer, tmp_path):
    import imageio_ffmpeg

    frames = [renderer.render() for _ in range(2)] * 5
    sr = 16000
    audio = (0.2 * np.sin(2 * np.pi * 220 * np.arange(sr // 3) / sr)).astype(np.float32)
    out = write_video(tmp_path / "clip.mp4", frames, fps=30, audio=audio, sample_rate=sr)
    assert out.exists() and out.stat().st_size > 1000
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert n_frames == 10 and seconds == pytest.approx(1 / 3, abs=0.05)
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    reader.close()
    assert meta["size"] == (256, 256) and meta["fps"] == 30
    assert b"Audio: aac" in _probe(out) and b"Video: h264" in _probe(out)
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"], "no temporary files left"


def test_write_video_rejects_bad_frames_without_leaving_a_file(renderer, tmp_path):
    good = renderer.render()
    with pytest.raises(ValueError, match="frame size"):
        write_video(tmp_path / "bad.mp4", [good, good[:128]], fps=30)
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "bad.mp4", [good.astype(np.float32)], fps=30)
    assert list(tmp_path.iterdir()) == []


def _probe(path) -> bytes:
    import subprocess

    import imageio_ffmpeg

    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                            capture_output=True)
    return result.stderr


def test_mesh_instance_is_shared(renderer):
    assert renderer.avatar is Avatar.load()


def test_wrinkle_shading_darkens_compressed_skin():
    from synth.avatar.wrinkles import WrinkleShading

    avatar = Avatar.load()
    shading = WrinkleShading.build(avatar.vertices, avatar.faces, avatar.part_mask("skin"), strength=2.0)
    np.testing.assert_allclose(shading(avatar.vertices), 1.0)
    w = np.zeros(52, np.float32)
    w[[ARKIT_NAMES.index("browDownLeft"), ARKIT_NAMES.index("browDownRight")]] = 1.0
    factor = shading(avatar.apply_face(w))
    v = avatar.vertices
    glabella = avatar.part_mask("skin") & (np.abs(v[:, 0]) < 0.012) & (v[:, 1] > avatar.eye_height) \
        & (v[:, 1] < avatar.eye_height + 0.03) & (v[:, 2] > 0.1)
    assert glabella.sum() > 3
    assert factor[glabella].min() < 0.97, "a frown creases the skin between the brows"
    assert factor[v[:, 1] < 1.2].min() == 1.0, "the body is untouched"
    assert factor.min() >= shading.floor


def test_neckline_is_a_clean_edge_and_the_lights_model_the_face():
    """The T-shirt's crew neck is drawn per pixel: down the middle of the neck the colour turns
    from skin to shirt within a few pixels (vertex colours smeared it over a centimetre), and
    the edge runs smoothly across the neck (no zigzag along mesh edges). The key light from
    above leaves the shadow under the chin darker than the cheek."""
    try:
        r = Renderer(camera="head", size=512)
    except Exception as exc:  # no OSMesa library on this machine
        pytest.skip(f"offscreen OpenGL (OSMesa) unavailable: {exc}")
    with r:
        image = r.render().astype(int)
    shirt = np.array([0.20, 0.33, 0.50]) * 255

    def shirt_like(px):
        return np.linalg.norm(px - shirt, axis=-1) < 60

    edges = []
    for x in range(236, 277, 4):                        # columns across the front of the neck
        column = image[330:480, x]
        is_shirt = shirt_like(column).astype(int)
        first = int(np.argmax(is_shirt))
        assert is_shirt[first:].all() or is_shirt[first:first + 30].all(), x
        skin = is_skin(column[:first])
        transition = first - (np.flatnonzero(skin)[-1] + 1)
        assert transition <= 4, f"column {x}: {transition} px from skin to shirt"
        edges.append(first)
    assert np.abs(np.diff(edges, 2)).max() <= 3, f"the neckline zigzags: {edges}"
    box = r.face_box()
    assert image[box[3] + 8, 256].sum() < image[(box[1] + box[3]) // 2, 256 - 50].sum()


def test_body_keeps_its_clothes_under_the_shirt_layer(renderer):
    """The per-pixel shirt covers the torso only: the thighs show the trousers, the upper arm
    the shirt, the forearm skin."""
    avatar = Avatar.load()
    image = renderer.render(camera="body").astype(int)
    renderer.set_camera("head")
    v = avatar.vertices
    skin = avatar.part_mask("skin")

    def colour_at(lo, hi):
        """Mean colour around the front-most skin vertex inside the box lo..hi (metres)."""
        inside = skin & np.all((v >= lo) & (v <= hi), axis=1)
        point = v[inside][np.argmax(v[inside, 2])]
        x, y = np.round(renderer.project(point[None], camera="body")[0]).astype(int)
        return image[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3).mean(axis=0)

    palette = {"shirt": (0.20, 0.33, 0.50), "trousers": (0.22, 0.22, 0.26)}

    def nearest(c):
        return min(palette, key=lambda k: np.linalg.norm(c - 255 * np.array(palette[k])))

    thigh = colour_at((0.06, 0.6, -1), (0.09, 0.7, 1))
    assert nearest(thigh) == "trousers" and thigh[2] - thigh[0] < 25, thigh
    chest = colour_at((0.02, 1.25, -1), (0.08, 1.3, 1))
    assert nearest(chest) == "shirt" and chest[2] - chest[0] > 30, chest


def test_a_head_region_renderer_draws_the_same_face_without_the_body():
    """The critic's head camera draws only the head and neck: the face's pixels are those of the
    whole avatar (up to the few edge pixels two software GL contexts may round apart), the
    shoulders below are left out, and fewer vertices go to the GL context each frame."""
    whole = Renderer(camera="head", size=256)
    head = Renderer(camera="head", size=256, region="head")
    try:
        assert len(whole._ids) == len(whole.avatar.vertices)
        assert len(head._ids) < 0.5 * len(whole._ids)
        face = face_animation(seconds=0.5, fps=8.0)
        a = whole.render_animation(face=face, fps=8.0, progress=False, head_from_face=False)
        b = head.render_animation(face=face, fps=8.0, progress=False, head_from_face=False)
        x0, y0, x1, y1 = whole.face_box()
        assert head.face_box() == (x0, y0, x1, y1)
        difference = np.abs(a.frames[:, y0:y1, x0:x1].astype(int)
                            - b.frames[:, y0:y1, x0:x1].astype(int))
        assert (difference > 0).mean() < 1e-3
        jaw = np.abs(a.frames[-1, y0:y1, x0:x1].astype(int) - a.frames[0, y0:y1, x0:x1])
        assert jaw.max() > 50, "the face moved (the comparison is not of two rest frames)"
        bottom = slice(240, 256)
        assert not background_mask(a.frames[0], whole)[bottom].all()  # shoulders and shirt
        assert background_mask(b.frames[0], head)[bottom].mean() > 0.9  # left out
    finally:
        whole.close()
        head.close()
