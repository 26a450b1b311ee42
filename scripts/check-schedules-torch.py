#!/usr/bin/env python3
"""Regenerates test/fixtures/schedule/torch-reference.json from torch.optim.lr_scheduler.

Each case pairs a PyTorch scheduler with the lrgate schedule spec meant to equal it (no warmup).
`lr` holds PyTorch's closed form (_get_closed_form_lr) where the scheduler has one, else the rate
get_last_lr() reports (CosineAnnealingWarmRestarts and OneCycleLR compute directly); `recursive`
holds get_last_lr() after each scheduler.step() (PyTorch's chainable form), for information.
Plateau cases feed ReduceLROnPlateau a metric sequence and record the rate after each step.

Needs PyTorch: `apt-get install -y python3-torch`, then run with Debian's python:
    /usr/bin/python3 scripts/check-schedules-torch.py            # rewrite the fixture
    /usr/bin/python3 scripts/check-schedules-torch.py --compare  # also compare with `node bin/run.js schedule --json` (build first)
"""
import json
import subprocess
import sys
from pathlib import Path

import torch
from torch.optim import lr_scheduler as S

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "test" / "fixtures" / "schedule" / "torch-reference.json"

# (name, scheduler class, kwargs, base lr, steps, lrgate spec without lr/steps)
CASES = [
    ("step-7-0.5", S.StepLR, dict(step_size=7, gamma=0.5), 0.1, 40, dict(type="step", stepSize=7, gamma=0.5)),
    ("step-default-gamma", S.StepLR, dict(step_size=3), 1e-3, 20, dict(type="step", stepSize=3)),
    ("multistep-3", S.MultiStepLR, dict(milestones=[5, 12, 30], gamma=0.3), 0.05, 40, dict(type="multistep", milestones=[5, 12, 30], gamma=0.3)),
    ("multistep-default-gamma", S.MultiStepLR, dict(milestones=[10]), 1e-3, 25, dict(type="multistep", milestones=[10])),
    ("exponential-0.95", S.ExponentialLR, dict(gamma=0.95), 0.01, 60, dict(type="exponential", gamma=0.95)),
    ("cosine-tmax-min", S.CosineAnnealingLR, dict(T_max=50, eta_min=1e-5), 1e-3, 50, dict(type="cosine", tMax=50, minLr=1e-5)),
    ("cosine-past-tmax", S.CosineAnnealingLR, dict(T_max=20), 0.1, 50, dict(type="cosine", tMax=20)),
    ("cosine-default-tmax", S.CosineAnnealingLR, dict(T_max=100), 3e-4, 100, dict(type="cosine")),
    ("restarts-10", S.CosineAnnealingWarmRestarts, dict(T_0=10, eta_min=1e-4), 1e-3, 45, dict(type="cosine-restarts", t0=10, minLr=1e-4)),
    ("restarts-5-x2", S.CosineAnnealingWarmRestarts, dict(T_0=5, T_mult=2), 0.1, 100, dict(type="cosine-restarts", t0=5, tMult=2)),
    ("restarts-3-x3", S.CosineAnnealingWarmRestarts, dict(T_0=3, T_mult=3, eta_min=1e-3), 0.05, 130, dict(type="cosine-restarts", t0=3, tMult=3, minLr=1e-3)),
    ("one-cycle-defaults", S.OneCycleLR, dict(max_lr=0.01, total_steps=100), 0.01, 100, dict(type="one-cycle")),
    ("one-cycle-linear", S.OneCycleLR, dict(max_lr=0.1, total_steps=37, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0), None, 37,
     dict(type="one-cycle", maxLr=0.1, pctStart=0.25, anneal="linear", divFactor=10, finalDivFactor=100)),
    ("one-cycle-10", S.OneCycleLR, dict(max_lr=1.0, total_steps=10), 1.0, 10, dict(type="one-cycle")),
    ("one-cycle-fractional-boundary", S.OneCycleLR, dict(max_lr=2e-3, total_steps=7, pct_start=0.15), 2e-3, 7, dict(type="one-cycle", pctStart=0.15)),
    ("one-cycle-half", S.OneCycleLR, dict(max_lr=5e-4, total_steps=13, pct_start=0.5), 1e-3, 13, dict(type="one-cycle", maxLr=5e-4, pctStart=0.5)),
    ("polynomial-30-2", S.PolynomialLR, dict(total_iters=30, power=2.0), 0.1, 40, dict(type="polynomial", totalIters=30, power=2)),
    ("polynomial-default-iters", S.PolynomialLR, dict(total_iters=50, power=0.5), 1e-3, 50, dict(type="polynomial", power=0.5)),
    ("polynomial-8", S.PolynomialLR, dict(total_iters=8), 0.02, 12, dict(type="polynomial", totalIters=8)),
    ("linear-ramp", S.LinearLR, dict(start_factor=0.25, end_factor=1.0, total_iters=10), 0.1, 20, dict(type="linear", startFactor=0.25, endFactor=1, totalIters=10)),
    ("linear-default-decay", S.LinearLR, dict(start_factor=1.0, end_factor=0.0, total_iters=30), 1e-3, 30, dict(type="linear")),
    ("linear-torch-defaults", S.LinearLR, dict(start_factor=1.0 / 3, end_factor=1.0, total_iters=5), 0.3, 10, dict(type="linear", startFactor=1.0 / 3, endFactor=1, totalIters=5)),
]

