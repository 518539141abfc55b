// `firstInOrder` must give exactly what sorting everything and taking the first few gives, ties included.
import { describe, expect, test } from 'bun:test'
import { firstInOrder } from '../../registry/src/dashboard/packages/service.ts'

interface Item {
  id: number
  downloads: number
}

const byDownloads = (a: Item, b: Item) => b.downloads - a.downloads

describe('firstInOrder', () => {
  test('equals a stable sort cut to the limit, for many sizes, limits and ties', () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    for (const size of [0, 1, 2, 9, 10, 11, 250]) {
      // Few distinct values, so most items tie with others.
      const items = Array.from({ length: size }, (_, id) => ({ id, downloads: Math.floor(random() * 6) }))
      for (const limit of [0, 1, 3, 10, 300]) {
        expect(firstInOrder(items, limit, byDownloads)).toEqual([...items].sort(byDownloads).slice(0, limit))
      }
    }
  })

  test('reads any iterable once and leaves its input alone', () => {
    const items = [3, 1, 2].map((downloads, id) => ({ id, downloads }))
    const copy = structuredClone(items)
    expect(firstInOrder(new Set(items).values(), 2, byDownloads).map((item) => item.id)).toEqual([0, 2])
    expect(items).toEqual(copy)
  })
})
