#!/bin/sh
# Reproduces models/controller/controller.json (see models/controller/README.md).
# 1) the source tasks: WordNet noun.plant and noun.body definitions (not food, not an eval cohort)
# 2) 36 PPO episodes of 40 steps, batch 4, a decision every 4 steps, from lr 1e-3, lambda 0, seed 0
set -eu
out=${1:-models/controller/controller.json}
tasks=${TASKS_DIR:-.lrgate/controller-tasks}
node --import tsx scripts/controller-tasks.ts "$tasks"
nice -n 10 lrgate controller train \
  --tasks "$tasks/datasets/task-plant/1,$tasks/datasets/task-body/1" \
  --episodes 36 --steps 40 --decision-every 4 --batch-size 4 --lr 1e-3 --seed 0 --out "$out"
