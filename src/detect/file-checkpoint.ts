import { createHash } from 'node:crypto'
import { open, stat, type FileHandle } from 'node:fs/promises'

/**
 * Where a followed file was left: device + inode say which file, the hash of its first KiB
 * tells a reused inode from the same file, offset is the byte after the last complete line read.
 */
export interface FileCheckpoint {
  kind: 'file'
  dev: string
  ino: string
  offset: number
  /** sha256 (hex) of the first `headLen` bytes */
  headHash: string
  /** bytes hashed: 1024, or less while the file was shorter */
  headLen: number
}

export const HEAD_BYTES = 1024

export interface Identity { dev: string, ino: string, size: number }

export async function identityOf (path: string): Promise<Identity | null> {
  try {
    const st = await stat(path, { bigint: true })
    return { dev: String(st.dev), ino: String(st.ino), size: Number(st.size) }
  } catch {
    return null
  }
}

export async function fdIdentity (fd: FileHandle): Promise<Identity> {
  const st = await fd.stat({ bigint: true })
  return { dev: String(st.dev), ino: String(st.ino), size: Number(st.size) }
}

export function sameFile (a: { dev: string, ino: string }, b: { dev: string, ino: string }): boolean {
  return a.dev === b.dev && a.ino === b.ino
}

export async function headOf (fd: FileHandle, len = HEAD_BYTES): Promise<{ hash: string, len: number }> {
  const buf = Buffer.alloc(len)
  const { bytesRead } = await fd.read(buf, 0, len, 0)
  return { hash: createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex'), len: bytesRead }
}

/** Same file as the checkpoint: identity and head both agree. */
export async function matchesCheckpoint (path: string, cp: FileCheckpoint): Promise<boolean> {
  const id = await identityOf(path)
  if (id === null || !sameFile(id, cp)) return false
  const fd = await open(path, 'r')
  try {
    const head = await headOf(fd, cp.headLen)
    return head.len === cp.headLen && head.hash === cp.headHash
  } finally {
    await fd.close()
  }
}

export function isFileCheckpoint (v: unknown): v is FileCheckpoint {
  const c = v as FileCheckpoint | undefined
  return typeof c === 'object' && c !== null && c.kind === 'file' && typeof c.dev === 'string' &&
    typeof c.ino === 'string' && typeof c.offset === 'number' && typeof c.headHash === 'string' && typeof c.headLen === 'number'
}
