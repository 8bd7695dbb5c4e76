/**
 * The live dashboard in a real browser: Debian's chromium, driven by playwright-core, opens the
 * dashboard of a running seed data center, sees both nodes, the CSV coordinator and the role;
 * then blade 2 is powered off from the CLI and the page — never reloaded — shows the bay go
 * dark, the node leave, the CSV coordinator change and the role come back on the other node.
 * Screenshots before and after are kept in test-artifacts/. The controls answer only with the
 * token, and power the blade back on. Installs nothing: setup.sh does (chromium is in its list).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../orchestrator/run/clients.js';
import { pollUntil } from '../services/process/poll-until.js';
import { deadline, projectRoot, rpc } from '../services/transport/grpc.js';
import { clients, clusterState, dcbox, dcboxOk, freePort, roleOnline, seedClusterFormed } from './harness.js';
import { CHROMIUM, CHROMIUM_PATH, ROOT, unmet } from './requirements.js';

const N1 = 'HVR2NODO1';
const N2 = 'HVR2NODO2';
const ROLE = 'VirtualMachine1';
const ARTIFACTS = join(projectRoot, 'test-artifacts');

const skip = unmet('test/dashboard.test.ts', [ROOT, CHROMIUM]);

/** Debian's chromium, headless. */
function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root in a closed network: no sandbox, and none of the background fetches that this
    // machine refuses (see the machine notes).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the dashboard with its token in a new browser; page errors are added to `errors`. */
async function openPage(
  url: string,
  token: string,
  errors: string[],
): Promise<{ browser: Browser; page: Page }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}?token=${token}`);
  return { browser, page };
}

/** Starts a data center with the dashboard and its controls on; its URL and token. */
async function upWithDashboard(args: string[]): Promise<{ url: string; token: string }> {
  await dcbox(['down']);
  const port = await freePort();
  const out = await dcboxOk(['up', ...args, '--dashboard', `127.0.0.1:${port}`, '--allow-control']);
  const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\?token=([0-9a-f]+)/.exec(out);
  if (!m) throw new Error(`dcbox up did not print the dashboard's address and token:\n${out}`);
  return { url: m[1] as string, token: m[2] as string };
}

