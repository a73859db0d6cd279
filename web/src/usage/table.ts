// The table view of a chart: one row per bucket, one column per series, and a total row.
import { h } from '../dom';
import type { Series } from './charts';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function dataTable(caption: string, times: number[], series: Series[], opts: { id?: string } = {}): HTMLElement {
  const total = (s: Series) => s.values.reduce((a, b) => a + b, 0);
  return h(
    'details',
    { class: 'data-view' },
    h('summary', null, `Table: ${caption}`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data-table usage-table', 'data-chart': opts.id ?? caption },
        h('caption', null, caption),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Time'), series.map((s) => h('th', { scope: 'col' }, s.label)))),
        h(
          'tbody',
          null,
          times.map((t, i) =>
            h('tr', null, h('th', { scope: 'row', 'data-label': 'Time' }, h('time', { datetime: new Date(t).toISOString() }, when.format(new Date(t)))), series.map((s) => h('td', { 'data-label': s.label }, String(s.values[i])))),
          ),
        ),
        h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'Total'), series.map((s) => h('td', { 'data-label': s.label, 'data-total': s.label }, String(total(s)))))),
      ),
    ),
  );
}
