import { stringify } from 'yaml';

// `pdv load export-k8s`: pdv's own engine scaled out on a cluster the user
// has, with no coordinator of ours. An Indexed Job runs one segment per pod
// (segment = JOB_COMPLETION_INDEX + 1), every pod starting its schedule at one
// --start-at; each writes its run folder to a shared volume; a merge Job adds
// the HDR histograms and judges the thresholds on the exact sum.

export interface K8sExport {
  name: string;
  parallelism: number;
  /** ISO time every segment's schedule starts at. */
  startAt: string;
  /** An image holding the project (config, scenario's dependencies) and pdv. */
  image: string;
  /** The image's project folder: the config is mounted below it, so its imports resolve there. */
  workdir: string;
  /** How the image runs pdv (e.g. `npx pdv`). */
  pdv: string;
  /** Config file text and the scenario's, with the scenario's path relative to the config. */
  config: string;
  scenario: { path: string; text: string };
  /** Env names the roles' passwords are read from: keys of the Secret, never values. */
  secretEnv: readonly string[];
  environment: string;
}

const MOUNT = '.pdv-k8s';
const RESULTS = '/results';

/** Exit codes 0–2 are verdicts of a part (judged by the merge); 3 is a usage error and fails the pod. */
const keepVerdict = 'code=$?; [ "$code" -le 2 ] || exit "$code"';

function shell(o: K8sExport): { segment: string; merge: string } {
  const cfg = `${MOUNT}/pdv.config.ts`;
  const seg = '$((JOB_COMPLETION_INDEX + 1))';
  const dirs = Array.from({ length: o.parallelism }, (_, i) => `${RESULTS}/segment-${i + 1}`).join(' ');
  return {
    segment: `${o.pdv} run load --config ${cfg} --env "$ENVIRONMENT" --segment ${seg}/${o.parallelism} --start-at "$START_AT" --out ${RESULTS}/segment-${seg}; ${keepVerdict}`,
    // The merge Job is applied with the segments: it waits for every segment's verdict file first.
    merge: `for d in ${dirs}; do until [ -f "$d/verdict.json" ]; do sleep 5; done; done; ${o.pdv} merge ${dirs} --config ${cfg} --out ${RESULTS}/merged`,
  };
}

function podSpec(o: K8sExport, command: string, withSecrets: boolean): Record<string, unknown> {
  return {
    restartPolicy: 'Never',
    containers: [
      {
        name: 'pdv',
        image: o.image,
        workingDir: o.workdir,
        command: ['sh', '-c', command],
        env: [
          { name: 'ENVIRONMENT', value: o.environment },
          { name: 'START_AT', value: o.startAt },
        ],
        ...(withSecrets ? { envFrom: [{ secretRef: { name: `${o.name}-secrets` } }] } : {}),
        volumeMounts: [
          { name: 'config', mountPath: `${o.workdir}/${MOUNT}`, readOnly: true },
          { name: 'results', mountPath: RESULTS },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: o.name, items: [{ key: 'pdv.config.ts', path: 'pdv.config.ts' }, { key: 'scenario', path: o.scenario.path }] } },
      { name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } },
    ],
  };
}

/** The manifests, in apply order: ConfigMap, results volume claim, segments Job, merge Job. */
export function exportK8s(o: K8sExport): string {
  const { segment, merge } = shell(o);
  const labels = { 'app.kubernetes.io/name': 'pdv-load', 'pdv/run': o.name };
  const docs = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: o.name, labels }, data: { 'pdv.config.ts': o.config, scenario: o.scenario.text } },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${o.name}-results`, labels },
      // Every segment pod writes here and the merge Job reads all of them: ReadWriteMany.
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${o.name}-segments`, labels },
      spec: {
        completionMode: 'Indexed',
        completions: o.parallelism,
        parallelism: o.parallelism,
        // A retried segment would start after --start-at: it sends nothing, so a retry only adds noise.
        backoffLimit: 0,
        template: { metadata: { labels }, spec: podSpec(o, segment, o.secretEnv.length > 0) },
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${o.name}-merge`, labels },
      // Bounded wait: a segment that never writes its verdict (a usage error) must not hang the merge forever.
      spec: { completions: 1, backoffLimit: 0, activeDeadlineSeconds: 3 * 3600, template: { metadata: { labels }, spec: podSpec(o, merge, false) } },
    },
  ];
  const secret = o.secretEnv.length ? o.secretEnv.map((n) => ` --from-literal=${n}=…`).join('') : '';
  const head = [
    `# pdv load on Kubernetes: ${o.parallelism} segments starting at ${o.startAt}, then one merge.`,
    ...(secret ? [`#   kubectl create secret generic ${o.name}-secrets${secret}`] : []),
    `#   kubectl apply -f ${o.name}.k8s.yaml   (the merge Job waits for the segments' folders)`,
    `#   kubectl wait --for=condition=complete job/${o.name}-merge --timeout=1h; kubectl logs job/${o.name}-merge`,
  ].join('\n');
  return `${head}\n${docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`;
}
