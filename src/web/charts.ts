/**
 * Charts drawn on the server as SVG: Vega-Lite specs compiled to Vega and
 * rendered headless (`renderer: 'none'`, no canvas, no browser). Vega escapes
 * every text it writes into the SVG, so the markup can be embedded as is.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { trusted, type Html } from './html.ts';

const BASE = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 220, autosize: { type: 'fit', contains: 'padding' }, background: 'white' } as const;

/** Renders a Vega-Lite spec to SVG markup. */
export async function svgChart(spec: Record<string, unknown>, width = 520): Promise<Html> {
  const compiled = compile({ ...BASE, ...spec, width } as unknown as TopLevelSpec).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    return trusted(await view.toSVG());
  } finally {
    view.finalize();
  }
}

export function stackedBars(values: Record<string, unknown>[], o: { x: string; y: string; color: string; xTitle: string; yTitle: string; title: string }): Promise<Html> {
  return svgChart({
    title: o.title,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: o.x, type: 'ordinal', title: o.xTitle },
      y: { field: o.y, type: 'quantitative', aggregate: 'sum', title: o.yTitle },
      color: { field: o.color, type: 'nominal', title: o.color },
    },
  });
}

export function lines(values: Record<string, unknown>[], o: { x: string; y: string; series: string; xTitle: string; yTitle: string; title: string }): Promise<Html> {
  return svgChart({
    title: o.title,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: o.x, type: 'ordinal', title: o.xTitle },
      y: { field: o.y, type: 'quantitative', title: o.yTitle },
      color: { field: o.series, type: 'nominal', title: null },
    },
  });
}

export function groupedBars(values: Record<string, unknown>[], o: { x: string; y: string; group: string; xTitle: string; yTitle: string; title: string; rule?: number }): Promise<Html> {
  const layers: Record<string, unknown>[] = [{
    mark: 'bar',
    encoding: {
      x: { field: o.x, type: 'ordinal', title: o.xTitle },
      xOffset: { field: o.group },
      y: { field: o.y, type: 'quantitative', title: o.yTitle },
      color: { field: o.group, type: 'nominal', title: o.group },
    },
  }];
  if (o.rule !== undefined) layers.push({ mark: { type: 'rule', color: '#b3261e', strokeDash: [4, 3] }, encoding: { y: { datum: o.rule } } });
  return svgChart({ title: o.title, data: { values }, layer: layers });
}
