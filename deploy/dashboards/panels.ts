/**
 * The few panel shapes memgen's dashboards use, on @grafana/grafana-foundation-sdk's builders: a
 * time series, a single stat and an instant table, each reading the dashboard's Prometheus data
 * source variable; and the variables (data source, stage, task, size, run) the dashboards share.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  type VariableModel,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

// A Grafana variable reference, not a template literal.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own ${…} syntax
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  expr: string;
  /** Legend template, e.g. '{{run_id}}' (default: Grafana's automatic one). */
  legend?: string;
}

export interface PanelOptions {
  description?: string;
  /** Grid width of 24 (default 12). */
  span?: number;
  min?: number;
  max?: number;
}

const query = (q: Query, i: number, instant = false) => {
  const b = new DataqueryBuilder()
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto')
    .refId(String.fromCharCode(65 + i))
    .datasource(DATASOURCE);
  return instant ? b.instant().format(PromQueryFormat.Table) : b.range();
};

function common<B extends TimeseriesBuilder | StatBuilder | TableBuilder>(b: B, o: PanelOptions): B {
  b.datasource(DATASOURCE)
    .span(o.span ?? 12)
    .height(8);
  if (o.description) b.description(o.description);
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  return b;
}

const legend = () =>
  new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom);

export function timeseries(title: string, unit: string, queries: Query[], o: PanelOptions = {}) {
  const b = common(new TimeseriesBuilder().title(title).unit(unit).legend(legend()), o);
  for (const [i, q] of queries.entries()) b.withTarget(query(q, i));
  return b;
}

export function stat(title: string, unit: string, queries: Query[], o: PanelOptions = {}) {
  const b = common(new StatBuilder().title(title).unit(unit), { span: 6, ...o });
  for (const [i, q] of queries.entries()) b.withTarget(query(q, i));
  return b;
}

/** The latest value of each series, one row per series (instant queries). */
export function table(title: string, queries: Query[], o: PanelOptions = {}) {
  const b = common(new TableBuilder().title(title), o);
  for (const [i, q] of queries.entries()) b.withTarget(query(q, i, true));
  return b;
}

const datasourceVariable = () =>
  new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');

/** A multi-value variable over a label's values in `metric` (All = any value). */
export function labelVariable(name: string, label: string, metric: string) {
  const definition = `label_values(${metric}, ${name})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query({ query: definition, refId: name })
    .definition(definition)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

type PanelShape = ReturnType<typeof timeseries> | ReturnType<typeof stat> | ReturnType<typeof table>;

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: cog.Builder<VariableModel>[];
  rows: { title: string; panels: PanelShape[] }[];
}

/** A memgen dashboard: the data source variable first, then the spec's, then its rows of panels. */
export function dashboard(spec: DashboardSpec) {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['memgen', 'generated'])
    .timezone('browser')
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(datasourceVariable());
  for (const v of spec.variables) b.withVariable(v);
  // Stable ids in reading order: links to a panel (viewPanel=<id>) survive regeneration.
  let id = 0;
  for (const row of spec.rows) {
    b.withRow(new RowBuilder(row.title).id(++id));
    for (const p of row.panels) b.withPanel(p.id(++id));
  }
  return b.build();
}
