import * as vega from 'vega'
import {compile, type TopLevelSpec} from 'vega-lite'

/**
 * Renders a vega-lite spec to an SVG string in Node: compiled to vega, run headless (no canvas, no
 * DOM), serialised. The SVG draws on its own: no script, font or data fetch is needed to view it.
 *
 * @example const svg = await renderSvg({data: {values: [{x: 1, y: 2}]}, mark: 'point', encoding: {x: {field: 'x', type: 'quantitative'}}})
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), {renderer: 'none'})
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
