import { describe, expect, it } from 'vitest'
import en from '@/i18n/en'
import zhCN from '@/i18n/zh-CN'
import { pickLocale } from '@/i18n'
import { ERROR_CODES, IMAGE_STATUSES, OS_TYPES } from '@contract/api'
import { COLUMN_KEYS } from '@/lib/columns'
import { FIELD_LABELS } from '@/lib/fields'

function keys(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null) return [prefix]
  return Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
}
function get(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[k] : undefined), o)
}

describe('i18n messages', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const a = keys(en).sort()
    const b = keys(zhCN).sort()
    expect(b.filter((k) => !a.includes(k))).toEqual([])
    expect(a.filter((k) => !b.includes(k))).toEqual([])
  })

  it('no message is empty and placeholders match between languages', () => {
    for (const k of keys(en)) {
      const e = String(get(en, k))
      const z = String(get(zhCN, k))
      expect(e.length, k).toBeGreaterThan(0)
      expect(z.length, k).toBeGreaterThan(0)
      const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      expect(ph(z), k).toEqual(ph(e))
    }
  })

  it('covers every error code, status, OS type, column and console field', () => {
    for (const c of ERROR_CODES) expect(get(en, `error.${c}`), c).toBeTypeOf('string')
    for (const s of IMAGE_STATUSES) expect(get(zhCN, `status.${s}`), s).toBeTypeOf('string')
    for (const o of OS_TYPES) expect(get(zhCN, `os.${o}`), o).toBeTypeOf('string')
    for (const c of COLUMN_KEYS) expect(get(zhCN, `col.${c}`), c).toBeTypeOf('string')
    for (const key of Object.values(FIELD_LABELS)) expect(get(zhCN, key), key).toBeTypeOf('string')
  })

  it('uses the console’s Chinese terms', () => {
    expect(zhCN.field.minDisk).toBe('最小系统盘(GiB)')
    expect(zhCN.field.agent).toBe('启用云主机内置Agent')
    expect(zhCN.field.encryptedPassword).toBe('加密存储初始化密码')
    expect(zhCN.action.createVolume).toBe('创建云硬盘')
  })
})

describe('pickLocale', () => {
  it('prefers the remembered choice, then the system language', () => {
    expect(pickLocale('en', ['zh-CN'])).toBe('en')
    expect(pickLocale(null, ['zh-TW', 'en'])).toBe('zh-CN')
    expect(pickLocale(null, ['fr-FR', 'en-US'])).toBe('en')
    expect(pickLocale('garbage', ['de'])).toBe('en')
  })
})
