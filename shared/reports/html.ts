import type { Kpis } from './kpis.ts';
import { formatKpis } from './kpis.ts';

const esc = (text: string) => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const COLORS = ['#2f6f4f', '#c8553d', '#3d6fc8', '#d9a441', '#7a4fc8', '#4fb0c8', '#8c8c3d', '#c84f8c', '#5c5c5c', '#3dc87a', '#c8913d', '#6f2f4f', '#2f4f6f', '#9c6f2f'];

/** A stacked bar chart of messages per day by kind, as inline SVG. */
function perDayChart(daily: { day: string; counters: Record<string, number> }[]): string {
  const kinds = [...new Set(daily.flatMap(({ counters }) => Object.keys(counters).filter((k) => k.startsWith('sent_') && k !== 'sent_sms' && k !== 'sent_email')))].sort();
  const totals = daily.map(({ counters }) => kinds.reduce((sum, k) => sum + (counters[k] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const w = 760, h = 220, barW = Math.max(2, Math.floor((w - 40) / Math.max(daily.length, 1)) - 1);
  const bars = daily.map(({ day, counters }, i) => {
    let y = h - 20;
    return kinds
      .map((kind, k) => {
        const n = counters[kind] ?? 0;
        const bh = (n / max) * (h - 40);
        y -= bh;
        return n ? `<rect x="${40 + i * (barW + 1)}" y="${y.toFixed(1)}" width="${barW}" height="${bh.toFixed(1)}" fill="${COLORS[k % COLORS.length]}"><title>${esc(day)} ${esc(kind.slice(5))}: ${n}</title></rect>` : '';
      })
      .join('');
  });
  const legend = kinds.map((kind, k) => `<span class="key"><i style="background:${COLORS[k % COLORS.length]}"></i>${esc(kind.slice(5).replaceAll('_', ' '))}</span>`).join(' ');
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="Messages per day by kind"><text x="0" y="14" class="axis">${max}</text><line x1="38" y1="${h - 20}" x2="${w}" y2="${h - 20}" stroke="#999"/>${bars.join('')}<text x="40" y="${h - 4}" class="axis">${esc(daily[0]?.day ?? '')}</text><text x="${w - 80}" y="${h - 4}" class="axis">${esc(daily.at(-1)?.day ?? '')}</text></svg><div>${legend}</div>`;
}

function hbars(rows: [string, number][], color: string): string {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const w = 760, rowH = 26;
  const body = rows
    .map(([label, n], i) => `<text x="0" y="${i * rowH + 17}" class="label">${esc(label)}</text><rect x="250" y="${i * rowH + 4}" width="${((n / max) * (w - 320)).toFixed(1)}" height="18" fill="${color}"/><text x="${256 + (n / max) * (w - 320)}" y="${i * rowH + 17}" class="label">${n}</text>`)
    .join('');
  return `<svg viewBox="0 0 ${w} ${rows.length * rowH + 6}" role="img">${body}</svg>`;
}

/** Sends per local hour; the default quiet hours (21:00–09:00) are shaded. */
function hourChart(byHour: number[], quiet: { start: number; end: number }): string {
  const max = Math.max(1, ...byHour);
  const w = 760, h = 200, bw = (w - 40) / 24;
  const inQuiet = (hour: number) => (quiet.start > quiet.end ? hour >= quiet.start || hour < quiet.end : hour >= quiet.start && hour < quiet.end);
  const cells = byHour
    .map((n, hour) => {
      const bh = (n / max) * (h - 40);
      const x = 40 + hour * bw;
      return `${inQuiet(hour) ? `<rect x="${x}" y="0" width="${bw}" height="${h - 20}" fill="#eef"/>` : ''}<rect x="${x + 2}" y="${(h - 20 - bh).toFixed(1)}" width="${bw - 4}" height="${bh.toFixed(1)}" fill="#2f6f4f"><title>${hour}:00 — ${n}</title></rect><text x="${x + 4}" y="${h - 4}" class="axis">${hour}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="Messages by the customer's local hour">${cells}</svg>`;
}

/**
 * A self-contained HTML report (inline CSS and SVG, no scripts, no external URL): the KPIs,
 * messages per day by kind, the payment funnel and the send-hour histogram.
 */
export function kpiHtml(input: { title: string; kpis: Kpis; daily: { day: string; counters: Record<string, number> }[]; quietHours: { start: string; end: string }; notes?: string[] }): string {
  const { kpis } = input;
  const funnel: [string, number][] = [
    ['Orders placed', kpis.orders.total],
    ['Paid', kpis.orders.paid],
    ['Payment reminders sent', kpis.reminders.sent],
    ['Paid within 24 h of a reminder', kpis.reminders.converted],
    ['Closed unpaid', kpis.orders.closedUnpaid],
  ];
  const quiet = { start: Number(input.quietHours.start.slice(0, 2)), end: Number(input.quietHours.end.slice(0, 2)) };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:800px;margin:2em auto;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}.axis,.label{font-size:11px;fill:#444}.key{display:inline-block;margin-right:1em;font-size:12px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}</style>
</head><body>
<h1>${esc(input.title)}</h1>
${(input.notes ?? []).map((note) => `<p>${esc(note)}</p>`).join('\n')}
<h2>Messages per day, by kind</h2>
${perDayChart(input.daily)}
<h2>The payment funnel</h2>
${hbars(funnel, '#c8553d')}
<h2>When messages arrive (the customer's local hour)</h2>
<p>Shaded: the shop's quiet hours ${esc(input.quietHours.start)}–${esc(input.quietHours.end)}. Parcel updates arrive in their own 08:00–09:00 window.</p>
${hourChart(kpis.messages.byLocalHour, quiet)}
<h2>Figures</h2>
<pre>${esc(formatKpis(kpis, input.title))}</pre>
</body></html>
`;
}
