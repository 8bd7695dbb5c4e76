/**
 * The MM's Redfish TaskService: a long action (a GracefulShutdown waits for the blade's OS, whose
 * cluster service first moves its roles away) answers 202 Accepted at once, with the URI of a task
 * monitor in Location, and runs on (docs/domain.md §Redfish). The task
 * monitor answers 202 while the action runs and, once it ended, what the action would have answered
 * at once: 204, or its error. The Task resource shows TaskState Running, Completed or Exception, with
 * the outcome in Messages. Tasks live in memory, as on a real management controller; the oldest
 * ended task goes once TASKS_KEPT are kept.
 */

import type { RedfishResponse } from './redfish-errors.js';
import { ROOT } from './redfish-resources.js';

/** The TaskService and its Tasks collection. */
export const TASK_SERVICE = `${ROOT}/TaskService`;
export const TASKS = `${TASK_SERVICE}/Tasks`;
/** Tasks kept at most; past it the oldest ended one is dropped (CompletedTaskOverWritePolicy Oldest). */
export const TASKS_KEPT = 32;

type TaskState = 'Running' | 'Completed' | 'Exception';

/** One task: what it runs, since when, and how it ended. */
interface Task {
  id: string;
  name: string;
  /** The action's URI and method, as the Task's Payload shows them. */
  target: string;
  state: TaskState;
  startMs: number;
  endMs?: number;
  /** What the action answered, once it ended. */
  result?: RedfishResponse;
}

/** What a task reads of an error answer: its first message, else its summary. */
interface RedfishErrorBody {
  message?: string;
  '@Message.ExtendedInfo'?: { Message?: string }[];
}

const link = (id: string) => ({ '@odata.id': id });
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** The tasks of one Redfish service. */
export class RedfishTasks {
  private readonly tasks = new Map<string, Task>();
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  /**
   * Starts `run` as a task and answers 202 with its monitor in Location and the Task as the body.
   * `run` resolves to the response the action would have given at once; a throw is a 500.
   */
  start(name: string, target: string, run: () => Promise<RedfishResponse>): RedfishResponse {
    const task: Task = { id: String(this.nextId++), name, target, state: 'Running', startMs: this.now() };
    this.tasks.set(task.id, task);
    this.forgetOldest();
    void run()
      .catch(
        (err: Error): RedfishResponse => ({
          status: 500,
          headers: {},
          body: { error: { message: err.message } },
        }),
      )
      .then((result) => {
        task.result = result;
        task.endMs = this.now();
        task.state = result.status < 400 ? 'Completed' : 'Exception';
      });
    return accepted(task);
  }

  /** GET under /TaskService: the service, the collection, a Task or its monitor; undefined when unknown. */
  get(parts: string[]): RedfishResponse | undefined {
    const [, tasks, id, monitor] = parts;
    if (tasks === undefined && parts.length === 1) return ok(taskServiceBody(this.now()));
    if (tasks !== 'Tasks') return undefined;
    if (id === undefined)
      return ok({
        '@odata.id': TASKS,
        '@odata.type': '#TaskCollection.TaskCollection',
        Name: 'Task Collection',
        Members: [...this.tasks.values()].map((t) => link(`${TASKS}/${t.id}`)),
        'Members@odata.count': this.tasks.size,
      });
    const task = this.tasks.get(id);
    if (!task || parts.length > 4 || (monitor !== undefined && monitor !== 'Monitor')) return undefined;
    if (monitor === undefined) return ok(taskBody(task));
    // The monitor: 202 while the action runs, then the action's own answer.
    if (!task.result) return accepted(task);
    return task.result;
  }

  /** Drops the oldest ended tasks past TASKS_KEPT; running ones stay. */
  private forgetOldest(): void {
    for (const t of this.tasks.values()) {
      if (this.tasks.size <= TASKS_KEPT) return;
      if (t.state !== 'Running') this.tasks.delete(t.id);
    }
  }
}

function ok(body: unknown): RedfishResponse {
  return { status: 200, headers: {}, body };
}

const monitorOf = (t: Task) => `${TASKS}/${t.id}/Monitor`;

/** 202: the task runs; ask its monitor again in a second (redfishtool and sushy read Retry-After). */
function accepted(t: Task): RedfishResponse {
  return { status: 202, headers: { Location: monitorOf(t), 'Retry-After': '1' }, body: taskBody(t) };
}

function taskServiceBody(nowMs: number) {
  return {
    '@odata.id': TASK_SERVICE,
    '@odata.type': '#TaskService.v1_1_4.TaskService',
    Id: 'TaskService',
    Name: 'Task Service',
    ServiceEnabled: true,
    DateTime: iso(nowMs),
    CompletedTaskOverWritePolicy: 'Oldest',
    LifeCycleEventOnTaskStateChange: false,
    Tasks: link(TASKS),
  };
}

/** A Task as GET of its URI shows it. */
function taskBody(t: Task) {
  const e = (t.result?.body as { error?: RedfishErrorBody } | undefined)?.error;
  const error = e?.['@Message.ExtendedInfo']?.[0]?.Message ?? e?.message;
  const message =
    t.state === 'Running'
      ? `${t.name} is running.`
      : t.state === 'Completed'
        ? `${t.name} completed.`
        : `${t.name} failed: ${error ?? `HTTP ${t.result?.status}`}`;
  return {
    '@odata.id': `${TASKS}/${t.id}`,
    '@odata.type': '#Task.v1_4_3.Task',
    Id: t.id,
    Name: t.name,
    TaskState: t.state,
    TaskStatus: t.state === 'Exception' ? 'Critical' : 'OK',
    StartTime: iso(t.startMs),
    ...(t.endMs === undefined ? {} : { EndTime: iso(t.endMs), PercentComplete: 100 }),
    TaskMonitor: monitorOf(t),
    Payload: { TargetUri: t.target, HttpOperation: 'POST' },
    Messages: [
      {
        MessageId: t.state === 'Exception' ? 'Base.1.8.GeneralError' : 'Base.1.8.Success',
        Message: message,
        Severity: t.state === 'Exception' ? 'Critical' : 'OK',
      },
    ],
  };
}
