/**
 * Charts of the HTML report: ECharts rendered to static SVG strings at build time (server-side
 * rendering, no DOM, no script in the output). Only the chart types and components used are
 * registered, so a Lambda bundle of the monthly report stays small.
 */
import type { EChartsOption } from 'echarts';
import { CustomChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, CustomChart, GridComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

/** No quotes: zrender writes the family into a double-quoted style attribute. */
export const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
export const PALETTE = ['#0f766e', '#d97706', '#4f46e5', '#db2777', '#0284c7', '#65a30d', '#7c3aed'];
const INK = '#3f3f46';
const MUTED = '#71717a';
const LINE = '#e4e4e7';

/** Renders one chart to an SVG string; `viewBox` lets CSS scale it to its container's width. */
export function renderSvg(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      color: PALETTE,
      ...option,
    });
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
}

export interface LineSeries {
  name: string;
  values: (number | null)[];
}

export interface LineChartSpec {
  categories: string[];
  series: LineSeries[];
  width: number;
  height: number;
  /** Tick labels of the value axis. */
  formatValue: (n: number) => string;
  legend?: boolean;
  /** Fill the area under a single line. */
  area?: boolean;
  /** Colours per series (defaults to the palette). */
  colors?: string[];
  xName?: string;
  /** Start the value axis at zero rather than at the data's range. */
  zero?: boolean;
}

/** A line chart over categories (periods, months since first order); nulls leave gaps. */
export function lineChart(spec: LineChartSpec): string {
  const single = spec.series.length === 1;
  const legendOn = spec.legend ?? !single;
  const legendRows = legendOn
    ? estimateRows(
        spec.series.map((s) => s.name),
        spec.width - 20,
      )
    : 0;
  const labelEvery = Math.max(0, Math.ceil(spec.categories.length / Math.max(2, spec.width / 70)) - 1);
  return renderSvg(
    {
      ...(spec.colors ? { color: spec.colors } : {}),
      grid: {
        left: 6,
        right: 14,
        top: legendOn ? 14 + legendRows * 20 : 14,
        bottom: spec.xName ? 26 : 4,
        outerBoundsMode: 'same',
        outerBoundsContain: 'axisLabel',
      },
      legend: legendOn
        ? {
            top: 0,
            left: 0,
            icon: 'roundRect',
            itemWidth: 12,
            itemHeight: 4,
            itemGap: 12,
            width: spec.width - 20,
            textStyle: { color: MUTED, fontSize: 11 },
          }
        : { show: false },
      xAxis: {
        type: 'category',
        boundaryGap: false,
        data: spec.categories,
        axisLine: { lineStyle: { color: LINE } },
        axisTick: { show: false },
        axisLabel: { color: MUTED, fontSize: 11, interval: labelEvery, hideOverlap: true },
        ...(spec.xName
          ? {
              name: spec.xName,
              nameLocation: 'middle',
              nameGap: 26,
              nameTextStyle: { color: MUTED, fontSize: 11 },
            }
          : {}),
      },
      yAxis: {
        type: 'value',
        scale: !spec.zero,
        splitNumber: 3,
        axisLabel: { color: MUTED, fontSize: 11, formatter: (v: number) => spec.formatValue(v) },
        splitLine: { lineStyle: { color: '#f0f0f2' } },
      },
      series: spec.series.map((s) => ({
        type: 'line',
        name: s.name,
        data: s.values,
        connectNulls: false,
        symbol: 'circle',
        symbolSize: spec.categories.length > 16 ? 0 : 5,
        showSymbol: spec.categories.length <= 16,
        lineStyle: { width: 2 },
        silent: true,
        ...(single && spec.area !== false
          ? { areaStyle: { opacity: 0.08 }, emphasis: { disabled: true } }
          : { emphasis: { disabled: true } }),
      })),
    },
    spec.width,
    spec.height,
  );
}

/** zrender measures text without a canvas by estimate, so the layout is computed from characters. */
function textWidth(text: string, size: number): number {
  return [...text].length * size * 0.62;
}

