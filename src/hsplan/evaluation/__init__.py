"""Evaluation of a region against its plan.

- `targets` — indicator targets: status, trend and progress per target (`evaluate`);
- `norms` — configuration norms (资源配置标准): every rule type and its violations (`check`);
- `tasks` — tasks and milestones: late, due soon, done (`track`);
- `institutions` — key institutions (重点机构) bound to facilities, their bed, grade,
  capability and designation targets (`evaluate_institutions`).
"""

__all__ = ["institutions", "norms", "targets", "tasks"]
