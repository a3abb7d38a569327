"""Evaluation of a region against its plan.

- `targets` — indicator targets: status, trend and progress per target (`evaluate`);
- `norms` — configuration norms (资源配置标准): every rule type and its violations (`check`);
- `tasks` — tasks and milestones: late, due soon, done (`track`).
"""

__all__ = ["norms", "targets", "tasks"]
