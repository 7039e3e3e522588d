/**
 * Issue 11.5: adding a third kind of credential must fail the typecheck everywhere a decision depends on the kind.
 * The TypeScript compiler checks the real sources with the stored union `ProfileAuth` widened by one member (in
 * memory only): every place listed must report an error about that member (an exhaustive `switch` ending in
 * `unreachable(x: never)`, or a record keyed by kind), so none can silently treat the new kind as a password.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')
const API = resolve(ROOT, 'preload/contract/profiles.ts') // ProfileAuth, the stored union
const NODE_DECISIONS = [
  'preload/contract/commands/profile-schema.ts', // profileProblems(): what a profile needs; one zod schema per kind
  'main/profiles/model.ts', // identityKey(): duplicates
  'main/profiles/trust.ts', // secretIdentity(): what a stored secret is bound to
  'main/profiles/connector.ts', // sessionOptions() (the Keystone request), the secret's name
  'main/profiles/explain.ts', // AUTH_FAILED in words
  'main/profiles/cloudsyaml.ts', // import warnings, clouds.yaml export
  'main/profiles/openrc-export.ts', // openrc export: variables and the secret asked for
  'cli/index.ts', // --profile: which OS_* variable holds the secret
]
const WEB_DECISIONS = [
  'renderer/lib/profileForm.ts', // the form's edge (flat <-> union), its rules, the list's summary, the secret label, the radios
]
const NEW_MEMBER = "{ type: 'oidcToken'; username: string; userId: string; userDomainName: string; userDomainId?: string }"

function failingFiles(config: string, files: string[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(resolve(ROOT, config), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!
  const host = ts.createCompilerHost(parsed.options)
  const original = readFileSync(API, 'utf8')
  const widened = original.replace(
    'export type ProfileAuth = PasswordProfileAuth | AppCredentialProfileAuth',
    `export type ProfileAuth = PasswordProfileAuth | AppCredentialProfileAuth | ${NEW_MEMBER}`,
  )
  expect(widened).not.toBe(original)
  const readFile = host.readFile.bind(host)
  host.readFile = (f) => (resolve(f) === API ? widened : readFile(f))
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (f, lang, onError, create) => (resolve(f) === API ? ts.createSourceFile(f, widened, lang) : getSourceFile(f, lang, onError, create))
  const program = ts.createProgram({ rootNames: files.map((f) => resolve(ROOT, f)), options: { ...parsed.options, noEmit: true }, host })
  const failing: string[] = []
  for (const f of files) {
    const sf = program.getSourceFile(resolve(ROOT, f))!
    // an error about the new member, not any error (a file broken for another reason does not count)
    const about = program.getSemanticDiagnostics(sf).filter((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').includes('oidcToken'))
    if (about.length) failing.push(f)
  }
  return failing.sort()
}

describe('a third kind of credentials fails the typecheck at every decision', () => {
  it('main, preload and CLI: each listed file reports an error once ProfileAuth gains a member', { timeout: 170_000 }, () => {
    expect(failingFiles('tsconfig.node.json', NODE_DECISIONS)).toEqual([...NODE_DECISIONS].sort())
  })
  it('renderer: the profile form reports an error too', { timeout: 170_000 }, () => {
    expect(failingFiles('tsconfig.web.json', WEB_DECISIONS)).toEqual([...WEB_DECISIONS].sort())
  })
})
