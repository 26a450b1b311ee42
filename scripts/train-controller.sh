#!/bin/sh
# Reproduces the shipped controllers (see models/controller/README.md, models/controller-forgetting/README.md).
#   scripts/train-controller.sh [OUT] [LAMBDA] [EPISODES]
#   models/controller/controller.json:            scripts/train-controller.sh                                                  (lambda 0, 36 episodes)
#   models/controller-forgetting/controller.json: WORKERS=2 scripts/train-controller.sh models/controller-forgetting/controller.json 1 36
# (WORKERS=N runs the episodes of one PPO update in N processes: same controller, less wall time)
# 1) the tasks: WordNet noun.plant and noun.body definitions train the controller (not food, not an
#    eval cohort); noun.location is built too, held out for npm run bench:controller
# 2) PPO episodes of 40 steps, batch 4, a decision every 4 steps, from lr 1e-3, seed 0
set -eu
out=${1:-models/controller/controller.json}
lambda=${2:-0}
episodes=${3:-36}
tasks=${TASKS_DIR:-.lrgate/controller-tasks}
node --import tsx scripts/controller-tasks.ts "$tasks"
mkdir -p "$(dirname "$out")"
nice -n 10 node bin/run.js controller train \
  --tasks "$tasks/task-plant/1,$tasks/task-body/1" \
  --episodes "$episodes" --steps 40 --decision-every 4 --batch-size 4 --lr 1e-3 --seed 0 \
  --forgetting-weight "$lambda" --workers "${WORKERS:-1}" --out "$out"
