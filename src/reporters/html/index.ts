import type { Reporter } from '../types.ts';
import { buildHtml, HTML_FILE } from './page.ts';

export { buildHtml, HTML_FILE } from './page.ts';

export function htmlReporter(): Reporter {
  return {
    name: 'html',
    async write(report, ctx) {
      return [await ctx.writeText(HTML_FILE, buildHtml(report))];
    },
  };
}
