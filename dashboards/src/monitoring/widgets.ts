/**
 * The parts of the Cloud Monitoring Dashboards API (v1) these dashboards use, as plain JSON types,
 * and small builders for them.
 */
export type Aligner = 'ALIGN_RATE' | 'ALIGN_DELTA' | 'ALIGN_MEAN' | 'ALIGN_MAX' | 'ALIGN_SUM';
export type Reducer = 'REDUCE_SUM' | 'REDUCE_MAX' | 'REDUCE_MEAN' | 'REDUCE_PERCENTILE_95';

export type Aggregation = {
  alignmentPeriod: string;
  perSeriesAligner: Aligner;
  crossSeriesReducer?: Reducer;
  groupByFields?: string[];
};

export type TimeSeriesFilter = { filter: string; aggregation: Aggregation };

export type TimeSeriesQuery =
  | { timeSeriesFilter: TimeSeriesFilter }
  | { timeSeriesFilterRatio: { numerator: TimeSeriesFilter; denominator: TimeSeriesFilter } };

export type DataSet = {
  timeSeriesQuery: TimeSeriesQuery;
  plotType: 'LINE' | 'STACKED_AREA' | 'STACKED_BAR';
  targetAxis: 'Y1';
  legendTemplate?: string;
};

export type Widget =
  | { title: string; xyChart: { dataSets: DataSet[]; yAxis: { label: string; scale: 'LINEAR' } } }
  | { title: string; scorecard: { timeSeriesQuery: TimeSeriesQuery; sparkChartView: { sparkChartType: 'SPARK_LINE' } } }
  | { title: string; text: { content: string; format: 'MARKDOWN' } };

export type Tile = { xPos: number; yPos: number; width: number; height: number; widget: Widget };

/** Charts align to one-minute buckets: the finest most GCP metrics are sampled at. */
export const ALIGNMENT_PERIOD = '60s';

const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** What a label must be: a value, one of several values, or a full match of an RE2 regex. */
export type LabelMatch = string | number | readonly string[] | { readonly regex: string };

/** A Monitoring filter: the metric type, then one `key = value` clause per label. */
export function metricFilter(metricType: string, labels: Record<string, LabelMatch> = {}): string {
  const clauses = [`metric.type = ${quote(metricType)}`];
  for (const [key, value] of Object.entries(labels)) clauses.push(`${key} = ${matchExpression(key, value)}`);
  return clauses.join(' AND ');
}

function matchExpression(key: string, value: LabelMatch): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  if ('regex' in value) return `monitoring.regex.full_match(${quote(value.regex)})`;
  if (value.length === 0) throw new Error(`the filter on ${key} needs at least one value`);
  return `one_of(${value.map(quote).join(', ')})`;
}

export function aggregate(perSeriesAligner: Aligner, crossSeriesReducer?: Reducer, groupByFields: string[] = []): Aggregation {
  return {
    alignmentPeriod: ALIGNMENT_PERIOD,
    perSeriesAligner,
    ...(crossSeriesReducer ? { crossSeriesReducer, groupByFields } : {}),
  };
}

export interface Series {
  filter: string;
  aggregation: Aggregation;
  legend?: string;
}

export function lineChart(title: string, yLabel: string, series: Series[], plotType: DataSet['plotType'] = 'LINE'): Widget {
  return {
    title,
    xyChart: {
      dataSets: series.map((s) => ({
        timeSeriesQuery: { timeSeriesFilter: { filter: s.filter, aggregation: s.aggregation } },
        plotType,
        targetAxis: 'Y1',
        ...(s.legend ? { legendTemplate: s.legend } : {}),
      })),
      yAxis: { label: yLabel, scale: 'LINEAR' },
    },
  };
}

/** A chart of numerator / denominator, e.g. the share of requests that failed. */
export function ratioChart(title: string, yLabel: string, numerator: TimeSeriesFilter, denominator: TimeSeriesFilter): Widget {
  return {
    title,
    xyChart: {
      dataSets: [{ timeSeriesQuery: { timeSeriesFilterRatio: { numerator, denominator } }, plotType: 'LINE', targetAxis: 'Y1' }],
      yAxis: { label: yLabel, scale: 'LINEAR' },
    },
  };
}

export function scorecard(title: string, series: Series): Widget {
  return {
    title,
    scorecard: {
      timeSeriesQuery: { timeSeriesFilter: { filter: series.filter, aggregation: series.aggregation } },
      sparkChartView: { sparkChartType: 'SPARK_LINE' },
    },
  };
}

export function markdown(title: string, content: string): Widget {
  return { title, text: { content, format: 'MARKDOWN' } };
}
