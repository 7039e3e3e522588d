/**
 * Issue 16, CLI start-up: a command loads its own code and nothing else. The BUILT CLI (`npm run build`, CommonJS
 * chunks) runs with a preloaded hook (`--require`) on CommonJS's `.js` loader that writes down every file it loads;
 * the file's text then says what library it holds. The OS_* download path must not load the YAML parser (only clouds.yaml needs it), nor the queue's
 * vue-i18n, nor the copy engine. `--os-cloud` must load the YAML parser: the control that the hook sees what loads.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = resolve(import.meta.dirname, '../../out/cli/index.js')
let dir: string
let server: Server
let authUrl: string

beforeAll(async () => {
  expect(existsSync(CLI), 'npm run build makes out/cli/index.js').toBe(true)
  dir = mkdtempSync(join(tmpdir(), 'cli-modules-'))
  // the hook: every file CommonJS loads, one per line (the CLI's chunks are CommonJS: out/cli/package.json)
  writeFileSync(
    join(dir, 'hook.cjs'),
    `const { appendFileSync } = require('node:fs')
const Module = require('node:module')
const js = Module._extensions['.js']
Module._extensions['.js'] = function (m, filename) {
  appendFileSync(process.env.GD_LOADED_LOG, filename + '\\n')
  return js.call(this, m, filename)
}
`,
  )
  // Keystone's address answers nothing: the CLI fails with NETWORK right after its first request
  server = createServer((s) => s.destroy())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  authUrl = `http://127.0.0.1:${port}/v3`
  writeFileSync(
    join(dir, 'clouds.yaml'),
    `clouds:\n  here:\n    auth:\n      auth_url: ${authUrl}\n      username: u\n      password: p\n      project_name: x\n      user_domain_name: Default\n      project_domain_name: Default\n`,
  )
})
afterAll(() => {
  server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the built CLI and returns the text of every module file it loaded. Asynchronously: the listener is ours. */
async function loaded(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ files: string[]; texts: string[]; out: string }> {
  const log = join(dir, `${name}.log`)
  const out = await new Promise<string>((res) => {
    execFile(
      process.execPath,
      ['--require', join(dir, 'hook.cjs'), CLI, ...args],
      { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir, GD_LOADED_LOG: log, ...env } },
      (_err, stdout, stderr) => res(`${stdout}${stderr}`),
    )
  })
  expect(out, out).toMatch(/NETWORK/)
  const files = [...new Set(readFileSync(log, 'utf8').trim().split('\n'))]
  return { files, texts: files.map((f) => readFileSync(f, 'utf8')), out }
}

const osVars = { OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'x', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default' }
const YAML = /\bYAMLParseError = class\b/
const VUE_I18N = /\bcreateI18n\b/

describe('the built CLI loads what the command uses (issue 16: start-up)', () => {
  it('image download from OS_* variables loads neither the YAML parser, nor vue-i18n, nor the copy engine', async () => {
    const r = await loaded('env', ['image', 'download', 'none', '--file', join(dir, 'x.raw')], { ...osVars, OS_AUTH_URL: authUrl })
    expect(r.files.length, r.files.join('\n')).toBeGreaterThan(3)
    expect(r.files.some((f) => /download-/.test(f))).toBe(true)
    expect(r.texts.filter((t) => YAML.test(t)).length, r.files.join('\n')).toBe(0)
    expect(r.texts.filter((t) => VUE_I18N.test(t)).length, r.files.join('\n')).toBe(0)
    expect(
      r.files.filter((f) => /[/\\]copy-[^/\\]*\.js$/.test(f)),
      r.files.join('\n'),
    ).toEqual([])
  })

  it('--os-cloud loads the YAML parser (the control: the hook sees the modules that load)', async () => {
    const r = await loaded('cloud', ['--os-cloud', 'here', 'image', 'download', 'none', '--file', join(dir, 'x.raw')], {
      OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'),
    })
    expect(r.texts.filter((t) => YAML.test(t)).length, r.files.join('\n')).toBe(1)
  })
})
