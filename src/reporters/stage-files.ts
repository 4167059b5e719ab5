import type { Reporter, StageReportParts } from './types.ts';

// Files a stage renders from the checks' data (e.g. security.sarif), written
// here — after the final redaction pass, like every report — never by the
// stage itself. `pdv report` / `pdv merge` re-render them from verdict.json.
export function stageFilesReporter(stages: readonly StageReportParts[]): Reporter {
  return {
    name: 'stage-files',
    async write(report, ctx) {
      const written: string[] = [];
      for (const part of stages) {
        for (const file of part.files ?? []) {
          const text = file.render(report);
          if (text !== undefined) written.push(await ctx.writeText(file.name, text));
        }
      }
      return written;
    },
  };
}