function estimateRows(names: string[], width: number): number {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const w = 12 + 5 + textWidth(name, 11) + 12;
    if (x > 0 && x + w > width) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

export interface ForestRow {
  label: string;
  /** Right-hand text: the uplift and p-value, or "not enough data". */
  note: string;
  absolute: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * A forest plot: per journey the uplift in goal conversion as a point with its 95 % interval, a zero
 * line, and the figures at the right. Rows without an estimate keep their line with the note only.
 */
export function forestChart(
  rows: ForestRow[],
  options: { width: number; axisName: string; notes: boolean; formatTick: (fraction: number) => string },
) {
  const rowHeight = 40;
  const height = 56 + rows.length * rowHeight;
  const ends = rows.flatMap((r) => [r.ciLow, r.ciHigh, r.absolute]).filter((v): v is number => v !== null);
  const reach = Math.max(0.02, ...ends.map(Math.abs));
  const step = niceStep(reach / 3);
  const bound = Math.ceil(reach / step) * step;
  const data = rows.flatMap((r, i) =>
    r.absolute !== null && r.ciLow !== null && r.ciHigh !== null
      ? [{ value: [r.absolute, r.ciLow, r.ciHigh, i], itemStyle: { color: colourOf(r.ciLow, r.ciHigh) } }]
      : [],
  );
  const categories = rows.map((r) => r.label);
  const labelWidth = Math.min(options.width * 0.32, Math.max(...rows.map((r) => textWidth(r.label, 12)), 40));
  const noteWidth = options.notes ? Math.max(...rows.map((r) => textWidth(r.note, 11)), 40) : 0;
  return renderSvg(
    {
      grid: {
        left: labelWidth + 18,
        right: options.notes ? noteWidth + 18 : 14,
        top: 10,
        bottom: 40,
        outerBoundsMode: 'none',
      },
      xAxis: {
        type: 'value',
        min: -bound,
        max: bound,
        interval: step,
        name: options.axisName,
        nameLocation: 'middle',
        nameGap: 28,
        nameTextStyle: { color: MUTED, fontSize: 11 },
        axisLabel: {
          color: MUTED,
          fontSize: 11,
          formatter: (v: number) => options.formatTick(v),
        },
        splitLine: { lineStyle: { color: '#f0f0f2' } },
      },
      yAxis: [
        {
          type: 'category',
          data: categories,
          inverse: true,
          axisTick: { show: false },
          axisLine: { show: false },
          axisLabel: { color: INK, fontSize: 12, width: labelWidth, overflow: 'truncate' },
          splitLine: { show: true, lineStyle: { color: '#f4f4f5' } },
        },
        {
          type: 'category',
          data: rows.map((r) => r.note),
          inverse: true,
          position: 'right',
          show: options.notes,
          axisTick: { show: false },
          axisLine: { show: false },
          axisLabel: { color: MUTED, fontSize: 11 },
        },
      ],
      series: [
        {
          type: 'custom',
          silent: true,
          encode: { x: [0, 1, 2], y: 3 },
          data,
          renderItem: (_params, api) => {
            const y = api.value(3) as number;
            const [px = 0, py = 0] = api.coord([api.value(0), y]);
            const [lx = 0] = api.coord([api.value(1), y]);
            const [hx = 0] = api.coord([api.value(2), y]);
            const colour = (api.visual('color') as string) ?? PALETTE[0];
            const stroke = { stroke: colour, lineWidth: 2 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: lx, y1: py, x2: hx, y2: py }, style: stroke },
                { type: 'line', shape: { x1: lx, y1: py - 6, x2: lx, y2: py + 6 }, style: stroke },
                { type: 'line', shape: { x1: hx, y1: py - 6, x2: hx, y2: py + 6 }, style: stroke },
                {
                  type: 'circle',
                  shape: { cx: px, cy: py, r: 6 },
                  style: { fill: colour, stroke: '#fff', lineWidth: 2 },
                },
              ],
            };
          },
          markLine: {
            silent: true,
            symbol: 'none',
            label: { show: false },
            lineStyle: { color: '#a1a1aa', type: 'dashed', width: 1 },
            data: [{ xAxis: 0 }],
          },
        },
      ],
    },
    options.width,
    height,
  );
}

/** Teal when the interval is above zero, red when below, grey when it crosses zero. */
function colourOf(low: number, high: number): string {
  if (low > 0) return '#0f766e';
  if (high < 0) return '#dc2626';
  return '#a1a1aa';
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** `n` colours from light teal to deep teal: older cohorts lighter, the newest darkest. */
export function sequentialColours(n: number): string[] {
  const from = [94, 234, 212];
  const to = [19, 78, 74];
  return Array.from({ length: n }, (_, i) => {
    const k = n === 1 ? 1 : i / (n - 1);
    const [r = 0, g = 0, b = 0] = from.map((c, j) => Math.round(c + ((to[j] ?? c) - c) * k));
    return `rgb(${r}, ${g}, ${b})`;
  });
}
