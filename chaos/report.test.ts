import { describe, expect, it } from 'vitest';
import { cleanRun, event, inOrder, N1 } from './checkers/fixtures.js';
import { check } from './checkers/index.js';
import { escapeHtml, renderHtml } from './report.js';

describe('the HTML report', () => {
  const history = cleanRun();
  const html = renderHtml(history, check(history));

  it('titles the page with the experiment, the seed and the verdict', () => {
    expect(html).toContain('<title>seed-power-off — seed 42 — PASS</title>');
  });

  it('draws the faults, a lane per node, role, CSV and VM, and the verdicts', () => {
    expect(html).toContain('<svg ');
    expect(html).toContain('power-off HVR2NODO2');
    for (const lane of ['HVR2NODO1', 'HVR2NODO2', 'role vm1', 'role vm2', 'CSV Volume1', 'VM vm1', 'VM vm2'])
      expect(html).toContain(`class="lane">${lane}</text>`);
    expect(html).toContain('ping unknown (timed out): timed out');
    for (const name of [
      'no-split-brain',
      'single-csv-coordinator',
      'fencing-before-takeover',
      'no-lost-acked-writes',
      'liveness-after-heal',
    ])
      expect(html).toContain(`<td>${name}</td>`);
    expect(html).toContain('<td>vm1</td><td>250</td><td>30</td><td>3.1 s</td>');
  });

  it('is self-contained: no external references, no scripts', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
  });

  it('escapes what nodes log', () => {
    const h = inOrder([...history, event(9000, N1, 'joined', {}, '<script>alert("x")</script> & more')]);
    const out = renderHtml(h, check(h));
    expect(out).not.toMatch(/<script/i);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
  });

  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
