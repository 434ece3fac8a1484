export { type BarChartOptions, barChart } from './bar-chart.js';
export type { ChartSize, FieldRef, FieldSpec, FieldType, Row, XYChartOptions } from './fields.js';
export { fontSearchDirs, resvgFontOptions } from './fonts.js';
export { type HeatmapOptions, heatmap } from './heatmap.js';
export { type LineChartOptions, lineChart } from './line-chart.js';
export { type RenderedFigure, type RenderOptions, renderFigure, renderSvg, svgToPng } from './render.js';
export { type ScalingChartOptions, scalingChart } from './scaling-chart.js';
