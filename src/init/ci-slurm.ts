/** Where `lrgate init --ci slurm` writes its job script. */
export const SLURM_FILE = 'lrgate-sweep.sbatch'

/**
 * An `sbatch --array` script: each array task runs `lrgate sweep --shard auto/N` (the index from
 * SLURM_ARRAY_TASK_ID) into a database on node-local scratch (SQLite must not live on a network
 * filesystem), then copies it with its models to results/shard-<task>/. The merge runs after the
 * array (the comment at the top shows the sbatch line).
 */
export function slurmScript(shards: number): string {
  return `#!/bin/bash
# One lrgate sweep as a Slurm job array of ${shards} tasks, written by "lrgate init --ci slurm".
#   submit:  jobid=$(sbatch --parsable ${SLURM_FILE})
#   merge:   sbatch --dependency=afterok:$jobid --wrap \\
#              'lrgate merge results/shard-*/lrgate.db --into .lrgate/lrgate.db --copy-artifacts .lrgate/models && lrgate check --candidate recommended --baseline base'
# Every task reads the same lrgate.config.yaml, data and base model from the submit directory;
# merge refuses shards whose plans differ. Change --array and LRGATE_SHARDS together.
#SBATCH --job-name=lrgate-sweep
#SBATCH --array=0-${shards - 1}
#SBATCH --cpus-per-task=4
#SBATCH --time=06:00:00
#SBATCH --output=lrgate-shard-%a.log
set -euo pipefail

LRGATE_SHARDS=${shards}
# One name for every task of this array (shards with one name and plan are one sweep).
NAME="\${LRGATE_SWEEP_NAME:-sweep-\${SLURM_ARRAY_JOB_ID:-local}}"
RESULTS="\${LRGATE_RESULTS:-results}"
# SQLite must not be shared over a network filesystem: each task writes node-local scratch.
SCRATCH="\${TMPDIR:-/tmp}/lrgate-\${SLURM_ARRAY_JOB_ID:-local}-\${SLURM_ARRAY_TASK_ID}"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH" "$RESULTS"

lrgate sweep --shard "auto/$LRGATE_SHARDS" --name "$NAME" --db "$SCRATCH/lrgate.db"

# The database and its runs/ folder (the candidates' models) go to shared storage together.
rm -rf "$RESULTS/shard-$SLURM_ARRAY_TASK_ID"
cp -r "$SCRATCH" "$RESULTS/shard-$SLURM_ARRAY_TASK_ID"
rm -rf "$SCRATCH"
`
}
