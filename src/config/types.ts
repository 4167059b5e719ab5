import type { StageDefinition } from '../stages/stage.ts';
import type { RunSettings } from '../target/settings.ts';
import type { Config } from './schema.ts';

/** The one config a run uses: file, then env vars, then flags, layered (flag > env > file > default). */
export interface ResolvedConfig extends Config, RunSettings {
  /** Plugin stages the config's `plugins` named, loaded (the built-ins are always there). */
  pluginStages?: StageDefinition[];
}
