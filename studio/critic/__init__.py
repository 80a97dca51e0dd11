"""The critic: speech, face and body emotion recognisers that judge a take, and the closed loop
that corrects the controls until the take meets the target.

Importing this package is cheap: models load on first use.
"""

from studio.critic.estimate import EmotionEstimate, fuse
from studio.critic.judge import Critic, CriticConfig
from studio.critic.loop import LoopConfig, judge_take, run_critic_loop
from studio.critic.report import write_report
from studio.critic.take_result import TakeResult
from studio.critic.segments import SegmentSpan, segment_spans
from studio.critic.verdict import Controls, IterationRecord, SegmentRecord, Verdict

__all__ = [
    "Controls", "Critic", "CriticConfig", "EmotionEstimate", "IterationRecord", "LoopConfig",
    "SegmentRecord", "SegmentSpan", "TakeResult", "Verdict", "fuse", "judge_take",
    "run_critic_loop", "segment_spans", "write_report",
]
