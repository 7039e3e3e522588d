/**
 * Issue 11: each IPC command is declared once. A command channel string (`images:list`) may stand on at most two
 * lines of non-test source: commands are table entries keyed by method name, so the string itself should hardly
 * appear at all (a log label, a comment). The window.api, bridge, dispatcher, mock and channel list are derived.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'

const root = join(import.meta.dirname, '../../..')
const SOURCE_DIRS = ['main', 'preload', 'renderer', 'web', 'cli', 'scripts', 'bench']

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|vue|mjs|js|sh)$/.test(name)) out.push(p)
  }
  return out
}

describe('one declaration per command', () => {
  it('no command channel string stands on more than two lines of non-test source', () => {
    const lines = SOURCE_DIRS.flatMap((d) => sourceFiles(join(root, d))).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((text, i) => ({ where: `${relative(root, f)}:${i + 1}`, text })),
    )
    const over: Record<string, string[]> = {}
    for (const channel of COMMAND_CHANNELS) {
      const hits = lines.filter((l) => l.text.includes(`'${channel}'`) || l.text.includes(`"${channel}"`) || l.text.includes(`\`${channel}\``))
      if (hits.length > 2) over[channel] = hits.map((h) => h.where)
    }
    expect(over).toEqual({})
  })

  it('every command has a table entry whose channel is <domain>:<method>', () => {
    expect(COMMAND_CHANNELS.length).toBeGreaterThan(40)
    for (const c of COMMAND_CHANNELS) expect(c).toMatch(/^[a-z]+:[A-Za-z]+$/)
    expect(new Set(COMMAND_CHANNELS).size).toBe(COMMAND_CHANNELS.length)
  })
})
