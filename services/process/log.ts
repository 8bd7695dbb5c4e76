/**
 * Structured logging to stderr, one JSON object a line; the orchestrator keeps each host's
 * output in its run folder.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

export function makeLogger(host: string, component: string): Logger {
  const quiet = process.env.DCBOX_LOG === 'quiet';
  return (level, msg, fields) => {
    if (quiet && level === 'debug') return;
    process.stderr.write(
      `${JSON.stringify({ t: new Date().toISOString(), level, host, component, msg, ...fields })}\n`,
    );
  };
}
