/**
 * Preset registry: `preset: NAME` on a stream looks the name up here; an unknown name is a
 * config error listing presetNames().
 */
import type { Preset } from './types.ts'

export type { Preset, PresetFilter } from './types.ts'

const PRESETS: readonly Preset[] = []

export function getPreset (name: string): Preset | undefined {
  return PRESETS.find(p => p.name === name)
}

export function presetNames (): string[] {
  return PRESETS.map(p => p.name).sort()
}
