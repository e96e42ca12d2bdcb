// neostandard (the style fastify uses) with TypeScript, lines up to 120 columns.
import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'

// a comment quoting a log line or a format string keeps it whole, as the program writes it
const LOG_SAMPLE = String.raw`^\s*(//|\*).*(\d+\.\d+\.\d+\.\d+|%[sdu]|\bAH\d{5}|\[[^\]]*\] )`

export default [
  ...neostandard({ ts: true, ignores: [...resolveIgnoresFromGitignore(), 'docs/**'] }),
  {
    rules: {
      // aligned tables (units, codes, fixtures) read better several properties a line
      '@stylistic/object-property-newline': 'off',
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignorePattern: LOG_SAMPLE }],
      // a deliberately unawaited promise is marked `void p`
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
