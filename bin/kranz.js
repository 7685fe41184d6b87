#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx's loader, so signals
// (SIGTERM from an orchestrator) reach Kranz's own graceful shutdown directly.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
