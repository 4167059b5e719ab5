import { z } from 'zod';
import { duration, onFail, severity } from '../core/schema.ts';
import { wideGlobProblem } from '../core/verdict.ts';
import { notifyConfigSchema, publishConfigSchema } from '../actions/config.ts';
import { BUILTIN_STAGES, stageRegistry } from '../stages/index.ts';
import type { StageDefinition } from '../stages/stage.ts';
import { environmentSchema, signoffName } from '../target/environment.ts';

// The whole config file, assembled from the target model (src/target), the
// policy, and one section per stage of the registry (each stage's own
// schema): a plugin stage's section is validated like a built-in's.

/** First segments a check id can have besides the stages' names (soak checks are `soak.*`, run-level ones `run.*`). */
const NON_STAGE_IDS = ['soak'];

/** A waiver glob must stay inside one stage unless its entry says `allowWide: true`. */
function refuseWideGlob(field: string, stageNames: readonly string[]) {
  return (entry: Record<string, unknown> & { allowWide?: boolean | undefined }, ctx: z.RefinementCtx): void => {
    const problem = entry.allowWide ? undefined : wideGlobProblem(String(entry[field]), [...stageNames, ...NON_STAGE_IDS]);
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  };
}

/**
 * The config schema for a registry of stages: `stages.<name>` is each stage's
 * own schema, `stageOrder`, checklist `stages` and waiver globs name only
 * those stages.
 */
export function buildConfigSchema(stages: readonly StageDefinition[]) {
  const names = stages.map((st) => st.name);
  const stageName = z.string().refine((n) => names.includes(n), { message: `must be a stage name (${names.join(', ')})` });
  const policyOverrideSchema = z
    .object({
      /** A check id, or a glob with `*` (e.g. `security.headers.*`); its first segment must be a stage name. */
      match: z.string().min(1),
      severity: severity.optional(),
      onFail: onFail.optional(),
      dryRun: z.boolean().optional(),
      /** Allow a `match` wider than one stage (e.g. `*`). */
      allowWide: z.boolean().optional(),
    })
    .strict()
    .superRefine(refuseWideGlob('match', names));

  const policyConfigSchema = z
    .object({
      /** Number of failed major rollback-checks tolerated before rollback. */
      majorBudget: z.number().int().min(0).default(0),
      /** Treat a check that passed only on retry as failed. */
      flakyAsFailed: z.boolean().default(false),
      overrides: z.array(policyOverrideSchema).default([]),
      /** Sign-offs (`pdv signoff`) without which the verdict holds, e.g. `['uat']`. */
      requireSignoffs: z.array(signoffName).optional(),
    })
    .strict();

  function validPattern(p: string): boolean {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }

  /** One pre-production checklist item and the one kind of evidence that ticks it. */
  const checklistItemSchema = z
    .object({
      id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'item ids are lower-case words'),
      title: z.string().min(1),
      /** Check ids or globs (`security.*`) that must have passed. */
      checks: z.array(z.string().min(1)).min(1).optional(),
      /** Stages whose every check must have passed. */
      stages: z.array(stageName).min(1).optional(),
      /** A sign-off that must be recorded. */
      signoff: signoffName.optional(),
      /** A change ticket (`--change-ticket` or $PDV_CHANGE_TICKET), optionally matching `pattern`. */
      changeTicket: z.union([z.literal(true), z.object({ pattern: z.string().refine(validPattern, 'must be a regular expression') }).strict()]).optional(),
      /** A file that must exist, relative to the config file (rollback plan, docs). */
      file: z.string().min(1).optional(),
    })
    .strict()
    .refine((i) => [i.checks, i.stages, i.signoff, i.changeTicket, i.file].filter((v) => v !== undefined).length === 1, {
      message: 'name exactly one kind of evidence: checks, stages, signoff, changeTicket or file',
    });

  const quarantineEntrySchema = z
    .object({
      /** A check id or a glob; its first segment must be a stage name. */
      checkId: z.string().min(1),
      owner: z.string().min(1),
      /** ISO date (YYYY-MM-DD or full timestamp); an expired entry is no longer honoured. */
      expires: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date'),
      reason: z.string().optional(),
      /** Allow a `checkId` glob wider than one stage (e.g. `*`). */
      allowWide: z.boolean().optional(),
    })
    .strict()
    .superRefine(refuseWideGlob('checkId', names));

    const stagesSchema = z
      .object(Object.fromEntries(stages.map((st) => [st.name, st.configSchema.prefault({})])))
      .strict();

    return z
    .object({
      project: z.string().min(1).default('app'),
      environments: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'environment names are lower-case words'), environmentSchema),
      /**
       * Stages `pdv verify` runs, in order. Default: smoke and security (they need
       * nothing but the URLs), then each other stage the config sets up (uat with
       * a testDir, load with a scenario, dr with a driver, metrics with rules or
       * alarms). A stage listed here that lacks what it needs is a usage error.
       */
      stageOrder: z.array(stageName).optional(),
      stages: stagesSchema.prefault({}),
      /** Plugin stages: module paths (relative to the config file) that default-export `defineStage({...})` (docs/architecture.md). */
      plugins: z.array(z.string().min(1)).default([]),
      policy: policyConfigSchema.prefault({}),
      quarantine: z.array(quarantineEntrySchema).default([]),
      /** Global deadline for one run; what was gathered by then is kept and the verdict is hold. */
      deadline: duration.default(1_800_000),
      /** A second `pdv verify` of the same environment waits this long for the first, then holds. */
      lockTimeout: duration.default(600_000),
      /** A failed critical smoke check skips the later stages. */
      failFast: z.boolean().default(true),
      /**
       * Stages after a gate (smoke) run side by side, in plan order; a gate or
       * an exclusive stage (load) runs alone. `false` runs them one by one.
       */
      parallel: z.boolean().default(true),
      /** At most this many stages run at once when `parallel` is on. */
      maxParallel: z.number().int().min(1).default(3),
      /** Where run folders go (`<reportsDir>/<run-id>/`). */
      reportsDir: z.string().default('reports'),
      notify: notifyConfigSchema.prefault({}),
      publish: publishConfigSchema.prefault({}),
      /** The pre-production checklist shown in every report; `promotion` is ready when all are ticked (docs/decisions.md). */
      checklist: z
        .array(checklistItemSchema)
        .default([])
        .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'checklist item ids must be unique'),
    })
    .strict();
}

type Builtin = (typeof BUILTIN_STAGES)[number];
type SectionsOut = { [S in Builtin as S['name']]: S extends StageDefinition<infer C, infer _I, string> ? C : never };
type SectionsIn = { [S in Builtin as S['name']]?: S extends StageDefinition<infer _C, infer I, string> ? I : never };
type Built = ReturnType<typeof buildConfigSchema>;

/** The parsed config: typed sections for the built-in stages; a plugin's section is `config.stages[name]`. */
export type Config = Omit<z.infer<Built>, 'stages'> & { stages: SectionsOut };
/** What `pdv.config.ts` holds (`defineConfig`). */
export type ConfigInput = Omit<z.input<Built>, 'stages'> & { stages?: SectionsIn & Record<string, unknown> };
export type PolicyConfig = Config['policy'];
export type QuarantineEntry = Config['quarantine'][number];

/** The schema of a config with the built-in stages only. */
export const configSchema = buildConfigSchema(stageRegistry()) as unknown as z.ZodType<Config, ConfigInput>;
