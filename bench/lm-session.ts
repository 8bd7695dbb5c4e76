/**
 * The `lm` session: only the copy rate of lm-io (lm-support.ts `copyRates`), for quick work on
 * live migration. A fresh data center, a 1 GiB VM with its default workload (128 MiB when
 * quick) moved back and forth between the seed's two nodes, each move after an iperf3
 * baseline. Beside the ratios it returns each move's phases as the source logged them ("VM
 * migrated" and "VM migration timeline") and the target's ("VM migration received"), read
 * from the nodes' service logs before the data center goes.
 *
 * `--warm-up N` first makes N moves that are not counted (their ratios are `warmUpRatios`): the
 * first move to a node faults in the pages the VM wrote there, which on the benchmark's machine
 * (a VM whose host takes back the memory its guest freed) costs more than their copy; after it,
 * the node keeps that memory warm for the VM's next visit (services/hyperv-node/warm-memory.ts).
 *
 *   node dist/bench/session-main.js lm [--quick] [--moves N] [--warm-up N]
 */
import { serviceLogLines } from '../orchestrator/run/service-log.js';
import { copyRates, moveRatios, withMovingVm } from './lm-support.js';
import { median, N1, N2, type Samples } from './session-support.js';

/** Messages of the nodes' logs that describe one move's phases, source and target side. */
const PHASE_MESSAGES = ['VM migrated', 'VM migration timeline', 'VM migration received'];

/** Runs `moves` moves of the benchmark's VM with its default workload; ratios and phases. */
export async function lmSession(quick: boolean, moves: number, warmUp = 0): Promise<Samples> {
  const memoryMiB = quick ? 128 : 1024;
  const iperfSeconds = quick ? 1 : 3;
  return withMovingVm(memoryMiB, async (c, mover) => {
    const cold = warmUp > 0 ? await copyRates(c, mover, warmUp, iperfSeconds) : { tcp: [], lm: [] };
    const rates = await copyRates(c, mover, moves, iperfSeconds);
    const { tcp, lm, moves: stats } = rates;
    const ratios = moveRatios(rates);
    return {
      memoryMiB,
      moves,
      tcpMBps: median(tcp) / 1e6,
      lmMBps: median(lm) / 1e6,
      lmThroughputRatio: median(lm) / median(tcp),
      lmRatioMedian: median(ratios),
      lmRatioMin: Math.min(...ratios),
      lmRatios: ratios.map((x) => x.toFixed(2)).join(', '),
      warmUpRatios: moveRatios(cold)
        .map((x) => x.toFixed(2))
        .join(', '),
      tcpMBpsEach: tcp.map((x) => (x / 1e6).toFixed(0)).join(', '),
      lmMBpsEach: lm.map((x) => (x / 1e6).toFixed(0)).join(', '),
      durationsMs: stats.map((m) => m.duration_ms).join(', '),
      passes: stats.map((m) => m.passes).join(', '),
      phases: JSON.stringify(phaseLines()),
    };
  });
}

/** The nodes' log lines about each move's phases, oldest first, as logged. */
function phaseLines(): unknown[] {
  return [N1, N2]
    .flatMap((node) => serviceLogLines(node, (l) => PHASE_MESSAGES.includes(l.msg)))
    .sort((a, b) => String(a.t).localeCompare(String(b.t)));
}
