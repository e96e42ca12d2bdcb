import { createRequire } from 'node:module'

/**
 * `require` for the CommonJS packages the daemon loads (pino, commander, level, ipaddr.js). An ESM
 * `import` of a CommonJS file makes Node scan its source for export names (cjs-module-lexer, in
 * JavaScript); over these packages the scanner turns hot, V8 optimises it, and the compiler's
 * memory stays resident: ~4.5 MB of private memory in an idle daemon (bench/memory.ts). Loaded
 * with `require`, the files are not scanned. Types still come from `import type`.
 */
export const requireCjs = createRequire(import.meta.url)
