// Cursor pagination: `await client.packages.search(q)` is the first page; `for await (const hit of
// client.packages.search(q))` walks every result across pages, fetching each page when needed.
import { APIPromise, type WithResponse } from './core.ts'

export interface PageSource<TResponse, TItem> {
  items(response: TResponse): TItem[]
  nextCursor(response: TResponse): string | null
  fetch(cursor: string): Promise<WithResponse<TResponse>>
}

export class Page<TResponse, TItem> {
  constructor(
    /** The whole response of this page. */
    readonly response: TResponse,
    private readonly source: PageSource<TResponse, TItem>,
  ) {}

  get data(): TItem[] {
    return this.source.items(this.response)
  }

  hasNextPage(): boolean {
    return this.source.nextCursor(this.response) !== null
  }

  async getNextPage(): Promise<Page<TResponse, TItem>> {
    const cursor = this.source.nextCursor(this.response)
    if (cursor === null) throw new RangeError('this is the last page; check hasNextPage() first')
    return new Page((await this.source.fetch(cursor)).data, this.source)
  }

  async *iterPages(): AsyncGenerator<Page<TResponse, TItem>> {
    let page: Page<TResponse, TItem> = this
    yield page
    while (page.hasNextPage()) {
      page = await page.getNextPage()
      yield page
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem> {
    for await (const page of this.iterPages()) yield* page.data
  }
}

export class PagePromise<TResponse, TItem> extends APIPromise<Page<TResponse, TItem>> implements AsyncIterable<TItem> {
  constructor(first: Promise<WithResponse<TResponse>>, source: PageSource<TResponse, TItem>) {
    super(first.then((result) => ({ ...result, data: new Page(result.data, source) })))
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem> {
    yield* await this
  }
}
