/**
 * Issue 11: each IPC channel is declared once. A channel string (a command's `images:list`, an event's
 * `transfers:changed`) may stand on at most two lines of non-test source, in any form: quoted, double-quoted,
 * backticked or bare in a comment. Commands are table entries keyed by method name (preload/contract/commands/*), events
 * entries of the one event table (preload/contract/events.ts); emitters and listeners name them through `EVENTS`, so the
 * string itself should hardly appear at all (a log label, a comment). The window.api, bridge, dispatcher, mock and channel
 * lists are derived.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { COMMAND_CHANNELS } from '../../../preload/contract/commands'
import { EVENT_CHANNELS } from '../../../preload/api'

const root = join(import.meta.dirname, '../../..')
const SOURCE_DIRS = ['main', 'preload', 'renderer', 'web', 'cli', 'scripts', 'bench']
const CHANNELS: readonly string[] = [...COMMAND_CHANNELS, ...EVENT_CHANNELS]

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) sourceFiles(p, out)
    else if (/\.(ts|vue|mjs|js|sh)$/.test(name)) out.push(p)
  }
  return out
}

const lines = SOURCE_DIRS.flatMap((d) => sourceFiles(join(root, d))).flatMap((f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .map((text, i) => ({ where: `${relative(root, f)}:${i + 1}`, text })),
)

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('one declaration per channel', () => {
  it('no command or event channel string stands on more than two lines of non-test source (quoted or not)', () => {
    const over: Record<string, string[]> = {}
    for (const channel of CHANNELS) {
      const re = new RegExp(`(?<![\\w:$-])${escape(channel)}(?![\\w-])`)
      const hits = lines.filter((l) => re.test(l.text))
      if (hits.length > 2) over[channel] = hits.map((h) => h.where)
    }
    expect(over).toEqual({})
  })

  it('every command and event has a channel <domain>:<method>, none twice', () => {
    expect(COMMAND_CHANNELS.length).toBeGreaterThan(40)
    expect(EVENT_CHANNELS.length).toBeGreaterThanOrEqual(6)
    for (const c of CHANNELS) expect(c).toMatch(/^[a-z]+:[A-Za-z]+$/)
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length)
  })
})
