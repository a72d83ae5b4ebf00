// Alerts and their delivery attempts in ClickHouse (007_alerts.sql). Every state change of an alert is a new
// row; reads take the latest (FINAL on updated_at).
import type { Alert, Delivery, Evidence } from '../../alerts/model.js';
import type { Store } from '../clickhouse.js';

const ALERT_COLUMNS = ['project_id', 'id', 'alert_key', 'status', 'mode', 'tool', 'model', 'harness', 'opened_at', 'resolved_at', 'updated_at', 'summary', 'evidence'] as const;
const DELIVERY_COLUMNS = ['project_id', 'alert_id', 'event', 'destination', 'attempt', 'outcome', 'status_code', 'error', 'at'] as const;

/** ISO time -> DateTime64(3) text. */
const chTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');
const isoTime = (ch: string) => `${ch.replace(' ', 'T')}Z`;

export async function writeAlert(store: Store, a: Alert, key: string): Promise<void> {
  const row = [a.project, a.id, key, a.status, a.mode, a.tool, a.model, a.harness, chTime(a.opened_at), a.resolved_at ? chTime(a.resolved_at) : null, chTime(a.updated_at), a.summary, JSON.stringify(a.evidence)];
  await store.insertRows('alerts', ALERT_COLUMNS, Buffer.from(`${JSON.stringify(row)}\n`));
}

interface AlertRow {
  project_id: string;
  id: string;
  alert_key: string;
  status: string;
  mode: string;
  tool: string;
  model: string;
  harness: string;
  opened: string;
  resolved: string;
  updated: string;
  summary: string;
  evidence: string;
}

// Aliases differ from the column names: an alias would shadow its column in WHERE.
const SELECT = `SELECT project_id, id, alert_key, status, mode, tool, model, harness, toString(opened_at) AS opened,
  if(isNull(resolved_at), '', toString(resolved_at)) AS resolved, toString(updated_at) AS updated, summary, evidence FROM alerts FINAL`;

function toAlert(r: AlertRow): Alert & { key: string } {
  return {
    key: r.alert_key,
    id: r.id,
    project: r.project_id,
    status: r.status === 'resolved' ? 'resolved' : 'open',
    mode: r.mode,
    tool: r.tool,
    model: r.model,
    harness: r.harness,
    opened_at: isoTime(r.opened),
    resolved_at: r.resolved ? isoTime(r.resolved) : null,
    updated_at: isoTime(r.updated),
    summary: r.summary,
    evidence: JSON.parse(r.evidence) as Evidence,
  };
}

/** Open alerts, and alerts resolved since `resolvedSince` (to reopen within a cool-down). */
export async function currentAlerts(store: Store, project: string, resolvedSince: Date): Promise<(Alert & { key: string })[]> {
  const rows = await store.query<AlertRow>(`${SELECT} WHERE project_id = {project:String} AND (status = 'open' OR resolved_at >= {since:DateTime64(3)})`, {
    project,
    since: chTime(resolvedSince.toISOString()),
  });
  return rows.map(toAlert);
}

export interface AlertFilter {
  status?: 'open' | 'resolved';
  mode?: string;
  tool?: string;
  model?: string;
  harness?: string;
  /** Alerts open at or after this time, or still open. */
  since: Date;
  limit: number;
}

export async function listAlerts(store: Store, project: string, f: AlertFilter): Promise<Alert[]> {
  const conds = ['project_id = {project:String}', "(status = 'open' OR updated_at >= {since:DateTime64(3)})"];
  const params: Record<string, unknown> = { project, since: chTime(f.since.toISOString()), limit: f.limit };
  for (const k of ['status', 'mode', 'tool', 'model', 'harness'] as const) {
    if (f[k] !== undefined) {
      conds.push(`${k} = {${k}:String}`);
      params[k] = f[k];
    }
  }
  const rows = await store.query<AlertRow>(`${SELECT} WHERE ${conds.join(' AND ')} ORDER BY status = 'open' DESC, opened_at DESC, id LIMIT {limit:UInt32}`, params);
  return rows.map(({ ...r }) => {
    const { key: _key, ...a } = toAlert(r);
    return a;
  });
}

export async function getAlert(store: Store, project: string, id: string): Promise<Alert | undefined> {
  const rows = await store.query<AlertRow>(`${SELECT} WHERE project_id = {project:String} AND id = {id:String}`, { project, id });
  if (!rows[0]) return undefined;
  const { key: _key, ...a } = toAlert(rows[0]);
  return a;
}

export async function recordDelivery(store: Store, project: string, alertId: string, d: Delivery): Promise<void> {
  const row = [project, alertId, d.event, d.destination, d.attempt, d.outcome, d.status_code, d.error, chTime(d.at)];
  await store.insertRows('alert_deliveries', DELIVERY_COLUMNS, Buffer.from(`${JSON.stringify(row)}\n`));
}

export async function deliveriesOf(store: Store, project: string, alertId: string): Promise<Delivery[]> {
  const rows = await store.query<Record<string, string | number>>(
    `SELECT event, destination, attempt, outcome, status_code, error, toString(at) AS at FROM alert_deliveries
      WHERE project_id = {project:String} AND alert_id = {id:String} ORDER BY at, attempt, outcome = 'giving_up'`,
    { project, id: alertId },
  );
  return rows.map((r) => ({
    event: r.event as Delivery['event'],
    destination: String(r.destination),
    attempt: Number(r.attempt),
    outcome: r.outcome as Delivery['outcome'],
    status_code: Number(r.status_code),
    error: String(r.error),
    at: isoTime(String(r.at)),
  }));
}

/** Projects with operations since `since`: the detector's work list. */
export async function activeProjects(store: Store, since: Date): Promise<string[]> {
  const rows = await store.query<{ project_id: string }>(`SELECT DISTINCT project_id FROM operations WHERE day >= toDate({since:DateTime64(3)}) - 1`, { since: chTime(since.toISOString()) });
  return rows.map((r) => r.project_id).sort();
}
