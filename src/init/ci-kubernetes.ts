import {stringify} from 'yaml'

/** Where `lrgate init --ci kubernetes` writes its manifests. */
export const KUBERNETES_FILES = {sweep: 'k8s/lrgate-sweep-job.yaml', merge: 'k8s/lrgate-merge-job.yaml'}

const IMAGE = 'ghcr.io/you/your-model-with-lrgate:latest'
const CLAIM = 'lrgate-results'

/**
 * The batch/v1 Job manifests of `lrgate init --ci kubernetes`: an Indexed Job (completionMode
 * Indexed, `shards` completions) whose pods run `lrgate sweep --shard auto/N` (the index from
 * JOB_COMPLETION_INDEX) into a database on the pod's own emptyDir, then copy it with its models to
 * the PersistentVolumeClaim `lrgate-results` as shard-<index>/; and a merge Job to apply after it
 * completes (`kubectl wait --for=condition=complete job/lrgate-sweep`).
 */
export function kubernetesManifests(shards: number): {sweep: string; merge: string} {
  const volumes = [
    {name: 'scratch', emptyDir: {}},
    {name: 'results', persistentVolumeClaim: {claimName: CLAIM}},
  ]
  const mounts = [
    {name: 'scratch', mountPath: '/scratch'},
    {name: 'results', mountPath: '/results'},
  ]
  const sweep = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {name: 'lrgate-sweep', labels: {app: 'lrgate'}},
    spec: {
      completionMode: 'Indexed',
      completions: shards,
      parallelism: shards,
      backoffLimit: shards,
      template: {
        metadata: {labels: {app: 'lrgate'}},
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'shard',
              image: IMAGE,
              workingDir: '/workspace',
              command: ['/bin/sh', '-c'],
              args: [
                [
                  'set -e',
                  // SQLite must not be shared over a network filesystem: the pod writes its own emptyDir.
                  `lrgate sweep --shard auto/${shards} --name "$LRGATE_SWEEP_NAME" --db /scratch/lrgate.db`,
                  'rm -rf "/results/shard-$JOB_COMPLETION_INDEX"',
                  'cp -r /scratch "/results/shard-$JOB_COMPLETION_INDEX"',
                ].join('\n'),
              ],
              env: [{name: 'LRGATE_SWEEP_NAME', value: 'lrgate-sweep'}],
              resources: {requests: {cpu: '4', memory: '8Gi'}},
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  }
  const merge = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {name: 'lrgate-merge', labels: {app: 'lrgate'}},
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {labels: {app: 'lrgate'}},
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'merge',
              image: IMAGE,
              workingDir: '/workspace',
              command: ['/bin/sh', '-c'],
              args: [
                [
                  'set -e',
                  'lrgate merge /results/shard-*/lrgate.db --into /scratch/lrgate.db --copy-artifacts /scratch/models',
                  'lrgate check --candidate recommended --baseline base --db /scratch/lrgate.db',
                  'mkdir -p /results/merged && cp -r /scratch/. /results/merged/',
                ].join('\n'),
              ],
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  }
  const header = (what: string) =>
    `# ${what}, written by "lrgate init --ci kubernetes". Set the image (your model's code, data and lrgate)\n# and the PersistentVolumeClaim "${CLAIM}"; ${shards} shards (change completions, parallelism and auto/${shards} together).\n`
  return {
    sweep: header('An Indexed Job: one pod per shard of one lrgate sweep') + '# Then: kubectl wait --for=condition=complete job/lrgate-sweep --timeout=24h && kubectl apply -f ' + KUBERNETES_FILES.merge + '\n' + stringify(sweep, {lineWidth: 0}),
    merge: header('The merge of the sweep\'s shards, applied after the Indexed Job completed') + stringify(merge, {lineWidth: 0}),
  }
}