describe.skipIf(!!skip)('the live dashboard in a real browser (fast timing)', () => {
  let c: Clients | null = null;
  let browser: Browser | null = null;
  let page: Page | null = null;
  let url = '';
  let token = '';
  const pageErrors: string[] = [];

  /** An attribute of the element with this data-testid, as the page shows it now. */
  const attr = (testId: string, name: string) =>
    (page as Page)
      .locator(`[data-testid="${testId}"]`)
      .getAttribute(name, { timeout: 1000 })
      .catch(() => null);
  const text = (testId: string) =>
    (page as Page)
      .locator(`[data-testid="${testId}"]`)
      .textContent({ timeout: 1000 })
      .catch(() => null);

  beforeAll(async () => {
    ({ url, token } = await upWithDashboard(['--timing', 'fast']));
    c = clients();
    const cl = c;
    await seedClusterFormed(cl);
    await roleOnline(cl, ROLE, N2);
    // The tutorial's CSV is coordinated by the node that will lose power.
    await rpc((cb) => cl.cluster(N1).MoveCsv({ volume: 'Volume1', to: N2 }, deadline(10_000), cb));
    await pollUntil(
      async () => {
        const s = await clusterState(cl, N1);
        const r = s.roles.find((x) => x.name === ROLE);
        return r?.state === 'Online' && r.owner === N2 && s.csv[0]?.coordinator === N2;
      },
      { what: `${ROLE} online on ${N2} and the CSV on ${N2}`, timeoutMs: 20_000 },
    );

    ({ browser, page } = await openPage(url, token, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    c?.close();
    await dcbox(['down']);
  });

  it('shows both nodes up, the quorum, the CSV coordinator and the role online', async () => {
    const p = page as Page;
    await pollUntil(
      async () => {
        return (
          (await attr(`node-${N1}`, 'data-membership')) === 'Up' &&
          (await attr(`node-${N2}`, 'data-membership')) === 'Up'
        );
      },
      { what: 'both nodes Up on the page', timeoutMs: 20_000 },
    );
    await pollUntil(
      async () => {
        return (
          (await attr(`role-${ROLE}`, 'data-state')) === 'Online' &&
          (await attr(`role-${ROLE}`, 'data-owner')) === N2
        );
      },
      { what: 'the role online on HVR2NODO2 on the page', timeoutMs: 20_000 },
    );
    expect(await text('csv-coordinator-Volume1')).toBe(N2);
    expect(await text('has-quorum')).toBe('yes');
    expect(await attr('bay-blade-2', 'data-power')).toBe('On');
    expect(await attr('bay-blade-1', 'data-power')).toBe('On');
    // The charts are drawn by uPlot, and the event log lists the cluster's formation.
    expect(await p.locator('#chart-rtt .uplot').count()).toBe(1);
    await pollUntil(
      () => p.evaluate(() => document.querySelectorAll('#chart-rtt .u-legend .u-series').length >= 2),
      { what: 'pings charted', timeoutMs: 20_000 },
    );
    expect(await p.locator('#events tbody tr[data-kind="cluster-formed"]').count()).toBeGreaterThan(0);
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-before.png'), fullPage: true });
  });

  it('follows a power-off of bay 2 live: the bay goes dark, the node leaves, CSV and role move', async () => {
    const p = page as Page;
    // A page that reloads loses this mark.
    await p.evaluate(() => {
      (window as unknown as { dcboxMark: number }).dcboxMark = 42;
    });
    await dcboxOk(['power', 'off', '2']);
    await pollUntil(async () => (await attr('bay-blade-2', 'data-power')) === 'Off', {
      what: 'bay 2 dark on the page',
      timeoutMs: 10_000,
    });
    await pollUntil(async () => (await attr(`node-${N2}`, 'data-membership')) === 'Down', {
      what: `${N2} out of the membership on the page`,
      timeoutMs: 15_000,
    });
    await pollUntil(async () => (await text('csv-coordinator-Volume1')) === N1, {
      what: 'the CSV coordinated by HVR2NODO1 on the page',
      timeoutMs: 20_000,
    });
    await pollUntil(
      async () =>
        (await attr(`role-${ROLE}`, 'data-owner')) === N1 &&
        (await attr(`role-${ROLE}`, 'data-state')) === 'Online',
      { what: `${ROLE} back online on ${N1} on the page`, timeoutMs: 30_000 },
    );
    // The event log shows the power-off and the node's removal (Event 1135), newest first.
    await pollUntil(
      async () => {
        const kinds = await p
          .locator('#events tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
        return kinds.includes('power') && kinds.includes('node-removed') && kinds.includes('failover');
      },
      { what: 'power and 1135 in the event log', timeoutMs: 20_000 },
    );
    // Filtering keeps only what matches.
    await p.fill('#event-filter', 'powered off');
    const filtered = await p
      .locator('#events tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(filtered.length).toBeGreaterThan(0);
    expect(new Set(filtered)).toEqual(new Set(['power']));
    await p.fill('#event-filter', '');
    // The power-off is drawn as a band, and the page was never reloaded.
    expect(await p.evaluate(() => (window as unknown as { dcboxMark?: number }).dcboxMark)).toBe(42);
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-after.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('refuses a control without the token and powers the blade back on with it', async () => {
    const post = (body: unknown, auth?: string) =>
      fetch(`${url}api/control`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      });
    const on = { action: 'power', kind: 'blade', bay: 2, on: true };
    expect((await post(on)).status).toBe(401);
    expect((await post(on, 'not-the-token')).status).toBe(401);
    const bad = await post({ action: 'power', kind: 'blade', bay: 'two', on: true }, token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/bay must be/);
    // Through the page's own form, as a person would.
    const p = page as Page;
    await p.selectOption('#power-bay', 'mm:blade:2');
    await p.click('#power-form button[value="true"]');
    await pollUntil(async () => /powered on/.test((await p.textContent('#control-result')) ?? ''), {
      what: 'the page to confirm',
      timeoutMs: 60_000,
    });
    await pollUntil(async () => (await attr('bay-blade-2', 'data-power')) === 'On', {
      what: 'bay 2 lit again on the page',
      timeoutMs: 20_000,
    });
    await pollUntil(async () => (await attr(`node-${N2}`, 'data-membership')) === 'Up', {
      what: `${N2} back in the membership on the page`,
      timeoutMs: 30_000,
    });
  });
});

describe.skipIf(!!skip)('the dashboard of two chassis sharing the storage (fast timing)', () => {
  let c: Clients | null = null;
  let browser: Browser | null = null;
  let page: Page | null = null;
  const pageErrors: string[] = [];
  let url = '';
  let token = '';
  /** The bay of one chassis: its attribute as the page shows it now. */
  const bay = (mm: string, testId: string, name: string) =>
    (page as Page)
      .locator(`[data-testid="chassis-${mm}"] [data-testid="${testId}"]`)
      .getAttribute(name, { timeout: 1000 })
      .catch(() => null);

  beforeAll(async () => {
    ({ url, token } = await upWithDashboard(['topologies/two-chassis.yaml', '--timing', 'fast']));
    c = clients();
    await seedClusterFormed(c);
    ({ browser, page } = await openPage(url, token, pageErrors));
  });

  afterAll(async () => {
    await browser?.close();
    c?.close();
    await dcbox(['down']);
  });

  it("shows each chassis with its own blade, and powers one off through that chassis's MM", async () => {
    const p = page as Page;
    await pollUntil(
      async () =>
        (await bay('mm', 'bay-blade-1', 'data-power')) === 'On' &&
        (await bay('mm-b', 'bay-blade-1', 'data-power')) === 'On',
      { what: 'both chassis with their blade 1 lit on the page', timeoutMs: 20_000 },
    );
    expect(await p.textContent('#chassis-name')).toBe('2 chassis sharing the storage');
    expect(await p.locator('[data-testid="chassis-mm-b"] h3').textContent()).toMatch(/BCS-DCBOX-B/);
    expect(await p.locator('[data-testid="chassis-mm"] [data-testid="bay-io-3"] .host').textContent()).toBe(
      'rssm3',
    );
    expect(await p.locator('[data-testid="chassis-mm-b"] [data-testid="bay-io-3"] .host').textContent()).toBe(
      'rssm-b3',
    );
    // A power request naming a host that is no management module is refused with the reason.
    const wrong = await fetch(`${url}api/control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ action: 'power', kind: 'blade', bay: 1, on: false, mm: N1 }),
    });
    expect(wrong.ok).toBe(false);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/not a management module/);
    // Through the page's own form: HVR2NODO2 is blade 1 of the second chassis.
    await p.selectOption('#power-bay', 'mm-b:blade:1');
    await p.click('#power-form button[value="false"]');
    await pollUntil(
      async () => /powered off through mm-b/.test((await p.textContent('#control-result')) ?? ''),
      {
        what: 'the page to confirm',
        timeoutMs: 30_000,
      },
    );
    await pollUntil(async () => (await bay('mm-b', 'bay-blade-1', 'data-power')) === 'Off', {
      what: "the second chassis's blade 1 dark on the page",
      timeoutMs: 10_000,
    });
    // The first chassis's blade 1 is another blade, and stays on.
    expect(await bay('mm', 'bay-blade-1', 'data-power')).toBe('On');
    // From outside the dashboard: each management module's own inventory, and the survivor's view.
    const status = JSON.parse(await dcboxOk(['status', '--json'])) as {
      allChassis: { name: string; blades: { number: number; power: string }[] }[];
    };
    const power = (i: number) => status.allChassis[i]?.blades.find((b) => b.number === 1)?.power;
    expect([status.allChassis[0]?.name, power(0)]).toEqual(['BCS-DCBOX-A', 'On']);
    expect([status.allChassis[1]?.name, power(1)]).toEqual(['BCS-DCBOX-B', 'Off']);
    await pollUntil(async () => (await clusterState(c as Clients, N1)).members.join() === N1, {
      what: `${N2} removed from the membership as ${N1} sees it`,
      timeoutMs: 20_000,
    });
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard-two-chassis.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
