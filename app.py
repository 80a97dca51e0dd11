"""The emostudio web UI (Gradio): type a line, choose an emotion, get a performance.

    python app.py [--host 127.0.0.1] [--port 7860] [--out out/ui]      (same as `emostudio ui`)

The emotion comes from a description, a valence-arousal pad (click it) or sliders, or a category
with an intensity. "Generate" renders one take; "Generate with critic loop" lets the critic
correct the controls until the take meets the target. Results: the voice, the preview video,
blendshape curves, the critic's report and a zip of every export.

The UI is a thin layer over :func:`studio.pipeline.render`. It listens on 127.0.0.1 unless told
otherwise and serves files only from its own output folder (``--out``): takes are written there
and Gradio's cache is kept inside it.
"""

import logging
import os
import sys
import time
import uuid
import zipfile
from pathlib import Path

import numpy as np

#: Where the UI writes its takes unless told otherwise (relative to the working directory).
DEFAULT_OUT = Path("out/ui")
#: Side of the valence-arousal pad image in pixels.
PAD_SIZE = 320
#: Blendshape curves shown in the plot: the most active ones.
PLOT_CURVES = 8

EXAMPLE_TEXT = "I really didn't expect to see you here. [angry] Why did you come back?"

log = logging.getLogger("emostudio.ui")


# -- pure helpers (testable without a browser) --------------------------------------------------

def pad_to_va(x: float, y: float, size: int = PAD_SIZE) -> tuple[float, float]:
    """Pixel (x right, y down) on the pad -> (valence, arousal), each in [-1, 1]."""
    valence = float(np.clip(2.0 * x / (size - 1) - 1.0, -1.0, 1.0))
    arousal = float(np.clip(1.0 - 2.0 * y / (size - 1), -1.0, 1.0))
    return round(valence, 2), round(arousal, 2)


def va_to_pad(valence: float, arousal: float, size: int = PAD_SIZE) -> tuple[float, float]:
    """(valence, arousal) -> pixel (x, y) on the pad."""
    return (valence + 1.0) / 2.0 * (size - 1), (1.0 - arousal) / 2.0 * (size - 1)


def pad_image(valence: float = 0.0, arousal: float = 0.0, size: int = PAD_SIZE) -> np.ndarray:
    """(size, size, 3) uint8 picture of the valence-arousal plane with the categories and a marker.

    Valence runs left (unpleasant) to right (pleasant), arousal bottom (calm) to top (excited);
    the whole image is the plane, so a click maps linearly to a point (:func:`pad_to_va`).
    """
    from PIL import Image, ImageDraw

    from controllers.target import CATEGORY_VAD

    img = Image.new("RGB", (size, size), (250, 250, 252))
    draw = ImageDraw.Draw(img)
    for t in np.linspace(-1, 1, 9):
        x, y = va_to_pad(t, t, size)
        draw.line([(x, 0), (x, size)], fill=(228, 228, 235))
        draw.line([(0, y), (size, y)], fill=(228, 228, 235))
    c = (size - 1) / 2
    draw.line([(c, 0), (c, size)], fill=(150, 150, 160))
    draw.line([(0, c), (size, c)], fill=(150, 150, 160))
    draw.text((4, c + 3), "unpleasant", fill=(110, 110, 120))
    draw.text((size - 52, c + 3), "pleasant", fill=(110, 110, 120))
    draw.text((c + 4, 3), "excited", fill=(110, 110, 120))
    draw.text((c + 4, size - 14), "calm", fill=(110, 110, 120))
    for name, (v, a, _d) in CATEGORY_VAD.items():
        if name == "neutral":
            continue
        x, y = va_to_pad(v, a, size)
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(90, 110, 200))
        width = draw.textlength(name)
        tx = x + 5 if x + 5 + width < size else x - 5 - width
        draw.text((tx, y - 6), name, fill=(60, 70, 150))
    x, y = va_to_pad(valence, arousal, size)
    draw.ellipse([x - 7, y - 7, x + 7, y + 7], outline=(210, 40, 40), width=3)
    return np.asarray(img)


def emotion_from_controls(mode: str, description: str, valence: float, arousal: float,
                          dominance: float, category: str, intensity: float):
    """The ``emotion`` argument of :func:`studio.pipeline.render` for the chosen control."""
    from controllers.target import EmotionTarget

    if mode == "pad":
        return (float(valence), float(arousal), float(dominance))
    if mode == "category":
        return EmotionTarget.from_category(category, float(intensity))
    return description or ""


