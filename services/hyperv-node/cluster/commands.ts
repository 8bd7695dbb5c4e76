/**
 * Commands the leader carries out on the replicated configuration: make a VM highly available,
 * bring a role online or offline, move a role or a CSV, fail a role over.
 */
import type { ErrorCode } from '../../actor/errors.js';
import { chooseTarget, mayFailOver } from './policy.js';
import { type Command, type Eff, event, type Out } from './protocol.js';
import { bump, push, withRole } from './replication.js';
import { reconcile } from './roles.js';
import type { ClusterCore } from './state.js';

// ---------------------------------------------------------------------------------------------
// Commands (on the leader)

export function refuse(replyTo: string, code: ErrorCode, message: string): Eff {
  return { type: 'reply', replyTo, ok: false, code, message };
}

export function onCommand(s0: ClusterCore, replyTo: string, cmd: Command, now: number): Out {
  const s = s0;
  if (s.service !== 'Running' || s.leader !== s.self)
    return {
      state: s,
      effects: [
        refuse(
          replyTo,
          'UNAVAILABLE',
          `${s.self} is not the cluster leader (service ${s.service}, leader ${s.leader ?? 'none'})`,
        ),
      ],
    };
  if (!s.quorum.has)
    return { state: s, effects: [refuse(replyTo, 'UNAVAILABLE', 'the cluster has no quorum')] };
  const role = 'role' in cmd ? s.config.roles[cmd.role] : undefined;
  const needRole = (): Eff[] | null =>
    role ? null : [refuse(replyTo, 'NOT_FOUND', `no clustered role named ${'role' in cmd ? cmd.role : ''}`)];
  let next: ClusterCore;
  const extra: Eff[] = [];
  switch (cmd.op) {
    case 'makeHa': {
      if (s.config.roles[cmd.vm.name])
        return {
          state: s,
          effects: [refuse(replyTo, 'ALREADY_EXISTS', `${cmd.vm.name} is already a clustered role`)],
        };
      // Making a VM highly available needs it off (or saved): DOMAIN.md §4, the wizard fails otherwise.
      if (cmd.vmState !== 'Off' && cmd.vmState !== 'Saved')
        return {
          state: s,
          effects: [
            refuse(
              replyTo,
              'BAD_STATE',
              `${cmd.vm.name} is ${cmd.vmState}: a virtual machine must be turned off or saved before it can be made highly available`,
            ),
          ],
        };
      if (!s.members.includes(cmd.owner))
        return { state: s, effects: [refuse(replyTo, 'BAD_STATE', `${cmd.owner} is not a cluster member`)] };
      next = bump(s, (c) =>
        withRole(c, {
          name: cmd.vm.name,
          vm: cmd.vm,
          owner: cmd.owner,
          preferredOwners: cmd.preferredOwners,
          allowFailback: cmd.allowFailback,
          desired: 'Offline',
          moving: null,
          failovers: [],
          failed: false,
        }),
      );
      extra.push(
        event(
          0,
          'role-created',
          `Virtual machine ${cmd.vm.name} is now a highly available role owned by ${cmd.owner}.`,
          { role: cmd.vm.name, owner: cmd.owner },
        ),
      );
      break;
    }
    case 'online':
    case 'offline': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      const desired = cmd.op === 'online' ? 'Online' : 'Offline';
      let owner = role.owner;
      if (!s.members.includes(owner))
        owner =
          chooseTarget({
            from: null,
            up: s.members,
            preferredOwners: role.preferredOwners,
            groupsPerNode: {},
          }) ?? owner;
      next = bump(s, (c) => withRole(c, { ...role, desired, owner, failed: false }));
      const restarts = { ...s.restarts };
      delete restarts[role.name];
      const errors = { ...s.roleErrors };
      delete errors[role.name];
      next = { ...next, restarts, roleErrors: errors };
      break;
    }
    case 'beginMove': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (role.moving)
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${role.name} is already moving to ${role.moving.to}`)],
        };
      if (!s.members.includes(cmd.to))
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${cmd.to} is not an active cluster member`)],
        };
      if (cmd.to === role.owner)
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${role.name} already runs on ${cmd.to}`)],
        };
      next = bump(s, (c) => withRole(c, { ...role, moving: { to: cmd.to, kind: cmd.kind } }));
      extra.push(
        event(
          0,
          'move-started',
          `${cmd.kind === 'live' ? 'Live' : 'Quick'} migration of '${role.name}' from ${role.owner} to ${cmd.to} started.`,
          { role: role.name, from: role.owner, to: cmd.to, kind: cmd.kind },
        ),
      );
      break;
    }
    case 'endMove': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (!role.moving) return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
      const to = role.moving.to;
      next = bump(s, (c) =>
        withRole(
          c,
          cmd.ok ? { ...role, owner: to, moving: null, desired: 'Online' } : { ...role, moving: null },
        ),
      );
      extra.push(
        event(
          0,
          cmd.ok ? 'move-completed' : 'move-failed',
          cmd.ok
            ? `'${role.name}' now runs on ${to}.`
            : `Moving '${role.name}' to ${to} failed; it stays on ${role.owner}.`,
          { role: role.name, from: role.owner, to },
        ),
      );
      break;
    }
    case 'moveCsv': {
      const v = s.config.csv[cmd.volume];
      if (!v)
        return {
          state: s,
          effects: [refuse(replyTo, 'NOT_FOUND', `no Cluster Shared Volume named ${cmd.volume}`)],
        };
      if (!s.members.includes(cmd.to))
        return {
          state: s,
          effects: [refuse(replyTo, 'BAD_STATE', `${cmd.to} is not an active cluster member`)],
        };
      next = bump(s, (c) => ({ ...c, csv: { ...c.csv, [v.volume]: { ...v, owner: cmd.to } } }));
      extra.push(
        event(
          0,
          'csv-owner',
          `Cluster Shared Volume ${v.volume} (${v.lun}) is now coordinated by ${cmd.to}.`,
          { volume: v.volume, owner: cmd.to, previous: v.owner, reason: 'move' },
        ),
      );
      break;
    }
    case 'failRole': {
      const bad = needRole();
      if (bad || !role) return { state: s, effects: bad ?? [] };
      if (role.owner !== cmd.from) return { state: s, effects: [{ type: 'reply', replyTo, ok: true }] };
      const allowed = mayFailOver(role.failovers, now, s.nodes.length);
      const target = chooseTarget({
        from: role.owner,
        up: s.members,
        preferredOwners: role.preferredOwners,
        groupsPerNode: {},
      });
      if (!allowed.allowed || !target) {
        next = bump(s, (c) =>
          withRole(c, { ...role, failed: true, failedAt: now, failovers: allowed.recent }),
        );
        extra.push(
          event(
            1205,
            'role-failed',
            `Role '${role.name}' failed and will not fail over again: ${cmd.reason}.`,
            { role: role.name },
          ),
        );
      } else {
        next = bump(s, (c) =>
          withRole(c, { ...role, owner: target, failovers: [...allowed.recent, now], failed: false }),
        );
        extra.push(
          event(
            1153,
            'failover',
            `Role '${role.name}' is failing over from ${role.owner} to ${target}: ${cmd.reason}.`,
            { role: role.name, from: role.owner, to: target },
          ),
        );
      }
      break;
    }
  }
  const r = reconcile(next, now);
  return { state: r.state, effects: [...extra, ...push(r.state, [replyTo]), ...r.effects] };
}
