#!/usr/bin/env node
// pdv runs its TypeScript sources through tsx: no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
