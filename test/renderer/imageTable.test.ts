/**
 * Issue 14 "10,000 images": the image table renders only the rows in view (plain elements, no component per row),
 * keeps every test id and behaviour (selection, open, multi-column sort arrows, empty slot), and its rows follow the
 * scroll position.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { enableAutoUnmount } from '@vue/test-utils'
import type { ImageDTO, SortKey } from '@contract/api'
import ImageTable from '@/components/ImageTable.vue'
import { DEFAULT_COLUMNS } from '@/lib/columns'
import { mountWith } from './support/mount'
import { image } from './support/mockApi'

enableAutoUnmount(afterEach)

const many = (n: number): ImageDTO[] =>
  Array.from({ length: n }, (_, i) => image({ name: `img-${String(i).padStart(5, '0')}`, status: i % 2 ? 'queued' : 'active' }))
const sortBy: SortKey[] = [{ key: 'created_at', dir: 'desc' }]

function mountTable(images: ImageDTO[], over: { selected?: string[]; sort?: SortKey[] } = {}, locale: 'en' | 'zh-CN' = 'en') {
  return mountWith(
    ImageTable,
    {
      props: { images, columns: [...DEFAULT_COLUMNS], selected: over.selected ?? [], sort: over.sort ?? sortBy },
      slots: { empty: '<p data-testid="empty-images">none</p>' },
    },
    locale,
  )
}
const rows = (w: ReturnType<typeof mountTable>) => w.findAll('[data-testid=image-row]')

describe('ImageTable with 10,000 images', () => {
  it('renders a window of rows, not 10,000, each with its test ids and data attributes', () => {
    const ims = many(10_000)
    const w = mountTable(ims)
    expect(w.get('[data-testid=image-table]').attributes('data-rows')).toBe('10000')
    const rs = rows(w)
    expect(rs.length).toBeGreaterThan(10)
    expect(rs.length).toBeLessThan(40)
    expect(rs[0]!.attributes()).toMatchObject({ 'data-name': 'img-00000', 'data-id': ims[0]!.id, 'data-status': 'active' })
    expect(rs[1]!.find('.el-tag').classes()).toContain('el-tag--primary')
    expect(rs[0]!.find('[data-testid=image-name]').text()).toBe('img-00000')
    expect(rs[0]!.find('[data-testid=row-select]').exists()).toBe(true)
    // no component per row: the only components are the table and its header's sort icons
    expect(w.findAllComponents({ name: 'ElTag' })).toHaveLength(0)
    expect(w.findAllComponents({ name: 'ElCheckbox' })).toHaveLength(0)
  })

  it('follows the scroll position: the rows in view are those of the scrolled-to index', async () => {
    const w = mountTable(many(10_000))
    const body = w.get('.gd-vt-body').element as HTMLElement
    body.scrollTop = 4000 * 40
    body.dispatchEvent(new Event('scroll'))
    await nextTick()
    const names = rows(w).map((r) => r.attributes('data-name'))
    expect(names).toContain('img-04000')
    expect(names).not.toContain('img-00000')
    // the rows keep their order on screen
    expect([...names].sort()).toEqual(names)
    // and at the end, the last row is there
    body.scrollTop = 10_000 * 40
    body.dispatchEvent(new Event('scroll'))
    await nextTick()
    expect(rows(w).at(-1)!.attributes('data-name')).toBe('img-09999')
  })

  it('a jump re-fills the row elements where they are (none moves in the DOM); a small scroll keeps the rows that stay', async () => {
    const w = mountTable(many(10_000))
    const body = w.get('.gd-vt-body').element as HTMLElement
    const scrollTo = async (row: number) => {
      body.scrollTop = row * 40
      body.dispatchEvent(new Event('scroll'))
      await nextTick()
    }
    const els = () => rows(w).map((r) => r.element)
    const before = els()
    // a screen and a half further (a dragged scrollbar, Page Down): every row is new, in the same elements, same order
    await scrollTo(Math.round(before.length * 1.5))
    const afterJump = els()
    expect(afterJump).toHaveLength(before.length)
    afterJump.forEach((el, j) => expect(el, `row element ${j}`).toBe(before[j]))
    expect(rows(w)[0]!.attributes('data-name')).not.toBe('img-00000')
    // two rows further: the rows still in view keep their elements
    const byName = new Map(rows(w).map((r) => [r.attributes('data-name'), r.element]))
    const top = Number(rows(w)[0]!.attributes('data-name')!.slice(4))
    await scrollTo(top + 2 + 2)
    const stayed = rows(w).filter((r) => byName.has(r.attributes('data-name')))
    expect(stayed.length).toBeGreaterThan(before.length - 4)
    for (const r of stayed) expect(r.element).toBe(byName.get(r.attributes('data-name')))
    // fewer rows (a filter), then all again: one element per row, in order
    await w.setProps({ images: many(3) })
    expect(rows(w).map((r) => r.attributes('data-name'))).toEqual(['img-00000', 'img-00001', 'img-00002'])
    await w.setProps({ images: many(10_000) })
    await scrollTo(0)
    const names = rows(w).map((r) => r.attributes('data-name'))
    expect(names).toHaveLength(before.length)
    expect(new Set(names).size).toBe(names.length)
    expect([...names].sort()).toEqual(names)
  })

  it('selects a row, selects all, opens an image', async () => {
    const ims = many(50)
    const w = mountTable(ims, { selected: [ims[3]!.id] })
    const boxes = w.findAll<HTMLInputElement>('[data-testid=row-select]')
    expect(boxes[3]!.element.checked).toBe(true)
    expect(w.get<HTMLInputElement>('[data-testid=select-all]').element.indeterminate).toBe(true)
    await boxes[5]!.setValue(true)
    expect(w.emitted('update:selected')!.at(-1)).toEqual([[ims[3]!.id, ims[5]!.id]])
    await w.get('[data-testid=select-all]').setValue(true)
    expect(w.emitted('update:selected')!.at(-1)![0]).toHaveLength(50)
    await w.findAll('[data-testid=image-name]')[2]!.trigger('click')
    expect(w.emitted('open')!.at(-1)).toEqual([ims[2]])
  })

  it('sorts on a header click (Shift adds the next key) and shows an arrow for every key', async () => {
    const w = mountTable(many(5), {
      sort: [
        { key: 'disk_format', dir: 'asc' },
        { key: 'name', dir: 'desc' },
      ],
    })
    expect(w.get('[data-testid=image-table]').attributes('data-sort')).toBe('disk_format:asc,name:desc')
    const sorting = w.findAll('.el-table-v2__sort-icon.is-sorting')
    expect(sorting).toHaveLength(2)
    expect(w.get('.el-table-v2__header-cell[data-key="diskFormat"]').attributes('aria-sort')).toBe('ascending')
    expect(w.get('.el-table-v2__header-cell[data-key="name"]').attributes('aria-sort')).toBe('descending')
    await w.get('.el-table-v2__header-cell[data-key="diskFormat"]').trigger('click')
    expect(w.emitted('sort')!.at(-1)).toEqual([[{ key: 'disk_format', dir: 'desc' }]])
    await w.get('.el-table-v2__header-cell[data-key="size"]').trigger('click', { shiftKey: true })
    expect(w.emitted('sort')!.at(-1)).toEqual([
      [
        { key: 'disk_format', dir: 'asc' },
        { key: 'name', dir: 'desc' },
        { key: 'size', dir: 'desc' },
      ],
    ])
    // a column Glance cannot sort on does nothing
    await w.get('.el-table-v2__header-cell[data-key="osType"]').trigger('click')
    expect(w.emitted('sort')).toHaveLength(2)
  })

  it('words cells in the UI language and shows the empty slot without images', async () => {
    const zh = mountTable([image({ name: 'web', status: 'active', visibility: 'public' })], {}, 'zh-CN')
    expect(zh.get('[data-testid=image-row]').text()).toContain('公用')
    expect(zh.get('.el-table-v2__header').text()).toContain('名称')
    const empty = mountTable([])
    expect(rows(empty)).toHaveLength(0)
    expect(empty.find('[data-testid=empty-images]').exists()).toBe(true)
  })
})
