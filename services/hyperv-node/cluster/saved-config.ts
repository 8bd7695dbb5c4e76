/**
 * The node's saved copy of the cluster configuration (adapter): read once at start, so a node
 * that restarts knows its cluster before it hears from any peer, and rewritten on every change
 * the core commits (the persist effect).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../process/log.js';
import { type ClusterConfig, type SavedClusterConfig, upgradeConfig } from './core/decide.js';

/** The configuration file under the node's data directory (cluster/config.json). */
export class SavedConfig {
  private readonly configFile: string;

  /** Creates the directory that holds the file. */
  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.configFile = join(dataDir, 'cluster', 'config.json');
    mkdirSync(join(dataDir, 'cluster'), { recursive: true });
  }

  /**
   * The configuration saved last, or null: none yet, or unreadable (logged, then ignored). A file
   * written before the CSV's coordinator was named so (`owner`) is upgraded as it is read.
   */
  load(): ClusterConfig | null {
    if (!existsSync(this.configFile)) return null;
    try {
      return upgradeConfig(JSON.parse(readFileSync(this.configFile, 'utf8')) as SavedClusterConfig);
    } catch (err) {
      this.log('warn', 'ignoring an unreadable saved cluster configuration', {
        error: (err as Error).message,
      });
      return null;
    }
  }

  /** Writes the configuration through a temporary file, so a crash leaves the old or the new one; a failure is logged. */
  save(config: ClusterConfig): void {
    try {
      writeFileSync(`${this.configFile}.tmp`, JSON.stringify(config));
      renameSync(`${this.configFile}.tmp`, this.configFile);
    } catch (err) {
      this.log('warn', 'could not save the cluster configuration', { error: String(err) });
    }
  }
}
