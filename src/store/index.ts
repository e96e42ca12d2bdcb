/**
 * Store: Palisade's durable state in one LevelDB (the `level` package) under the state directory.
 *
 * Each stage owns an area and its key scheme; values are JSON. Writes that must be atomic
 * together (a journal cursor and the counters it produced; a ban and its pending actions) go in
 * one `batch()`, which LevelDB applies all-or-nothing, so a `kill -9` leaves either both or neither.
 *
 * @example
 * const store = createStore({ path: '/var/lib/palisade/db' })
 * await store.start()
 * await store.batch().put('bans', '203.0.113.7', ban).del('pending', id).write()
 */
import { LevelStore } from './level-store.ts'

export { JsonText } from './json-text.ts'

export type Area =
  | 'bans' // key → Ban
  | 'counters' // `${stream}\0${seq:012x}` → a log record of the stream's counters (src/detect/counter-log.ts)
  | 'checkpoints' // stream name → journal cursor / file checkpoint
  | 'pending' // action-run id → pending `after` action
  | 'offences' // key → escalation history
  | 'decisions' // `${time}\0${key}` → decision record with reasons (bounded)
  | 'votes' // `${key}\0${author}` → Vote (remote votes inside the trust window)
  | 'observations' // `${author}\0${seq:016x}` → signed observation (hex) + receivedAt
  | 'authors' // author → { highSeq, … } per-author sync high-water mark
  | 'peers' // key → runtime trust entry (added with `palisade peer trust add`)
  | 'meta' // misc: own seq counter, schema version
  | 'outbox' // `${stream}\0${seq}` → trigger stored with the checkpoint of its line, deleted with its decision

export const AREAS: readonly Area[] = ['bans', 'counters', 'checkpoints', 'pending', 'offences', 'decisions',
  'votes', 'observations', 'authors', 'peers', 'meta', 'outbox']

export interface RangeOptions {
  gte?: string
  lt?: string
  limit?: number
  reverse?: boolean
}

export interface StoreBatch {
  put (area: Area, key: string, value: unknown): StoreBatch
  del (area: Area, key: string): StoreBatch
  readonly length: number
  /** apply every operation atomically */
  write (): Promise<void>
}

export interface Store {
  start (): Promise<void>
  stop (): Promise<void>
  get<T> (area: Area, key: string): Promise<T | undefined>
  put (area: Area, key: string, value: unknown): Promise<void>
  del (area: Area, key: string): Promise<void>
  entries<T> (area: Area, range?: RangeOptions): AsyncIterable<[string, T]>
  /** delete every key of an area inside the range */
  clear (area: Area, range?: RangeOptions): Promise<void>
  batch (): StoreBatch
}

export interface StoreInit {
  /** directory of the LevelDB database (created with mode 0700) */
  path: string
}

export function createStore (init: StoreInit): Store {
  return new LevelStore(init)
}
