import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { sendWithBackoff } from './aws-retry.ts';

// Is the monitoring there? Named alarms (DescribeAlarms: state, since when,
// actions enabled), log groups (DescribeLogGroups by prefix, exact name) and
// dashboards (ListDashboards by prefix, exact name). Paged; throttling
// retried; anything else a SourceError.

export interface AlarmFacts {
  name: string;
  state: string;
  /** Epoch ms of the last state change. */
  since?: number;
  actionsEnabled: boolean;
  /** Alarm, OK and insufficient-data actions configured. */
  actions: number;
}

export interface MonitoringOptions {
  name?: string;
  region?: string;
  cloudWatch?: CloudWatchClient;
  logs?: CloudWatchLogsClient;
  maxRetries?: number;
  baseDelayMs?: number;
}

export class MonitoringSource {
  readonly name: string;
  private readonly cw: CloudWatchClient;
  private readonly logs: CloudWatchLogsClient;

  constructor(private readonly opts: MonitoringOptions = {}) {
    this.name = opts.name ?? 'monitoring';
    const region = opts.region ? { region: opts.region } : {};
    this.cw = opts.cloudWatch ?? new CloudWatchClient({ ...region, maxAttempts: 1 });
    this.logs = opts.logs ?? new CloudWatchLogsClient({ ...region, maxAttempts: 1 });
  }

  private send<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return sendWithBackoff(this.name, what, call, { maxRetries: this.opts.maxRetries ?? 5, baseDelayMs: this.opts.baseDelayMs ?? 300, ...(signal ? { signal } : {}) });
  }

  /** The named alarms that exist (metric and composite), by name. */
  async alarms(names: readonly string[], signal?: AbortSignal): Promise<Map<string, AlarmFacts>> {
    const out = new Map<string, AlarmFacts>();
    for (let i = 0; i < names.length; i += 100) {
      let NextToken: string | undefined;
      do {
        const input = { AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm' as const, 'CompositeAlarm' as const], MaxRecords: 100, ...(NextToken ? { NextToken } : {}) };
        const page = await this.send('DescribeAlarms', () => this.cw.send(new DescribeAlarmsCommand(input), signal ? { abortSignal: signal } : {}), signal);
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (!a.AlarmName) continue;
          out.set(a.AlarmName, {
            name: a.AlarmName,
            state: a.StateValue ?? 'INSUFFICIENT_DATA',
            ...(a.StateUpdatedTimestamp ? { since: a.StateUpdatedTimestamp.getTime() } : {}),
            actionsEnabled: a.ActionsEnabled !== false,
            actions: (a.AlarmActions?.length ?? 0) + (a.OKActions?.length ?? 0) + (a.InsufficientDataActions?.length ?? 0),
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return out;
  }

  /** Which of the named log groups exist. */
  async logGroups(names: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    for (const name of names) {
      let nextToken: string | undefined;
      do {
        const page = await this.send('DescribeLogGroups', () => this.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, ...(nextToken ? { nextToken } : {}) }), signal ? { abortSignal: signal } : {}), signal);
        for (const g of page.logGroups ?? []) if (g.logGroupName === name) found.add(name);
        nextToken = found.has(name) ? undefined : page.nextToken;
      } while (nextToken);
    }
    return found;
  }

  /** Which of the named dashboards exist. */
  async dashboards(names: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const found = new Set<string>();
    for (const name of names) {
      let NextToken: string | undefined;
      do {
        const page = await this.send('ListDashboards', () => this.cw.send(new ListDashboardsCommand({ DashboardNamePrefix: name, ...(NextToken ? { NextToken } : {}) }), signal ? { abortSignal: signal } : {}), signal);
        for (const d of page.DashboardEntries ?? []) if (d.DashboardName === name) found.add(name);
        NextToken = found.has(name) ? undefined : page.NextToken;
      } while (NextToken);
    }
    return found;
  }
}
