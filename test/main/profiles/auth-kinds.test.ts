/**
 * Issue 11.5: adding a third kind of credential must fail the typecheck everywhere a decision depends on the kind.
 * The TypeScript compiler checks the real sources with `AuthType` widened by one member (in memory only): every
 * place listed must report an error (an exhaustive `switch` ending in `unreachable(x: never)`), so none can silently
 * treat the new kind as a password.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')
const API = resolve(ROOT, 'preload/contract/profiles.ts') // AuthType (moved from preload/api.ts)
const DECISIONS = [
  'preload/rules/profile-auth.ts', // profileAuth(): the union itself
  'preload/contract/commands/profile-schema.ts', // profileProblems(): what a profile needs
  'main/profiles/model.ts', // identityKey(): duplicates
  'main/profiles/trust.ts', // secretIdentity(): what a stored secret is bound to
  'main/profiles/connector.ts', // sessionOptions(), the secret's name
  'main/profiles/explain.ts', // AUTH_FAILED in words
  'main/profiles/cloudsyaml.ts', // import warnings, export
]

describe('a third AuthType fails the typecheck at every decision', () => {
  it('each listed file reports an error once AuthType gains a member', { timeout: 170_000 }, () => {
    const config = ts.getParsedCommandLineOfConfigFile(resolve(ROOT, 'tsconfig.node.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!
    const host = ts.createCompilerHost(config.options)
    const original = readFileSync(API, 'utf8')
    const widened = original.replace(
      "export type AuthType = 'password' | 'applicationCredential'",
      "export type AuthType = 'password' | 'applicationCredential' | 'oidcToken'",
    )
    expect(widened).not.toBe(original)
    const readFile = host.readFile.bind(host)
    host.readFile = (f) => (resolve(f) === API ? widened : readFile(f))
    const getSourceFile = host.getSourceFile.bind(host)
    host.getSourceFile = (f, lang, onError, create) => (resolve(f) === API ? ts.createSourceFile(f, widened, lang) : getSourceFile(f, lang, onError, create))
    const program = ts.createProgram({ rootNames: DECISIONS.map((f) => resolve(ROOT, f)), options: { ...config.options, noEmit: true }, host })
    const failing = new Set<string>()
    for (const f of DECISIONS) {
      const sf = program.getSourceFile(resolve(ROOT, f))!
      if (program.getSemanticDiagnostics(sf).length) failing.add(f)
    }
    expect([...failing].sort()).toEqual([...DECISIONS].sort())
  })
})