# (name, kwargs, base lr, lrgate PlateauSchedule options, metrics fed one per evaluation)
PLATEAU_CASES = [
    ("patience-2", dict(patience=2), 0.1, dict(patience=2), [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.4]),
    ("cooldown-min-lr", dict(factor=0.5, patience=1, cooldown=2, min_lr=0.02), 0.1, dict(factor=0.5, patience=1, cooldown=2, minLr=0.02), [1.0] * 16),
    ("threshold-rel", dict(patience=0, threshold=0.1), 1.0, dict(patience=0, threshold=0.1), [1.0, 0.95, 0.91, 0.85, 0.84, 0.83, 0.7, 0.69, 0.5]),
    ("max-abs", dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1, factor=0.2), 0.01, dict(mode="max", thresholdMode="abs", threshold=0.01, patience=1, factor=0.2),
     [0.1, 0.2, 0.205, 0.209, 0.3, 0.3, 0.3, 0.31, 0.5, 0.5, 0.5]),
    ("eps-skips-tiny-drop", dict(factor=0.5, patience=0, min_lr=0.99e-8, eps=1e-8), 4e-8, dict(factor=0.5, patience=0, minLr=0.99e-8, eps=1e-8), [1.0, 1.0, 1.0, 1.0, 1.0]),
]


def optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def run_case(name, cls, kwargs, lr, steps, spec):
    opt = optimizer(lr if lr is not None else 1.0)
    sched = cls(opt, **kwargs)
    closed, recursive = [], []
    for _ in range(steps):
        recursive.append(sched.get_last_lr()[0])
        closed.append(sched._get_closed_form_lr()[0] if hasattr(sched, "_get_closed_form_lr") else recursive[-1])
        opt.step()
        sched.step()
    full = dict(spec, steps=steps)
    if lr is not None:
        full["lr"] = lr
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return {"name": name, "torch": f"{cls.__name__}({args})", "spec": full, "lr": closed, "recursive": recursive}


def run_plateau(name, kwargs, lr, options, metrics):
    opt = optimizer(lr)
    sched = S.ReduceLROnPlateau(opt, **kwargs)
    rates = []
    for metric in metrics:
        sched.step(metric)
        rates.append(opt.param_groups[0]["lr"])
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return {"name": name, "torch": f"ReduceLROnPlateau({args})", "lr0": lr, "options": options, "metrics": metrics, "lr": rates}


def compare(cases):
    worst = 0.0
    for case in cases:
        argv = ["node", str(ROOT / "bin" / "run.js"), "schedule", "--json"]
        for key, value in case["spec"].items():
            flag = "--" + "".join("-" + c.lower() if c.isupper() else c for c in key)
            argv += [flag, ",".join(map(str, value)) if isinstance(value, list) else repr(value) if isinstance(value, float) else str(value)]
        ours = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)["lr"]
        rel = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours, case["lr"]))
        worst = max(worst, rel)
        print(f"{case['name']:32s} max relative difference {rel:.3e}")
    print(f"worst: {worst:.3e}")
    return worst


def main():
    cases = [run_case(*c) for c in CASES]
    plateau = [run_plateau(*c) for c in PLATEAU_CASES]
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps({"torchVersion": torch.__version__, "cases": cases, "plateau": plateau}, indent=1) + "\n")
    print(f"wrote {FIXTURE.relative_to(ROOT)}: {len(cases)} schedules, {len(plateau)} plateau sequences (torch {torch.__version__})")
    if "--compare" in sys.argv and compare(cases) > 1e-9:
        sys.exit(1)


if __name__ == "__main__":
    main()