def curves_figure(face, top: int = PLOT_CURVES):
    """Matplotlib figure of the ``top`` most active blendshape curves of a FaceAnimation."""
    from matplotlib.figure import Figure

    weights = np.asarray(face.weights)
    t = np.arange(weights.shape[0]) / float(face.fps)
    order = np.argsort(-weights.max(axis=0))[:top]
    fig = Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for j in order:
        ax.plot(t, weights[:, j], label=face.names[j], linewidth=1.2)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("weight")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlim(0, t[-1] if len(t) else 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    ax.set_title(f"ARKit blendshape curves ({top} most active of {weights.shape[1]})")
    return fig


def critic_markdown(critic: dict | None, target: dict) -> str:
    """The critic's verdict and a table of the target against each modality's estimate.

    ``critic`` is the ``critic.json`` record (``verdict``, ``iterations`` with ``estimates``);
    the estimates shown are those of the best take.
    """
    if not critic:
        return "No critic verdict."
    verdict = critic.get("verdict", {})
    iterations = critic.get("iterations") or [{}]
    best = iterations[min(int(verdict.get("best_iteration", 0)), len(iterations) - 1)]
    rows = [f"| **target** | {target.get('category') or '-'} | {target['valence']:+.2f} | "
            f"{target['arousal']:+.2f} | |"]
    for modality, est in best.get("estimates", {}).items():
        rows.append(f"| {modality} | {est.get('category', '-')} | {est.get('valence', 0):+.2f} | "
                    f"{est.get('arousal', 0):+.2f} | {est.get('confidence', 0):.2f} |")
    head = "**Target met.**" if verdict.get("success") else "**Target not met.**"
    n = len(iterations)
    return (f"{head} {verdict.get('reason', '')} ({n} take{'s' if n != 1 else ''} judged)\n\n"
            "| | category | valence | arousal | confidence |\n|---|---|---|---|---|\n"
            + "\n".join(rows))


def character_choices() -> list[tuple[str, str]]:
    """(label, name) of every built-in character for the picker, the default first."""
    from controllers.cast import builtin_cast

    return [(f"{c.name} ({c.sex}, {c.age})", c.name) for c in builtin_cast()]


def character_card(name: str) -> tuple[np.ndarray | None, str]:
    """A character's portrait ((H, W, 3) uint8, None when it has none) and a line about it."""
    from PIL import Image

    from controllers.cast import load_character, portrait_path

    character = load_character(name)
    path = portrait_path(character.name)
    portrait = np.asarray(Image.open(path).convert("RGB")) if path.is_file() else None
    return portrait, (f"**{character.name}**, {character.sex}, {character.age}: "
                      f"{character.description}  \n*voice:* {character.voice.credit or 'piper'}")


def zip_take(folder: Path) -> Path:
    """``folder/take.zip`` holding every file of the take (written atomically)."""
    from synth.atomic import atomic_path

    path = folder / "take.zip"
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.name != path.name and not f.name.startswith("."):
                zf.write(f, arcname=f"{folder.name}/{f.name}")
    return path


# -- the app --------------------------------------------------------------------------------------

def build_app(out: Path):
    """The Gradio Blocks app, writing takes under ``out``."""
    import gradio as gr

    from controllers.cast import DEFAULT_CHARACTER, load_character
    from controllers.errors import InputError
    from controllers.numbers import SEED_MAX, check_seed
    from controllers.target import CATEGORIES
    from studio.pipeline import PREVIEW_MODES, render

    out = Path(out).resolve()

    def generate(text, mode, description, valence, arousal, dominance, category, intensity,
                 character, seed, preview, loop, progress):
        folder = out / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        try:
            emotion = emotion_from_controls(mode, description, valence, arousal, dominance,
                                            category, intensity)
            take = render(text, emotion, out=folder, seed=check_seed(0 if seed is None else seed),
                          loop=loop, preview=preview, character=load_character(character),
                          progress=lambda fraction, desc: progress(fraction, desc=desc))
            take.write_summary(folder)
            archive = zip_take(folder)
        except InputError as exc:
            raise gr.Error(str(exc), title="Bad input", print_exception=False) from None
        except Exception as exc:  # noqa: BLE001 - the user sees a message, the log the traceback
            log.exception("rendering failed")
            raise gr.Error(f"Rendering failed: {type(exc).__name__}: {exc}",
                           print_exception=False) from None
        files = take.files
        report = files.get("report.png")
        video = files.get("preview.mp4")
        summary = (f"{take.duration:.2f} s of speech in {take.compute_seconds:.1f} s "
                   f"({folder.name})\n\n" + critic_markdown(take.verdict_dict(),
                                                           take.target.to_dict()))
        return (str(files["take.wav"]), str(video) if video else None, curves_figure(take.face),
                str(report) if report else None, summary, str(archive))

    with gr.Blocks(title="emostudio") as app:
        gr.Markdown("# emostudio\nEmotional speech, a talking head and co-speech gestures "
                    "from a line of text and an emotion.")
        mode = gr.State("description")
        with gr.Row():
            with gr.Column(scale=1):
                text = gr.Textbox(label="Script line", value=EXAMPLE_TEXT, lines=3,
                                  elem_id="script-text",
                                  info="Inline tags like [whispering, scared] change the emotion "
                                       "from there on.")
                with gr.Tabs():
                    with gr.Tab("Description", id="description") as tab_description:
                        description = gr.Textbox(label="Emotion", value="warm and hopeful",
                                                 elem_id="emotion-description",
                                                 info="e.g. 'quietly furious', 'a bit sad, "
                                                      "speaking slowly'")
                    with gr.Tab("Valence-arousal", id="pad") as tab_pad:
                        pad = gr.Image(value=pad_image(0.0, 0.0), label="Click a point",
                                       interactive=False, height=PAD_SIZE, width=PAD_SIZE,
                                       buttons=[], format="png", elem_id="va-pad")
                        valence = gr.Slider(-1, 1, 0.0, step=0.01, label="Valence")
                        arousal = gr.Slider(-1, 1, 0.0, step=0.01, label="Arousal")
                        dominance = gr.Slider(-1, 1, 0.0, step=0.01, label="Dominance")
                    with gr.Tab("Category", id="category") as tab_category:
                        category = gr.Dropdown(list(CATEGORIES), value="happiness",
                                               label="Category")
                        intensity = gr.Slider(0, 1, 0.7, step=0.05, label="Intensity")
                with gr.Row():
                    first_portrait, first_line = character_card(DEFAULT_CHARACTER)
                    with gr.Column(scale=2, min_width=160):
                        character = gr.Dropdown(character_choices(), value=DEFAULT_CHARACTER,
                                                label="Character", elem_id="character")
                        character_line = gr.Markdown(first_line, elem_id="character-line")
                    portrait = gr.Image(first_portrait, label="Portrait", interactive=False,
                                        height=160, width=160, buttons=[], format="png",
                                        elem_id="character-portrait", scale=1, min_width=120)
                with gr.Row():
                    seed = gr.Number(0, label="Seed", precision=0, minimum=0, maximum=SEED_MAX)
                    preview = gr.Radio(list(PREVIEW_MODES), value="body", label="Preview")
                with gr.Row():
                    generate_btn = gr.Button("Generate", variant="primary", elem_id="generate")
                    loop_btn = gr.Button("Generate with critic loop", elem_id="generate-loop")
            with gr.Column(scale=1):
                audio = gr.Audio(label="Voice", type="filepath", interactive=False,
                                 elem_id="take-audio")
                video = gr.Video(label="Preview", interactive=False, elem_id="take-video")
                summary = gr.Markdown(elem_id="take-summary")
                downloads = gr.File(label="Downloads (zip of every export)",
                                    elem_id="take-zip", interactive=False)
        with gr.Row():
            curves = gr.Plot(label="Blendshape curves", format="png")
            report = gr.Image(label="Critic report", type="filepath", interactive=False)

        tab_description.select(lambda: "description", None, mode)
        tab_pad.select(lambda: "pad", None, mode)
        tab_category.select(lambda: "category", None, mode)

        def on_pad_click(evt: gr.SelectData):
            if not evt.index or None in evt.index[:2]:
                return gr.skip(), gr.skip()  # a click outside the picture
            return pad_to_va(*evt.index[:2])

        pad.select(on_pad_click, None, [valence, arousal])
        character.change(character_card, character, [portrait, character_line],
                         show_progress="hidden")
        for slider in (valence, arousal):
            slider.change(lambda v, a: pad_image(v, a), [valence, arousal], pad,
                          show_progress="hidden")

        inputs = [text, mode, description, valence, arousal, dominance, category, intensity,
                  character, seed, preview]
        outputs = [audio, video, curves, report, summary, downloads]
        def handler(loop: bool):
            def run(*values, progress=gr.Progress()):
                return generate(*values, loop, progress)
            return run

        for button, loop, name in ((generate_btn, False, "generate"),
                                   (loop_btn, True, "generate_loop")):
            button.click(handler(loop), inputs, outputs, concurrency_id="render",
                         concurrency_limit=1, show_progress_on=[video], api_name=name)
    return app


def launch(host: str = "127.0.0.1", port: int = 7860, out: str | Path | None = None,
           block: bool = True):
    """Serve the UI on ``host:port``, writing takes under ``out`` and serving only that folder.

    ``block=False`` returns the running app at once (``app.close()`` stops it; for tests)."""
    from synth.atomic import check_output

    out = check_output(out or DEFAULT_OUT, "folder").resolve()
    out.mkdir(parents=True, exist_ok=True)
    # Gradio's caches (every file it serves, and its examples cache, which it would otherwise
    # keep in the working folder) live inside our output folder.
    os.environ["GRADIO_TEMP_DIR"] = str(out / ".gradio")
    os.environ["GRADIO_EXAMPLES_CACHE"] = str(out / ".gradio" / "examples")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = build_app(out)
    app.queue(default_concurrency_limit=1)
    print(f"emostudio ui: serving http://{host}:{port} (takes in {out})", file=sys.stderr,
          flush=True)
    app.launch(server_name=host, server_port=port, allowed_paths=[str(out)], share=False,
               show_error=False, inbrowser=False, footer_links=[], quiet=True,
               prevent_thread_lock=not block)
    return app


def main(argv: list[str] | None = None) -> int:
    """``python app.py [--host] [--port] [--out]``: the same as ``emostudio ui``."""
    from studio.cli import main as emostudio

    return emostudio(["ui", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
