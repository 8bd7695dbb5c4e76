import {
  accessibleLun,
  afterInflight,
  type LunRecord,
  metaOf,
  nexusId,
  type PrData,
  type PrView,
  persisted,
  refuse,
  reply,
  type StorageDecision,
  type StorageEffect,
  type StorageMsg,
  type StorageState,
  withLun,
} from './model.js';

/** The only reservation type dcbox grants: what Windows failover clusters use (docs/domain.md §Persistent reservations). */
export const RESERVATION_TYPE = 'WRITE_EXCLUSIVE_REGISTRANTS_ONLY';

/** The API view of a LUN's reservations. */
export function prView(pr: PrData): PrView {
  return {
    generation: pr.generation,
    registrations: pr.registrations.map((r) => ({ ...r })),
    reservation_holder: pr.reservation?.holder ?? '',
    reservation_key: pr.reservation?.key ?? '',
    reservation_type: pr.reservation ? RESERVATION_TYPE : '',
  };
}

/** PERSISTENT RESERVE IN, READ KEYS: the registrations and the reservation, changed nothing. */
export function prReadKeys(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'prReadKeys' }>,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  return reply(state, msg.reqId, prView(lun.pr));
}

/** PERSISTENT RESERVE OUT, REGISTER: adds, replaces or (with an empty key) removes the nexus's key. */
export function prRegister(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'prRegister' }>,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = msg.key === '' ? '' : checkKey(msg.key, 'key');
  const others = lun.pr.registrations.filter((r) => r.initiator !== id);
  const registrations = key ? [...others, { initiator: id, key }] : others;
  let reservation = lun.pr.reservation;
  if (reservation?.holder === id) {
    // Unregistering the holder releases the reservation; a new key moves the reservation key
    // with it, since the holder's reservation key is its registration key (SPC-3).
    reservation = key ? { holder: id, key } : null;
  }
  const pr: PrData = { generation: lun.pr.generation + 1, registrations, reservation };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

/** PERSISTENT RESERVE OUT, RESERVE: takes the reservation for a registered key. */
export function prReserve(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'prReserve' }>,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  requireRegistered(lun, id, key);
  const held = lun.pr.reservation;
  if (held && held.key !== key) {
    refuse('RESERVATION_CONFLICT', `LUN ${lun.name} is reserved by ${held.holder} with key ${held.key}`);
  }
  // Same key: with MPIO every path of the owner registers that key, so any of them may
  // repeat the reserve (docs/domain.md §Persistent reservations).
  if (held) return reply(state, msg.reqId, prView(lun.pr));
  const pr: PrData = { ...lun.pr, reservation: { holder: id, key } };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

/** PERSISTENT RESERVE OUT, RELEASE: gives the reservation up when this key holds it. */
export function prRelease(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'prRelease' }>,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  requireRegistered(lun, id, key);
  // Releasing what one does not hold is a no-op, as in SPC-3. The holder is identified by key
  // so that the owner can release over a surviving path when the reserving path died.
  if (lun.pr.reservation?.key !== key) return reply(state, msg.reqId, prView(lun.pr));
  const pr: PrData = { ...lun.pr, reservation: null };
  return persisted(withLun(state, { ...lun, pr }), msg.reqId, prView(pr));
}

/** PERSISTENT RESERVE OUT, PREEMPT AND ABORT: removes the victim's registrations and takes its reservation. */
export function prPreempt(
  state: StorageState,
  msg: Extract<StorageMsg, { type: 'prPreempt' }>,
): StorageDecision {
  const lun = accessibleLun(state, msg.lun, msg.initiator);
  const id = nexusId(msg.initiator!);
  const key = checkKey(msg.key, 'key');
  const victim = checkKey(msg.victimKey, 'victim_key');
  requireRegistered(lun, id, key);
  const registrations = lun.pr.registrations.filter((r) => r.key !== victim || r.initiator === id);
  const reservation = lun.pr.reservation?.key === victim ? { holder: id, key } : lun.pr.reservation;
  const pr: PrData = { generation: lun.pr.generation + 1, registrations, reservation };
  const next = withLun(state, { ...lun, pr });
  // PREEMPT AND ABORT: the victim is fenced from this moment (new writes conflict), but the
  // preempt is acknowledged only after every write accepted before it on this LUN has landed,
  // so nothing from the victim can reach the disk after the preemptor hears "done".
  const replyNow: StorageEffect = {
    type: 'reply',
    reqId: msg.reqId,
    outcome: { ok: true, value: prView(pr) },
  };
  return afterInflight(next, lun.name, [{ type: 'persistMeta', meta: metaOf(next) }], [replyNow]);
}

/** Keys are 8 bytes written as 16 hex digits (docs/domain.md §Persistent reservations); dcbox keeps them upper-case. */
export function checkKey(key: string, field: string): string {
  if (!/^[0-9A-Fa-f]{16}$/.test(key)) refuse('INVALID_ARGUMENT', `${field} "${key}" must be 16 hex digits`);
  return key.toUpperCase();
}

/** Refuses a nexus that is not registered on the LUN with this key. */
export function requireRegistered(lun: LunRecord, id: string, key: string): void {
  const reg = lun.pr.registrations.find((r) => r.initiator === id);
  if (!reg) refuse('RESERVATION_CONFLICT', `${id} is not registered on LUN ${lun.name}`);
  if (reg.key !== key) {
    refuse('RESERVATION_CONFLICT', `${id} is registered on LUN ${lun.name} with key ${reg.key}, not ${key}`);
  }
}
